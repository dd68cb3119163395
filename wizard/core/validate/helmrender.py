"""Render a Helm app's charts with a real Helm engine, per environment, and check what they would install.

The engine is the `helm-python-sdk` wheel (Helm itself, bundled; no cluster, no network), installed with the
`helm` extra. Each environment's HelmRelease is taken from its kustomize build; its values are what
helm-controller computes (the `valuesFrom` ConfigMaps in order, then `spec.values` on top), and the chart
renders them under the release name and target namespace. The environment that runs today must render
exactly today's objects (today's values files, release and namespace); no two environments may render
the same object. Without the engine, the checks say so and nothing else is claimed.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wizard.core import yamlio
from wizard.core.kinds import CLUSTER_SCOPED
from wizard.core.model import Finding, Level
from wizard.core.scan.chart import deep_merge, find_archive, helm_cache

INSTALL_HINT = "pip install 'k8s-wizard[helm]'"


class RenderError(Exception):
    """A chart that could not be loaded or rendered (the message says which and why)."""


def engine() -> Any | None:
    """The helm_python module, or None when the Helm engine is not installed."""
    try:
        return importlib.import_module("helm_python")
    except ImportError:
        return None


@dataclass(frozen=True)
class ChartRef:
    """Where a HelmRelease's chart is: a folder in the repository, or a remote chart by name and version."""

    path: Path | None
    name: str
    version: str | None
    location: str

    def archive(self) -> Path | None:
        return find_archive(self.name, self.version) if self.version else None

    def pull_hint(self) -> str:
        return f"helm pull {self.location} --version {self.version} -d {helm_cache()}"


def chart_ref(repo: Path, release: dict[str, Any], objects: list[dict[str, Any]]) -> ChartRef:
    """The chart a HelmRelease installs (its source looked up among the build's objects)."""
    spec = release.get("spec") or {}
    chart_ref_spec = spec.get("chartRef") or {}
    if chart_ref_spec.get("kind") == "OCIRepository":
        source = _find(objects, "OCIRepository", str(chart_ref_spec.get("name")))
        url = str((source.get("spec") or {}).get("url", "")) if source else ""
        tag = ((source or {}).get("spec") or {}).get("ref", {}).get("tag")
        return ChartRef(None, url.rstrip("/").rsplit("/", 1)[-1], str(tag) if tag else None, url)
    chart_spec = (spec.get("chart") or {}).get("spec") or {}
    source_ref = chart_spec.get("sourceRef") or {}
    name = str(chart_spec.get("chart", ""))
    if source_ref.get("kind") == "GitRepository":
        return ChartRef(repo / name.removeprefix("./"), name, None, name)
    source = _find(objects, "HelmRepository", str(source_ref.get("name")))
    url = str(((source or {}).get("spec") or {}).get("url", ""))
    version = chart_spec.get("version")
    return ChartRef(None, name, str(version) if version else None, f"{url.rstrip('/')}/{name}" if url else name)


def _find(objects: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any] | None:
    return next((o for o in objects if o.get("kind") == kind and (o.get("metadata") or {}).get("name") == name), None)


def release_values(release: dict[str, Any], objects: list[dict[str, Any]]) -> dict[str, Any]:
    """helm-controller's values for a HelmRelease: each `valuesFrom` in order, then `spec.values` on top."""
    spec = release.get("spec") or {}
    namespace = (release.get("metadata") or {}).get("namespace")
    values: dict[str, Any] = {}
    for ref in spec.get("valuesFrom") or []:
        source = next(
            (
                o
                for o in objects
                if o.get("kind") == ref.get("kind")
                and (o.get("metadata") or {}).get("name") == ref.get("name")
                and (o.get("metadata") or {}).get("namespace") == namespace
            ),
            None,
        )
        if source is None:
            if ref.get("optional"):
                continue
            raise RenderError(f"valuesFrom {ref.get('kind')}/{ref.get('name')} is not in the build")
        text = (source.get("data") or {}).get(ref.get("valuesKey") or "values.yaml")
        if text is None:
            raise RenderError(f"valuesFrom {ref.get('kind')}/{ref.get('name')} has no key {ref.get('valuesKey')!r}")
        loaded = yamlio.load(str(text)) or {}
        if not isinstance(loaded, dict):
            raise RenderError(f"valuesFrom {ref.get('kind')}/{ref.get('name')}: not a mapping of values")
        values = deep_merge(values, loaded)
    return deep_merge(values, spec.get("values") or {})


