"""The final identity of a Secret in an overlay's build: the name and namespace to seal it for.

The sealed-secrets controller derives the decryption label from the SealedSecret's own final name and
namespace, i.e. after the overlay's ``namespace``, ``namePrefix`` and ``nameSuffix`` (and any
transformer) have run. So the identity is read from a real build of the overlay (a probe copy of it, next
to it, holding a value-less SealedSecret), or computed from the overlay's kustomization when no kustomize
is installed.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from wizard.core import yamlio
from wizard.core.errors import InputError
from wizard.core.kustomize import KUSTOMIZATION_NAMES, build_dir, find_kustomize, kustomization_file
from wizard.core.secrets.sealed_file import is_sealed_file
from wizard.core.secrets.sealing import API_VERSION, KIND

PROBE_ANNOTATION = "k8s-wizard.io/probe"


def _probe_doc(name: str, namespace: str) -> dict[str, Any]:
    """A SealedSecret without any value, marked so it can be found in the build output."""
    return {
        "apiVersion": API_VERSION,
        "kind": KIND,
        "metadata": {"name": name, "namespace": namespace, "annotations": {PROBE_ANNOTATION: name}},
        "spec": {"encryptedData": {"probe": "cHJvYmU="}, "template": {"metadata": {"name": name}}},
    }


def _probe_build(
    repo: Path, overlay_rel: str, names: Sequence[str], namespace: str, command: list[str],
) -> dict[str, tuple[str, str]]:
    """Build a copy of the overlay (next to it, so relative paths hold) with a probe SealedSecret per name."""
    overlay = repo / overlay_rel
    kfile = kustomization_file(overlay)
    if kfile is None:
        raise InputError(f"{overlay_rel}: no kustomization.yaml; run `k8s-wizard apply` first")
    try:
        doc = yamlio.load(kfile.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise InputError(f"{kfile.relative_to(repo).as_posix()}{yamlio.error_message(exc)}") from None
    if not isinstance(doc, dict):
        raise InputError(f"{kfile.relative_to(repo).as_posix()}: not a kustomization")
    probe = Path(tempfile.mkdtemp(prefix=".k8s-wizard-probe-", dir=overlay.parent))
    try:
        shutil.rmtree(probe)
        shutil.copytree(overlay, probe, symlinks=True, ignore=shutil.ignore_patterns(".k8s-wizard-*"))
        for n in KUSTOMIZATION_NAMES:
            (probe / n).unlink(missing_ok=True)
        resources = [r for r in doc.get("resources") or [] if not is_sealed_file(r)]
        doc["resources"] = [*resources, "k8s-wizard-probe.yaml"]
        (probe / "kustomization.yaml").write_text(yamlio.dump(doc), encoding="utf-8")
        (probe / "k8s-wizard-probe.yaml").write_text(
            yamlio.dump_all([_probe_doc(n, namespace) for n in names]), encoding="utf-8"
        )
        build = build_dir(probe, overlay_rel, command)
    finally:
        shutil.rmtree(probe, ignore_errors=True)
    if not build.ok:
        detail = build.stderr.replace(str(probe), overlay_rel)
        raise InputError(f"{overlay_rel}: the overlay does not build, so the final Secret names are unknown: {detail}")
    found: dict[str, tuple[str, str]] = {}
    for obj in build.objects:
        if obj.get("kind") != KIND:
            continue
        meta = obj.get("metadata") or {}
        marker = (meta.get("annotations") or {}).get(PROBE_ANNOTATION)
        if marker in names:
            found[str(marker)] = (str(meta.get("name") or ""), str(meta.get("namespace") or ""))
    missing = [n for n in names if n not in found]
    if missing:
        raise InputError(f"{overlay_rel}: the overlay's build drops a SealedSecret named {', '.join(missing)} (a patch?)")
    return found


def _computed_identity(repo: Path, overlay_rel: str, names: Sequence[str], namespace: str) -> dict[str, tuple[str, str]]:
    """Without kustomize: the overlay kustomization's namespace, namePrefix and nameSuffix."""
    kfile = kustomization_file(repo / overlay_rel)
    if kfile is None:
        raise InputError(f"{overlay_rel}: no kustomization.yaml; run `k8s-wizard apply` first")
    try:
        doc = yamlio.load(kfile.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise InputError(f"{kfile.relative_to(repo).as_posix()}{yamlio.error_message(exc)}") from None
    ns = str(doc.get("namespace") or namespace) if isinstance(doc, dict) else namespace
    prefix = str(doc.get("namePrefix") or "") if isinstance(doc, dict) else ""
    suffix = str(doc.get("nameSuffix") or "") if isinstance(doc, dict) else ""
    return {n: (f"{prefix}{n}{suffix}", ns) for n in names}


def final_identities(repo: Path, overlay_rel: str, names: Sequence[str], namespace: str) -> dict[str, tuple[str, str]]:
    """Secret name -> (name, namespace) a SealedSecret written into the overlay ends up with in its build."""
    if not names:
        return {}
    command = find_kustomize()
    if command is None:
        return _computed_identity(repo, overlay_rel, names, namespace)
    return _probe_build(repo, overlay_rel, names, namespace, command)
