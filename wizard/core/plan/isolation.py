"""Findings about environments that share a cluster: bindings, node agents, namespaces that exist before the app.

One small function per rule, each `(Resolved) -> list[Finding]`, listed in findings.RULES.
"""

from __future__ import annotations

from wizard.core.answers.parse import Environment
from wizard.core.model import Finding, Level
from wizard.core.render.addresses import AddressUse, address_patches, address_uses
from wizard.core.render.overlay import BUILTIN_NAMESPACES
from wizard.core.render.rbac import bound_cluster_bindings, cluster_binding_name, cluster_wide_agents, role_binding_patches
from wizard.core.resolve.environment import CATCH_ALL
from wizard.core.resolve.model import Resolved


def _src(resolved: Resolved, file: str) -> str:
    return f"{resolved.answers.source}/{file}"


def rbac_bindings(resolved: Resolved) -> list[Finding]:
    """Bindings of today's ServiceAccounts: every other environment binds its own (said per environment)."""
    found: list[Finding] = []
    for env in resolved.answers.environments:
        if env.current:
            continue
        parts = [f"RoleBinding/{b.name}" for b, _ in role_binding_patches(resolved, env)]
        parts += [
            f"ClusterRoleBinding/{cluster_binding_name(b.name, env)} (a copy of {b.name})"
            for b in bound_cluster_bindings(resolved)
        ]
        if parts:
            found.append(Finding(
                Level.INFO,
                "rbac-own-bindings",
                f"{env.name}: {', '.join(parts)} bind {env.namespace}'s ServiceAccounts, not today's "
                f"({resolved.today_namespace}); subjects in other namespaces are left as they are.",
                environment=env.name,
            ))
    return found


def cluster_wide_agent(resolved: Resolved) -> list[Finding]:
    """A DaemonSet with a ClusterRole is a node agent: a second copy per environment is probably not wanted."""
    others = [e.name for e in resolved.answers.environments if not e.current]
    if not others:
        return []
    return [
        Finding(
            Level.WARNING,
            "cluster-wide-agent",
            f"{ds.ref} runs on every node with ClusterRole {', '.join(roles)}: {', '.join(others)} would start a "
            "second copy on the same nodes (two agents per node, both cluster-wide). That is probably not wanted: "
            "keep it in one environment (or give it its own repository), and remove it from the others' overlays "
            "with a `$patch: delete` patch.",
            _src(resolved, ds.file),
        )
        for ds, roles in cluster_wide_agents(resolved)
    ]


def existing_namespace(resolved: Resolved) -> list[Finding]:
    """A namespace that exists before the app (default, kube-system...) is never created or labelled by it."""
    return [
        Finding(
            Level.INFO,
            "existing-namespace",
            f"{env.name} runs in namespace {env.namespace}, which exists before the app: k8s-wizard does not manage "
            "it (no Namespace object, no labels), and Flux never prunes it.",
            environment=env.name,
        )
        for env in resolved.answers.environments
        if env.namespace in BUILTIN_NAMESPACES
    ]


def _address_patches(resolved: Resolved, env: Environment) -> list[tuple[AddressUse, str]]:
    settings = resolved.settings(env)
    kept = {s.name for s in settings.services} | {n for s in settings.services for k, n in s.removed if k == "Service"}
    return address_patches(resolved, env, kept, {cm: set(data) for cm, data in settings.config.items()})


def namespace_addresses(resolved: Resolved) -> list[Finding]:
    """Addresses naming today's namespace: rewritten per environment (shown), ambiguous ones reported."""
    today = resolved.today_namespace
    if not today or len(resolved.answers.environments) < 2 or resolved.helm is not None:
        return []
    found: list[Finding] = []
    per_use: dict[str, list[str]] = {}
    for env in resolved.answers.environments:
        for use, value in _address_patches(resolved, env):
            per_use.setdefault(use.where, []).append(f"{env.name}: {value}")
    for use in address_uses(resolved):
        src = _src(resolved, use.obj.file)
        if use.rewritten:
            targets = per_use.get(use.where)
            found.append(Finding(
                Level.INFO if targets else Level.WARNING,
                "cross-namespace-address",
                f"{use.where} names {', '.join(use.rewritten)} in today's namespace {today}: "
                + (
                    f"each other environment points it at its own namespace ({'; '.join(targets)})."
                    if targets
                    else "no environment rewrites it (shared on purpose?): every environment talks to the same service."
                ),
                src,
            ))
        if use.ambiguous:
            found.append(Finding(
                Level.WARNING,
                "ambiguous-address",
                f"{use.where} names {', '.join(use.ambiguous)}: it may be a service in another namespace or an outside "
                f"host, so k8s-wizard left it as it is in every environment. If it is one of the app's services, write "
                f"it `<service>.{today}.svc` (rewritten per environment) or the short name; otherwise override it per "
                "environment where it must differ.",
                src,
            ))
    return found


def catch_all_ingress(resolved: Resolved) -> list[Finding]:
    """An Ingress rule without a host (or only a default backend) would give every environment the same route."""
    if resolved.helm is not None:
        return []
    catch_alls = [
        ing for ing in resolved.app.base_objects
        if ing.kind == "Ingress" and (
            any(isinstance(r, dict) and not r.get("host") for r in (ing.obj.get("spec") or {}).get("rules") or [])
            or (not (ing.obj.get("spec") or {}).get("rules") and (ing.obj.get("spec") or {}).get("defaultBackend"))
        )
    ]
    found: list[Finding] = []
    for settings in resolved.environments:
        if settings.env.current or not catch_alls:
            continue
        if CATCH_ALL in settings.hosts:
            found.append(Finding(
                Level.INFO,
                "catch-all-ingress",
                f"{settings.name}: {', '.join(i.ref for i in catch_alls)} route every host today; here they serve "
                f"{settings.hosts[CATCH_ALL]} only.",
                _src(resolved, catch_alls[0].file),
                settings.name,
            ))
            continue
        found.append(Finding(
            Level.ERROR,
            "catch-all-ingress",
            f"{', '.join(i.ref for i in catch_alls)} has a rule without a host (a catch-all): {settings.name}'s copy "
            f"would claim the same route as {_current(resolved)}, and the ingress controller would send production's "
            f"traffic to either. Give {settings.name} a host: environments[{settings.index}].host "
            f"(like {settings.name}.example.com).",
            _src(resolved, catch_alls[0].file),
            settings.name,
        ))
    return found


def _current(resolved: Resolved) -> str:
    current = resolved.answers.current
    return current.name if current else "the other environments"
