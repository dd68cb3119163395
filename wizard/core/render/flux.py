"""Render the Flux objects: one GitRepository, one Kustomization per environment in promotion order."""

from __future__ import annotations

from typing import Any

from wizard.core import yamlio
from wizard.core.layout import HEADER
from wizard.core.resolve.model import Resolved

FLUX_NAMESPACE = "flux-system"
SOURCE_API = "source.toolkit.fluxcd.io/v1"
KUSTOMIZE_CONTROLLER_API = "kustomize.toolkit.fluxcd.io/v1"


def kustomization_name(ctx: Resolved, env: str) -> str:
    return f"{ctx.answers.app}-{env}"


def git_repository(ctx: Resolved) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "interval": "1m",
        "url": ctx.answers.flux_url,
        "ref": {"branch": ctx.answers.flux_branch},
    }
    if str(ctx.answers.flux_url).startswith("ssh://"):
        spec["secretRef"] = {"name": f"{ctx.answers.app}-git-auth"}
    return {
        "apiVersion": SOURCE_API,
        "kind": "GitRepository",
        "metadata": {"name": ctx.answers.app, "namespace": FLUX_NAMESPACE},
        "spec": spec,
    }


def flux_kustomization(ctx: Resolved, index: int) -> dict[str, Any]:
    env = ctx.answers.environments[index]
    spec: dict[str, Any] = {
        "interval": "10m",
        "retryInterval": "2m",
        "timeout": "5m",
        "path": f"./{ctx.layout.overlay(env.name)}",
        "prune": True,
        "wait": True,
        "sourceRef": {"kind": "GitRepository", "name": ctx.answers.app},
    }
    previous = ctx.answers.environments[index - 1] if index > 0 else None
    # dependsOn only sees Kustomizations in its own cluster: across clusters, promotion goes through git.
    if previous is not None and ctx.answers.same_cluster(previous, env):
        spec["dependsOn"] = [{"name": kustomization_name(ctx, previous.name)}]
    if ctx.answers.secrets.provider == "sops":
        spec["decryption"] = {"provider": "sops", "secretRef": {"name": "sops-age"}}
    return {
        "apiVersion": KUSTOMIZE_CONTROLLER_API,
        "kind": "Kustomization",
        "metadata": {"name": kustomization_name(ctx, env.name), "namespace": FLUX_NAMESPACE},
        "spec": spec,
    }


def render_cluster_folders(ctx: Resolved) -> dict[str, str]:
    """`<output>/clusters/<cluster>/` per cluster: its own GitRepository and the Kustomizations of its environments.

    No kustomization.yaml: `flux bootstrap --path <output>/clusters/<cluster>` adds its own flux-system/ there, and
    Flux applies every manifest of a folder that has none. dependsOn links environments on the same cluster only.
    """
    files: dict[str, str] = {}
    envs = ctx.answers.environments
    for cluster in ctx.answers.clusters:
        folder = ctx.layout.cluster_folder(cluster)
        files[f"{folder}/source.yaml"] = yamlio.dump(
            git_repository(ctx), header=HEADER + f"\nCluster {cluster}: bootstrap Flux with `flux bootstrap ... --path {folder}`."
        )
    for i, env in enumerate(envs):
        note = HEADER + f"\nDeploys {env.name} on cluster {env.cluster}"
        if i and ctx.answers.same_cluster(envs[i - 1], env):
            note += f" once {envs[i - 1].name} is healthy at the same revision"
        elif i:
            note += (
                f". {envs[i - 1].name} runs on cluster {envs[i - 1].cluster}, which Flux here cannot see: promote with "
                "the promotion workflow (a pull request) once it is healthy there"
            )
        files[ctx.layout.flux_kustomization(env.name)] = yamlio.dump(flux_kustomization(ctx, i), header=note + ".")
    return files


def render_flux(ctx: Resolved) -> dict[str, str]:
    """`<output>/flux/`: source.yaml, one file per environment, and a kustomization.yaml listing them.

    With environments on several clusters, `<output>/clusters/<cluster>/` instead (render_cluster_folders).
    """
    if ctx.answers.multi_cluster:
        return render_cluster_folders(ctx)
    files: dict[str, str] = {}
    flux = ctx.layout.flux
    files[f"{flux}/source.yaml"] = yamlio.dump(git_repository(ctx), header=HEADER)
    names = ["source.yaml"]
    for i, env in enumerate(ctx.answers.environments):
        note = HEADER + f"\nDeploys {env.name}"
        if i:
            note += f" once {ctx.answers.environments[i - 1].name} is healthy at the same revision"
        files[ctx.layout.flux_kustomization(env.name)] = yamlio.dump(flux_kustomization(ctx, i), header=note + ".")
        names.append(f"{env.name}.yaml")
    files[f"{flux}/kustomization.yaml"] = yamlio.dump(
        {"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization", "resources": names},
        header=HEADER + "\nApply once with `kubectl apply -k " + flux + "`, or point your cluster's Flux at this folder.",
    )
    return files
