"""An overlay's strategic-merge patches, one multi-document file per kind: what kustomize builds cheapest.

Measured (scripts/bench.py, BENCHMARKS.md): kustomize runs each `replicas:` entry and each targeted patch
as its own transformer over every object of the build, so an overlay with one of each per workload costs
a multiple of a namespace+label overlay over the same base. A file of strategic-merge patches without a
`target` is one transformer; kustomize finds each document's object by its id (apiVersion, kind, name and
namespace as the base loads it), so each document names the object's namespace exactly as the base does.
All patches of one object are merged into one document.
"""

from __future__ import annotations

import copy
from typing import Any

from wizard.core import yamlio
from wizard.core.layout import HEADER
from wizard.core.scan.manifests import ManifestObject


def _merge(into: dict[str, Any], extra: dict[str, Any]) -> None:
    """Deep-merge `extra` into `into` (mappings merge; anything else is replaced)."""
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = copy.deepcopy(value)


class MergedPatches:
    """Strategic-merge patch documents by kind, one document per object, in the order they were added."""

    def __init__(self) -> None:
        self._docs: dict[str, dict[tuple[str, str, str, bool], tuple[dict[str, Any], list[str]]]] = {}

    @staticmethod
    def file_of(kind: str) -> str:
        """The overlay-relative file that holds a kind's patches (`patches/deployment.yaml`)."""
        return f"patches/{kind.lower()}.yaml"

    def add(self, obj: ManifestObject, patch: dict[str, Any], note: str) -> bool:
        """Add a patch of a base object; True when it opens a new file (the caller lists that file once)."""
        rel = self.file_of(obj.kind)
        new_file = rel not in self._docs
        docs = self._docs.setdefault(rel, {})
        deletes = patch.get("$patch") == "delete"
        key = (str(obj.obj.get("apiVersion")), obj.namespace or "", obj.name, deletes)
        metadata: dict[str, Any] = {"name": obj.name}
        if obj.namespace:
            metadata["namespace"] = obj.namespace
        body = {k: v for k, v in patch.items() if k not in ("apiVersion", "kind", "metadata")}
        if key not in docs:
            docs[key] = ({"apiVersion": obj.obj.get("apiVersion"), "kind": obj.kind, "metadata": metadata}, [])
        doc, notes = docs[key]
        _merge(doc, body)
        if note and note not in notes:
            notes.append(note)
        return new_file

    def files(self) -> dict[str, str]:
        """{overlay-relative path: multi-document YAML}, each document under its notes."""
        out: dict[str, str] = {}
        for rel, docs in self._docs.items():
            parts = [yamlio.dump(doc, header="\n".join(notes) or None) for doc, notes in docs.values()]
            head = "".join(f"# {line}\n" for line in HEADER.splitlines())
            out[rel] = head + "---\n".join(parts)
        return out


def moved_hosts(spec: dict[str, Any], mapping: dict[str, str]) -> dict[str, Any]:
    """An Ingress spec's `rules` and `tls` with today's hosts mapped to new ones (only the lists that change).

    Both lists are atomic in the Kubernetes schema: a strategic merge replaces them whole, so the patch
    carries each list complete, as the base has it, with only the hosts changed.
    """
    out: dict[str, Any] = {}
    rules = spec.get("rules") or []
    if any(isinstance(r, dict) and r.get("host") in mapping and mapping[r["host"]] != r["host"] for r in rules):
        out["rules"] = [
            {**r, "host": mapping[r["host"]]} if isinstance(r, dict) and r.get("host") in mapping else r for r in rules
        ]
    tls = spec.get("tls") or []
    if any(h in mapping and mapping[h] != h for t in tls if isinstance(t, dict) for h in t.get("hosts") or []):
        out["tls"] = [
            {**t, "hosts": [mapping.get(h, h) for h in t.get("hosts") or []]} if isinstance(t, dict) and t.get("hosts") else t
            for t in tls
        ]
    return out
