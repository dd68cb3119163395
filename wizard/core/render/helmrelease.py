"""Render a Helm app: a HelmRelease and its chart source in the base, one values patch per environment.

Flux's reference layout (flux2-kustomize-helm-example): `base/` holds the HelmRelease; today's values files
are copied verbatim into `base/values/` and reach the release through `valuesFrom` ConfigMaps (applied in
order, then `spec.values` on top: DOMAIN.md). Each `overlays/<env>/` puts everything in the environment's
namespace and patches the release: its `releaseName`, `targetNamespace`, `storageNamespace` and the
values its answers ask for. The environment that runs today keeps today's release name and namespace, so
helm-controller upgrades that release in place instead of installing a second one.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from wizard.core import yamlio
from wizard.core.answers.parse import Environment
from wizard.core.layout import HEADER
from wizard.core.render.base import KUSTOMIZE_API
from wizard.core.render.flux import FLUX_NAMESPACE, SOURCE_API
from wizard.core.render.overlay import BUILTIN_NAMESPACES, namespace_doc, sealed_files
from wizard.core.resolve.app import ENV_LABEL
from wizard.core.resolve.model import Resolved

HELM_API = "helm.toolkit.fluxcd.io/v2"
HELM_CHART_LAYER = "application/vnd.cncf.helm.chart.content.v1.tar+gzip"
NAME_REFERENCE_CONFIG = "kustomizeconfig.yaml"


def values_keys(ctx: Resolved) -> list[tuple[str, str]]:
    """(values file in the repository, its key in the values ConfigMap and its name under base/values/)."""
    chart = ctx.inventory.chart
    assert chart is not None
    return values_keys_of([vf.path for vf in chart.values_files])


def values_keys_of(paths: list[str]) -> list[tuple[str, str]]:
    """values_keys for a list of values files."""
    out: list[tuple[str, str]] = []
    used: set[str] = set()
    for i, path in enumerate(paths):
        name = PurePosixPath(path).name
        if name in used:
            name = f"{i}-{name}"
        used.add(name)
        out.append((path, name))
    return out


def values_configmap(ctx: Resolved) -> str:
    return f"{ctx.answers.app}-values"


def helm_release(ctx: Resolved) -> dict[str, Any]:
    """The base HelmRelease: the chart, today's values files in order, remediation. No environment in it."""
    helm = ctx.answers.helm
    assert helm is not None
    spec: dict[str, Any] = {"interval": "10m"}
    if helm.oci:
        spec["chartRef"] = {"kind": "OCIRepository", "name": ctx.answers.app}
    elif helm.remote:
        spec["chart"] = {
            "spec": {
                "chart": helm.chart,
                "version": helm.version,
                "sourceRef": {"kind": "HelmRepository", "name": ctx.answers.app},
                "interval": "10m",
            }
        }
    else:
        spec["chart"] = {
            "spec": {
                "chart": f"./{helm.chart_dir}",
                # A new chart artifact for every git revision, not only when Chart.yaml's version changes.
                "reconcileStrategy": "Revision",
                "sourceRef": {"kind": "GitRepository", "name": ctx.answers.app, "namespace": FLUX_NAMESPACE},
                "interval": "1m",
            }
        }
    spec["install"] = {"remediation": {"retries": 3}}
    spec["upgrade"] = {"remediation": {"retries": 3}}
    keys = values_keys(ctx)
    if keys:
        spec["valuesFrom"] = [{"kind": "ConfigMap", "name": values_configmap(ctx), "valuesKey": key} for _, key in keys]
    return {"apiVersion": HELM_API, "kind": "HelmRelease", "metadata": {"name": ctx.answers.app}, "spec": spec}


def chart_source(ctx: Resolved) -> dict[str, Any] | None:
    """A remote chart's source (HelmRepository or OCIRepository); None for an in-repo chart (Flux's GitRepository)."""
    helm = ctx.answers.helm
    assert helm is not None
    if not helm.remote:
        return None
    assert helm.repository is not None
    if helm.oci:
        spec: dict[str, Any] = {
            "interval": "10m",
            "url": f"{helm.repository.rstrip('/')}/{helm.chart}",
            "ref": {"tag": helm.version},
            "layerSelector": {"mediaType": HELM_CHART_LAYER, "operation": "copy"},
        }
        kind = "OCIRepository"
    else:
        spec = {"interval": "1h", "url": helm.repository}
        kind = "HelmRepository"
    return {"apiVersion": SOURCE_API, "kind": kind, "metadata": {"name": ctx.answers.app}, "spec": spec}