def render_chart(ref: ChartRef, values: dict[str, Any], release: str, namespace: str) -> list[dict[str, Any]]:
    """The objects a chart installs for these values, release name and namespace (hooks included, notes not)."""
    helm = engine()
    if helm is None:
        raise RenderError(f"the Helm engine is not installed ({INSTALL_HINT})")
    source = ref.path if ref.path is not None else ref.archive()
    if source is None:
        raise RenderError(f"chart {ref.name} {ref.version} is not in helm's cache ({ref.pull_hint()})")
    try:
        with helm.Chart.load(str(source)) as chart:
            manifests = chart.render(values, name=release, namespace=namespace, is_install=True)
    except helm.HelmError as exc:
        raise RenderError(f"chart {ref.name}: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from None
    objects: list[dict[str, Any]] = []
    for template in sorted(manifests):
        if not template.endswith((".yaml", ".yml")):
            continue  # NOTES.txt
        for doc in yamlio.load_all(manifests[template]):
            if isinstance(doc, dict) and doc.get("kind"):
                meta = doc.setdefault("metadata", {})
                if doc["kind"] not in CLUSTER_SCOPED and not meta.get("namespace"):
                    meta["namespace"] = namespace  # helm installs namespaced objects into the release namespace
                objects.append(doc)
    return sorted(objects, key=object_key)


def object_key(obj: dict[str, Any]) -> tuple[str, str, str]:
    meta = obj.get("metadata") or {}
    return (str(obj.get("kind")), str(meta.get("namespace") or ""), str(meta.get("name")))


@dataclass(frozen=True)
class EnvironmentRender:
    """One environment's release, rendered."""

    overlay: str
    release: str
    namespace: str
    objects: tuple[dict[str, Any], ...]


def render_release(repo: Path, overlay: str, objects: list[dict[str, Any]]) -> EnvironmentRender | None:
    """Render the HelmRelease of one overlay's build (None when the build holds no HelmRelease)."""
    release = next((o for o in objects if o.get("kind") == "HelmRelease"), None)
    if release is None:
        return None
    spec = release.get("spec") or {}
    namespace = str(spec.get("targetNamespace") or (release.get("metadata") or {}).get("namespace") or "default")
    name = str(spec.get("releaseName") or (release.get("metadata") or {}).get("name"))
    ref = chart_ref(repo, release, objects)
    rendered = render_chart(ref, release_values(release, objects), name, namespace)
    return EnvironmentRender(overlay, name, namespace, tuple(rendered))


def differences(before: Any, after: Any, path: str = "") -> list[str]:
    """JSON-pointer-like paths where two objects differ."""
    if isinstance(before, dict) and isinstance(after, dict):
        out: list[str] = []
        for key in sorted(set(before) | set(after), key=str):
            out.extend(differences(before.get(key), after.get(key), f"{path}/{key}"))
        return out
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        return [d for i, (a, b) in enumerate(zip(before, after, strict=True)) for d in differences(a, b, f"{path}/{i}")]
    return [] if before == after else [path or "/"]


def compare_with_today(today: list[dict[str, Any]], render: EnvironmentRender) -> list[str]:
    """What differs between today's objects and an environment's render: one line per object."""
    old = {object_key(o): o for o in today}
    new = {object_key(o): o for o in render.objects}
    lines = [f"{k[0]}/{k[2]} is not rendered any more" for k in sorted(old.keys() - new.keys())]
    lines += [f"{k[0]}/{k[2]} is new" for k in sorted(new.keys() - old.keys())]
    for k in sorted(old.keys() & new.keys()):
        paths = differences(old[k], new[k])
        if paths:
            lines.append(f"{k[0]}/{k[2]} differs at {', '.join(paths[:4])}{' ...' if len(paths) > 4 else ''}")
    return lines


def shared_objects(renders: list[EnvironmentRender]) -> list[Finding]:
    """Two environments' releases that would install the same object (cluster-scoped ones included)."""
    findings: list[Finding] = []
    owners: dict[tuple[str, str, str], str] = {}
    for r in renders:
        for obj in r.objects:
            key = object_key(obj)
            if key in owners and owners[key] != r.overlay:
                findings.append(
                    Finding(
                        Level.ERROR,
                        "helm-shared-object",
                        f"{key[0]}/{key[2]} in namespace {key[1] or '-'} is rendered by both {owners[key]} and {r.overlay}: "
                        "the releases would fight over it",
                        r.overlay,
                    )
                )
            owners.setdefault(key, r.overlay)
    return findings
