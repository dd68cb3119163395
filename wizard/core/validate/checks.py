"""Validate the written layout: build every overlay with the real kustomize, check the Flux objects.

Builds run in parallel (`wizard.core.kustomize`). A warning on stderr is a finding too:
kustomize prints deprecations there, and generated output must build without any.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from wizard.core import yamlio
from wizard.core.answers.parse import Answers
from wizard.core.kustomize import Build, build_all, build_overlay
from wizard.core.model import Finding, Level
from wizard.core.validate import crds
from wizard.core.validate.sealed import stale_sealed_secrets
from wizard.core.validate.sops import sops_placeholders


def cluster_folders(repo: Path, output: str) -> list[str]:
    """`<output>/clusters/<cluster>` folders (environments on several clusters), relative to the repo."""
    root = repo / output / "clusters"
    return sorted(f"{output}/clusters/{p.name}" for p in root.iterdir() if p.is_dir()) if root.is_dir() else []


def check_flux(repo: Path, output: str) -> list[Finding]:
    """The Flux objects: against their CRDs (served API version, required fields, durations), and their references.

    With environments on several clusters, each `clusters/<cluster>/` folder is checked on its own: a
    sourceRef or dependsOn must be defined in the same cluster's folder (dependsOn cannot cross clusters).
    """
    clusters = cluster_folders(repo, output)
    if clusters:
        return [f for folder in clusters for f in _check_flux_folder(repo, folder)]
    if not (repo / output / "flux").is_dir():
        return [Finding(Level.ERROR, "flux-missing", f"{output}/flux/ not found")]
    return _check_flux_folder(repo, f"{output}/flux")


def overlay_clusters(repo: Path, output: str) -> dict[str, str]:
    """Overlay folder -> the cluster whose Flux Kustomization deploys it ({} for one cluster)."""
    found: dict[str, str] = {}
    for folder in cluster_folders(repo, output):
        for _, obj in _flux_objects(repo, folder, []):
            if obj.get("kind") == "Kustomization":
                path = str((obj.get("spec") or {}).get("path", "")).removeprefix("./").rstrip("/")
                found.setdefault(path, folder.rsplit("/", 1)[-1])
    return found


def _flux_objects(repo: Path, rel_folder: str, findings: list[Finding]) -> list[tuple[str, dict[str, Any]]]:
    folder = repo / rel_folder
    objects: list[tuple[str, dict[str, Any]]] = []
    for path in sorted(folder.glob("*.yaml")):
        rel = path.relative_to(repo).as_posix()
        try:
            docs = yamlio.load_all(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            findings.append(Finding(Level.ERROR, "flux-yaml", f"not valid YAML{yamlio.error_message(exc)}", rel))
            continue
        objects.extend((rel, d) for d in docs if isinstance(d, dict) and ".toolkit.fluxcd.io/" in str(d.get("apiVersion")))
    return objects


def _check_flux_folder(repo: Path, rel_folder: str) -> list[Finding]:
    findings: list[Finding] = []
    objects = _flux_objects(repo, rel_folder, findings)
    names = {(o.get("kind"), (o.get("metadata") or {}).get("name")) for _, o in objects}
    for rel, obj in objects:
        kind = obj.get("kind")
        spec = obj.get("spec") or {}
        findings.extend(_schema_findings(obj, rel))  # served apiVersion, required fields, durations, types
        if kind == "Kustomization":
            overlay_path = str(spec.get("path", "./")).removeprefix("./")
            if not (repo / overlay_path / "kustomization.yaml").is_file():
                findings.append(Finding(Level.ERROR, "flux-path", f"Kustomization.spec.path {spec.get('path')!r} has no "
                                        "kustomization.yaml", rel))
            ref = spec.get("sourceRef") or {}
            if (ref.get("kind"), ref.get("name")) not in names:
                findings.append(Finding(Level.WARNING, "flux-source", f"sourceRef {ref.get('kind')}/{ref.get('name')} is not "
                                        f"defined in {rel_folder}/", rel))
            for dep in spec.get("dependsOn") or []:
                if ("Kustomization", dep.get("name")) not in names:
                    findings.append(Finding(Level.ERROR, "flux-depends", f"dependsOn {dep.get('name')} is not defined in "
                                            f"{rel_folder}/ (dependsOn only sees its own cluster)", rel))
    return findings


def _schema_findings(obj: dict[str, Any], where: str) -> list[Finding]:
    """An object's breaches of its CustomResourceDefinition (a shipped Flux or SealedSecret CRD)."""
    name = (obj.get("metadata") or {}).get("name")
    return [
        Finding(Level.ERROR, "crd-schema", f"{obj.get('kind')}/{name}: {path}: {reason}", where)
        for path, reason in crds.problems(obj)
    ]


