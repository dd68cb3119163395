"""The scan's facts as plain data for the interview: which folders hold Kubernetes objects, and what is in one.

Both interactive front-ends start with `facts` (the Textual app in a worker, before its first question), so
this module loads only the scan (a chart repository's facts load the resolve stage when they are needed).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from wizard.core.kinds import SCALABLE, WORKLOADS, containers, secret_keys
from wizard.core.scan.candidates import Candidate, find_candidates, first_facts, offered
from wizard.core.scan.gitinfo import git_facts
from wizard.core.scan.manifests import Inventory, backing_services, env_refs, ingress_hosts, scan


def candidate_facts(
    repo: Path, scanned: dict[str, Inventory] | None = None,
    on_found: Callable[[list[dict[str, str]]], None] | None = None,
    on_first: Callable[[dict[str, Any]], None] | None = None, *, found: list[Candidate] | None = None,
) -> list[dict[str, str]]:
    """The source candidates as the interview's choices: {value: folder, label: what it holds}.

    `scanned` receives the inventories read to check the candidates (by folder), for `facts` to reuse;
    `on_found` hears the folders found by content, in the same form, before they are read; then `on_first`
    hears `first_facts` (when a folder was found). `found`: the search's result when it was just made.
    """
    def report(found: list[Candidate]) -> None:
        if on_found is not None:
            on_found(found_choices(found))
        first = first_facts(found) if on_first is not None else None
        if on_first is not None and first is not None:
            on_first(first)

    return found_choices(source_candidates(repo, scanned, report, found=found))


def found_choices(found: list[Candidate]) -> list[dict[str, str]]:
    """Folders as the interview's choices: {value: folder, label: what it holds}."""
    return [{"value": c.path, "label": c.label} for c in found]


def facts(
    repo: Path, source: str | None, candidates: list[dict[str, str]] | None = None, *,
    inventory: Inventory | None = None,
) -> dict[str, Any]:
    """What the scan found, as plain data for the interview's proposals.

    `candidates`: the folders holding Kubernetes objects (found again when not given). `inventory`: the scan
    of `source` when it was just read (by `candidate_facts`), so it is not read twice.
    """
    if inventory is None or inventory.source != source:
        inventory = scan(repo, source) if source else Inventory(repo=repo, source=None)
    git = git_facts(repo)
    objects = inventory.objects
    kinds: dict[str, int] = {}
    for o in objects:
        kinds[o.kind] = kinds.get(o.kind, 0) + 1
    hpa_targets = {
        str(((o.obj.get("spec") or {}).get("scaleTargetRef") or {}).get("name"))
        for o in objects
        if o.kind == "HorizontalPodAutoscaler"
    }
    secrets: dict[str, set[str]] = {}
    for o in objects:
        if o.kind == "Secret":
            secrets.setdefault(o.name, set()).update(secret_keys(o.obj))
        if o.kind in WORKLOADS:
            for kind, name, key in env_refs(o.obj):
                if kind == "Secret":
                    secrets.setdefault(name, set()).update([key] if key else [])
    return {
        "source": source,
        "object_count": len(objects),
        "files": len(inventory.files),
        # Only a namespace the manifests say: unset ones run where they are applied (the interview asks, proposing
        # `default`), and objects pinned elsewhere (an ingress controller's ConfigMap) are not the app's namespace.
        "namespace": inventory.today_namespace if inventory.sets_namespace else None,
        "namespaces": sorted({o.namespace for o in objects if o.namespace}) if inventory.sets_namespace else [],
        "kinds": dict(sorted(kinds.items())),
        "workloads": [
            {
                "kind": o.kind,
                "name": o.name,
                "replicas": (o.obj.get("spec") or {}).get("replicas", 1 if o.kind in SCALABLE else None),
                "images": [str(c.get("image")) for c in containers(o.obj)],
                "autoscaled": o.name in hpa_targets,
            }
            for o in objects
            if o.kind in WORKLOADS
        ],
        "configmaps": sorted({o.name for o in objects if o.kind == "ConfigMap"}),
        "secrets": {k: sorted(v) for k, v in sorted(secrets.items())},
        "hosts": list(ingress_hosts(tuple(o for o in objects if o.kind == "Ingress"))),
        "backing_services": backing_services(inventory),
        "git": {"url": git.remote_url, "branch": git.branch},
        "has_kustomization": inventory.adopted is not None,
        "app": _app_name(repo, inventory),
        "skipped": [p for p, _ in inventory.skipped],
        **_chart(repo, source),
        "candidates": candidates if candidates is not None else candidate_facts(repo),
    }


def _chart(repo: Path, source: str | None) -> dict[str, Any]:
    """A Helm chart in a repository without plain manifests: the chart fact, and its replica count and host."""
    if source is not None:
        return {"chart": None}
    from wizard.core.resolve.chartfacts import chart_facts  # charts only: the resolve stage loads with it

    chart = chart_facts(repo)
    if chart is None:
        return {"chart": None}
    out: dict[str, Any] = {"chart": chart}
    if chart["replicas"] is not None:  # today's count, so the environment that runs today keeps it
        out["workloads"] = [{"kind": "Deployment", "name": chart["name"], "replicas": chart["replicas"], "images": [],
                             "autoscaled": False}]
    if chart["host"]:
        out["hosts"] = [chart["host"]]
    return out


def _app_name(repo: Path, inventory: Inventory) -> str:
    name = re.sub(r"[^a-z0-9-]+", "-", repo.resolve().name.lower()).strip("-")[:63] or "app"
    return name


def source_candidates(
    repo: Path, scanned: dict[str, Inventory] | None = None, on_found: Callable[[list[Candidate]], None] | None = None,
    *, found: list[Candidate] | None = None,
) -> list[Candidate]:
    """The folders holding Kubernetes objects that the scan can read, best first (see scan/candidates.py).

    Tests, examples and charts are offered only when no other folder holds objects. A folder inside one that
    was read whole (no kustomization in either) is not read again: its files are some of that folder's files,
    and everything the scan refuses in a file, or in a set of objects (an object defined twice, a
    kustomization below the root), it would have refused there. `scanned` receives the inventories read;
    `on_found` hears every folder found by content, before any is read (`found`: the search's result when it
    was just made).
    """
    read_whole: list[str] = []
    found = find_candidates(repo) if found is None else found
    if on_found is not None:
        on_found(found)

    def scans(candidate: Candidate) -> bool:
        inside = not candidate.kustomization and any(
            folder == "." or candidate.path.startswith(folder + "/") for folder in read_whole
        )
        if not inside:
            try:
                inventory = scan(repo, candidate.path)
            except Exception:  # noqa: BLE001 - a folder that does not scan is simply not a source
                return False
            if scanned is not None:
                scanned[candidate.path] = inventory
            if not candidate.kustomization:
                read_whole.append(candidate.path)
        return True

    return offered(found, scans)


def detect_source(repo: Path) -> str | None:
    """The folder most likely to hold today's manifests, found by content (any name: k8s-specs/, deploy/...)."""
    found = source_candidates(repo)
    return found[0].path if found else None
