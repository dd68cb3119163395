"""What a reviewer must know about a Helm app's migration. Findings name files and value paths, never values."""

from __future__ import annotations

import re
from typing import Any

from wizard.core.answers.helm import join_path, split_path
from wizard.core.model import Finding, Level
from wizard.core.plan.findings import Rule, git_auth
from wizard.core.resolve.helmvalues import get_path
from wizard.core.resolve.model import Resolved
from wizard.core.scan.chart import deep_merge, helm_cache

SECRETISH = re.compile(r"(?i)(pass(word|wd)?|secret|token|api[-_]?key|private[-_]?key|credential)s?$")
SECRET_REFERENCE = re.compile(r"(?i)^existing[-_]?secret(name)?$")


def _leaves(value: Any, path: list[str | int]) -> list[tuple[list[str | int], Any]]:
    if isinstance(value, dict):
        return [leaf for k, v in value.items() for leaf in _leaves(v, [*path, str(k)])]
    if isinstance(value, list):
        return [leaf for i, v in enumerate(value) for leaf in _leaves(v, [*path, i])]
    return [(path, value)]


def value_mapping(ctx: Resolved) -> list[Finding]:
    """Which chart value each per-environment answer sets, and which of those the wizard proposed."""
    assert ctx.helm is not None
    used = sorted({key for env in ctx.helm.environments.values() for key in env.mapped})
    if not used:
        return []
    parts = ", ".join(f"{key} -> {ctx.helm.paths[key]}" for key in used)
    proposed = [k for k in used if k in ctx.helm.proposed]
    note = f" ({', '.join(proposed)} proposed from the chart's values: pin or change them under helm.paths)" if proposed else ""
    return [Finding(Level.INFO, "helm-value-paths", f"The answers set these chart values: {parts}{note}.")]


def chart_offline(ctx: Resolved) -> list[Finding]:
    """A remote chart that is not in helm's cache: its values were not checked, and validate cannot render it."""
    chart = ctx.inventory.chart
    helm = ctx.answers.helm
    if chart is None or helm is None or chart.defaults_known:
        return []
    location = f"{helm.repository}/{helm.chart}" if helm.oci else f"{helm.chart} --repo {helm.repository}"
    return [
        Finding(
            Level.WARNING,
            "helm-chart-offline",
            f"Chart {helm.chart} {helm.version} is not in helm's cache, so value paths were checked against today's values "
            f"files only and `k8s-wizard validate` cannot render it. Pull it once: helm pull {location} --version "
            f"{helm.version} -d {helm_cache()}",
        )
    ]


def secret_values(ctx: Resolved) -> list[Finding]:
    """A password or token in a values file: it is copied as it is (it is already in git)."""
    chart = ctx.inventory.chart
    if chart is None:
        return []
    out = []
    for vf in chart.values_files:
        for path, value in _leaves(vf.data, []):
            key = next((p for p in reversed(path) if isinstance(p, str)), "")
            if SECRETISH.search(key) and not SECRET_REFERENCE.match(key) and isinstance(value, str) and value:
                out.append(
                    Finding(
                        Level.WARNING,
                        "helm-secret-value",
                        f"{join_path(path)} looks like a secret in a values file; it was copied into the base as it is. Move "
                        "it into a Secret (most charts take an existingSecret), seal that per environment, and rotate the "
                        "value: it stays in git history.",
                        vf.path,
                    )
                )
    return out


def referenced_secrets(ctx: Resolved) -> list[Finding]:
    """Secrets the chart expects to exist (existingSecret): every new environment's namespace needs its own."""
    chart = ctx.inventory.chart
    if chart is None or ctx.helm is None:
        return []
    names = sorted(
        {
            (join_path(path), str(value))
            for path, value in _leaves(chart.effective, [])
            if path and isinstance(path[-1], str) and SECRET_REFERENCE.match(path[-1]) and isinstance(value, str) and value
        }
    )
    out = []
    helm_secrets = ctx.answers.helm.secrets if ctx.answers.helm else {}
    for env in ctx.answers.environments:
        if env.current:
            continue
        for path, name in names:
            if name in helm_secrets:
                continue  # listed under helm.secrets: the plan has its sealing step
            out.append(
                Finding(
                    Level.WARNING,
                    "helm-existing-secret",
                    f"The chart reads Secret {name} ({path}); {env.name} needs it in namespace {env.namespace}. List its key "
                    f"names under helm.secrets ({name}: [KEY, ...]) and the plan gets the steps to seal it into the overlay.",
                    environment=env.name,
                )
            )
    return out


def tls_secrets(ctx: Resolved) -> list[Finding]:
    """An ingress TLS secretName in today's values: a new environment's namespace needs that Secret too."""
    chart = ctx.inventory.chart
    if chart is None or ctx.helm is None:
        return []
    out = []
    for env in ctx.answers.environments:
        if env.current:
            continue
        final = deep_merge(chart.effective, ctx.helm.environments[env.name].values)
        for path, value in _leaves(final, []):
            if len(path) >= 3 and path[-1] == "secretName" and "tls" in path and isinstance(value, str) and value:
                out.append(
                    Finding(
                        Level.WARNING,
                        "helm-tls-secret",
                        f"{env.name}'s ingress uses TLS Secret {value} ({join_path(path)}): it must exist in namespace "
                        f"{env.namespace} for the new host (a cert-manager Certificate, or set another secretName in "
                        f"environments[].values).",
                        environment=env.name,
                    )
                )
    return out


def autoscaled(ctx: Resolved) -> list[Finding]:
    """An environment whose chart autoscaling is on: Flux's drift correction leaves the replica count alone."""
    if ctx.helm is None:
        return []
    return [
        Finding(
            Level.INFO,
            "helm-hpa",
            f"{name}: the chart's HPA owns the replica count; the HelmRelease's driftDetection ignores /spec/replicas of "
            "Deployments, so helm-controller does not reset it.",
            environment=name,
        )
        for name, env in ctx.helm.environments.items()
        if env.autoscaled
    ]


def new_hosts(ctx: Resolved) -> list[Finding]:
    """A new environment whose host was derived from today's (no host answered)."""
    if ctx.helm is None or "host" not in ctx.helm.paths:
        return []
    out = []
    for env in ctx.answers.environments:
        if env.current or env.host is not None or "host" not in ctx.helm.environments[env.name].mapped:
            continue
        host = get_path(ctx.helm.environments[env.name].values, split_path(ctx.helm.paths["host"]))
        out.append(
            Finding(
                Level.INFO,
                "host-defaulted",
                f"{env.name} answers on {host} (today's host with the environment's name in front); set "
                f"environments[].host to choose another.",
                environment=env.name,
            )
        )
    return out


HELM_RULES: tuple[Rule, ...] = (
    value_mapping,
    chart_offline,
    secret_values,
    referenced_secrets,
    tls_secrets,
    new_hosts,
    autoscaled,
    git_auth,
)
"""Every rule for a Helm app, in the order the plan lists their findings."""