def built_custom_resources(repo: Path, builds: list[Build]) -> list[Finding]:
    """Flux objects and SealedSecrets as each overlay builds them (a HelmRelease in the base, the sealed
    files), checked against their CRDs: what Flux would apply to the cluster.

    A reused build holds only summaries of its objects (`buildcache`), too little for a schema: an overlay
    whose summaries include such an object is built again, without the cache, for this check.
    """
    findings: list[Finding] = []
    for b in builds:
        if not b.ok or not any(crds.known(o) for o in b.objects):
            continue
        full = build_overlay(repo, b.path) if b.reused else b
        findings.extend(f for obj in full.objects if crds.known(obj) for f in _schema_findings(obj, b.path))
    return findings


def isolation(builds: list[Build], clusters: dict[str, str] | None = None) -> list[Finding]:
    """No two environments' builds on one cluster may hold the same object or the same fixed nodePort.

    `clusters` maps overlay folders to their cluster; without it every overlay is on one cluster.
    """
    clusters = clusters or {}
    groups: dict[str, list[Build]] = {}
    for b in builds:
        groups.setdefault(clusters.get(b.path, ""), []).append(b)
    return [f for group in groups.values() for f in _isolation_in_one_cluster(group)]


def _isolation_in_one_cluster(builds: list[Build]) -> list[Finding]:
    findings: list[Finding] = []
    owners: dict[tuple[str, str, str], str] = {}
    ports: dict[int, str] = {}
    for b in builds:
        for obj in b.objects:
            meta = obj.get("metadata") or {}
            key = (str(obj.get("kind")), str(meta.get("namespace", "")), str(meta.get("name")))
            if key in owners and owners[key] != b.path:
                findings.append(Finding(Level.ERROR, "shared-object", f"{key[0]}/{key[2]} in namespace {key[1] or '-'} is in "
                                        f"both {owners[key]} and {b.path}: environments would overwrite each other", b.path))
            owners.setdefault(key, b.path)
            if obj.get("kind") == "Service":
                for port in (obj.get("spec") or {}).get("ports") or []:
                    node_port = (port or {}).get("nodePort")
                    if node_port:
                        if node_port in ports and ports[node_port] != b.path:
                            findings.append(Finding(Level.ERROR, "shared-node-port", f"nodePort {node_port} is fixed in "
                                                    f"both {ports[node_port]} and {b.path}", b.path))
                        ports.setdefault(node_port, b.path)
    return findings


def build_findings(builds: list[Build]) -> list[Finding]:
    """An error for each overlay that failed to build or printed a warning (generated output must build without any)."""
    findings: list[Finding] = []
    for b in builds:
        if not b.ok:
            findings.append(Finding(Level.ERROR, "build-failed", f"kustomize build failed: {b.stderr}", b.path))
        elif b.stderr:
            findings.append(Finding(Level.ERROR, "build-warning", f"kustomize printed warnings: {b.stderr}", b.path))
    return findings


def validate(
    repo: Path, output: str, answers: Answers | None = None, on_done: Callable[[Build], None] | None = None
) -> tuple[list[Build], list[Finding]]:
    """Build every overlay and check Flux objects and isolation; findings with level ERROR block.

    With the answers of a Helm app, every environment's release is rendered with the Helm engine too.
    ``on_done`` sees each overlay's build as it finishes (from a worker thread).
    """
    builds = build_all(repo, output, on_done)
    findings: list[Finding] = []
    if not builds:
        findings.append(Finding(Level.ERROR, "no-overlays", f"no overlays found under {output}/overlays/"))
    findings.extend(build_findings(builds))
    findings.extend(check_flux(repo, output))
    findings.extend(built_custom_resources(repo, builds))
    findings.extend(isolation([b for b in builds if b.ok], overlay_clusters(repo, output)))
    findings.extend(stale_sealed_secrets(repo, None, output=output, builds=builds))
    findings.extend(sops_placeholders(repo))
    if answers is not None and answers.helm is not None:
        from wizard.core.validate.helm import check_helm

        findings.extend(check_helm(repo, builds, answers)[1])
    return builds, findings