def render_helm_base(ctx: Resolved) -> dict[str, str]:
    """`base/`: the HelmRelease, its source, today's values files verbatim and the kustomization."""
    chart = ctx.inventory.chart
    assert chart is not None
    base = ctx.layout.base
    files: dict[str, str] = {}
    resources = ["helmrelease.yaml"]
    today = ", ".join(vf.path for vf in chart.values_files) or "the chart defaults"
    files[f"{base}/helmrelease.yaml"] = yamlio.dump(
        helm_release(ctx), header=HEADER + f"\nThe release of chart {chart.name} with today's values ({today})."
    )
    source = chart_source(ctx)
    if source is not None:
        files[f"{base}/source.yaml"] = yamlio.dump(source, header=HEADER)
        resources.append("source.yaml")
    kustomization: dict[str, Any] = {"apiVersion": KUSTOMIZE_API, "kind": "Kustomization", "resources": sorted(resources)}
    keys = values_keys(ctx)
    texts = {vf.path: vf.text for vf in chart.values_files}
    if keys:
        for path, key in keys:
            files[f"{base}/values/{key}"] = texts[path]
        kustomization["configMapGenerator"] = [
            {"name": values_configmap(ctx), "files": [f"{key}=values/{key}" for _, key in keys]}
        ]
        # Teach kustomize that HelmRelease.spec.valuesFrom names a ConfigMap, so the hashed name is rewritten
        # there too: a values change is a new ConfigMap and a new release spec, so helm-controller upgrades.
        kustomization["configurations"] = [NAME_REFERENCE_CONFIG]
        files[f"{base}/{NAME_REFERENCE_CONFIG}"] = yamlio.dump(
            {
                "nameReference": [
                    {
                        "kind": "ConfigMap",
                        "version": "v1",
                        "fieldSpecs": [{"path": "spec/valuesFrom/name", "kind": "HelmRelease"}],
                    }
                ]
            },
            header=HEADER,
        )
    files[f"{base}/kustomization.yaml"] = yamlio.dump(
        kustomization,
        header=HEADER + "\nThe base: the HelmRelease and today's values, unchanged. Environments differ only in overlays/.",
    )
    return files


def release_patch(ctx: Resolved, env: Environment) -> dict[str, Any]:
    """What an environment changes on the release: its name and namespaces, its values, drift rules."""
    assert ctx.helm is not None
    resolved = ctx.helm.environments[env.name]
    spec: dict[str, Any] = {
        "releaseName": resolved.release,
        "targetNamespace": env.namespace,
        # helm stores a release in its own namespace; helm-controller would look in the HelmRelease's.
        "storageNamespace": env.namespace,
    }
    if resolved.autoscaled:
        # The HPA owns the replica count: drift correction must not reset it (DOMAIN.md, HPA and replicas).
        spec["driftDetection"] = {
            "mode": "enabled",
            "ignore": [{"paths": ["/spec/replicas"], "target": {"kind": "Deployment"}}],
        }
    if resolved.values:
        spec["values"] = resolved.values
    return {"apiVersion": HELM_API, "kind": "HelmRelease", "metadata": {"name": ctx.answers.app}, "spec": spec}


def render_helm_overlay(ctx: Resolved, env: Environment) -> dict[str, str]:
    """`overlays/<env>/`: the namespace, the environment label on the Flux objects and the release patch."""
    folder = ctx.layout.overlay(env.name)
    files: dict[str, str] = {}
    # Today's release namespace exists already (and so do the built-in ones): only a new one is created here.
    creates = not env.current and env.namespace not in BUILTIN_NAMESPACES
    if creates:
        files[f"{folder}/namespace.yaml"] = yamlio.dump(namespace_doc(ctx, env), header=HEADER)
    assert ctx.helm is not None
    resolved = ctx.helm.environments[env.name]
    if env.current:
        note = (
            f"{env.name} runs today: release {resolved.release} in namespace {env.namespace}, kept as it is so that\n"
            "helm-controller upgrades the existing release (same name, same storage namespace) instead of installing\n"
            "a second one."
        )
    else:
        note = f"{env.name}: its own release {resolved.release} in namespace {env.namespace}."
    files[f"{folder}/patches/helmrelease.yaml"] = yamlio.dump(release_patch(ctx, env), header=note)
    doc: dict[str, Any] = {
        "apiVersion": KUSTOMIZE_API,
        "kind": "Kustomization",
        "namespace": env.namespace,
        "resources": ["../../base", *(["namespace.yaml"] if creates else []), *sealed_files(ctx, env.name)],
        "labels": [{"pairs": {ENV_LABEL: env.name}, "includeSelectors": False}],
        "patches": [{"path": "patches/helmrelease.yaml", "target": {"kind": "HelmRelease", "name": ctx.answers.app}}],
    }
    files[f"{folder}/kustomization.yaml"] = yamlio.dump(
        doc, header=f"{HEADER}\nEnvironment {env.name}: namespace {env.namespace}, Helm release {resolved.release}."
    )
    return files
