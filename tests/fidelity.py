"""The current environment's build must equal today's objects field for field, apart from what its answers ask.

`current_env_differences()` compares COMPLETE objects (metadata, spec, data, rules, subjects, ...) of today's
build with the current environment's build, after giving unnamespaced objects the namespace they are applied
to. What may differ is stated explicitly: the `environment` label on object metadata (the tool's own mark)
and the paths the answers ask to change (`allowances()`), nothing else. Every other difference is a change to
what runs today and is reported with its path, e.g. `Deployment/shop/api: spec.template.spec.volumes[0]...`.
"""

from __future__ import annotations

import fnmatch
from typing import Any

from kube import POD_TEMPLATE_KINDS, key

ENV_LABEL = "environment"


def _paths(old: Any, new: Any, path: str) -> list[tuple[str, Any, Any]]:
    """Every leaf path where two values differ: (path, today's value, the build's value)."""
    if isinstance(old, dict) and isinstance(new, dict):
        out: list[tuple[str, Any, Any]] = []
        for k in sorted(set(old) | set(new), key=str):
            child = f"{path}.{k}" if path else str(k)
            if k not in old:
                out.append((child, "<absent>", new[k]))
            elif k not in new:
                out.append((child, old[k], "<absent>"))
            else:
                out.extend(_paths(old[k], new[k], child))
        return out
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        return [d for i, (a, b) in enumerate(zip(old, new, strict=True)) for d in _paths(a, b, f"{path}[{i}]")]
    return [] if old == new else [(path, old, new)]


def _without_env_label(obj: dict[str, Any], env: str, today: dict[str, Any]) -> dict[str, Any]:
    """The object without the `environment: <env>` label the overlay adds to metadata (unless today has it)."""
    meta = dict(obj.get("metadata") or {})
    labels = dict(meta.get("labels") or {})
    today_labels = (today.get("metadata") or {}).get("labels") or {}
    if labels.get(ENV_LABEL) == env and ENV_LABEL not in today_labels:
        del labels[ENV_LABEL]
        if labels:
            meta["labels"] = labels
        else:
            meta.pop("labels", None)
    return {**obj, "metadata": meta}


def allowances(env: dict[str, Any], today: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    """(kind, name, path pattern) the answers of the current environment ask to change (fnmatch patterns)."""
    allowed: list[tuple[str, str, str]] = []
    replicas = env.get("replicas")
    if isinstance(replicas, int):
        allowed += [("Deployment", "*", "spec.replicas"), ("StatefulSet", "*", "spec.replicas")]
    elif isinstance(replicas, dict):
        allowed += [(k, name, "spec.replicas") for name in replicas for k in ("Deployment", "StatefulSet")]
    if env.get("image_tag") is not None:
        allowed += [(k, "*", "spec.*template.spec.*ontainers[[]*[]].image") for k in POD_TEMPLATE_KINDS]
    if env.get("resources") is not None:
        allowed += [(k, "*", "spec.*template.spec.containers[[]*[]].resources*") for k in POD_TEMPLATE_KINDS]
    for cm, data in (env.get("config") or {}).items():
        if isinstance(data, dict):
            allowed += [("ConfigMap", cm, f"data.{k}") for k in data]
        else:
            allowed.append(("ConfigMap", "*", f"data.{cm}"))
    if env.get("host") is not None:
        allowed += [("Ingress", "*", "spec.rules[[]*[]].host"), ("Ingress", "*", "spec.tls[[]*[]].hosts[[]*[]]")]
    autoscaled = set((env.get("autoscaling") or {}) if isinstance(env.get("autoscaling"), dict) else [])
    if env.get("autoscaling") and not isinstance(env.get("autoscaling"), dict) or "min" in autoscaled:
        autoscaled = {key(o)[2] for o in today if o.get("kind") in ("Deployment", "StatefulSet")}
    # An HPA owns its workload's replicas: the count leaves git (a planned hand-over step in MIGRATION.md).
    autoscaled |= {
        str(((o.get("spec") or {}).get("scaleTargetRef") or {}).get("name"))
        for o in today
        if o.get("kind") == "HorizontalPodAutoscaler"
    }
    allowed += [(k, name, "spec.replicas") for name in autoscaled for k in ("Deployment", "StatefulSet")]
    if env.get("autoscaling"):
        allowed += [("HorizontalPodAutoscaler", "*", "spec.*")]
    return allowed


def current_env_differences(
    today: list[dict[str, Any]],
    built: list[dict[str, Any]],
    env: dict[str, Any],
    *,
    skip_kinds: frozenset[str] = frozenset({"Secret"}),
) -> list[str]:
    """Every difference between today's objects and the current environment's build that its answers do not ask.

    `today` and `built` have namespaces filled in the way they are applied; `env` is the current environment's
    answers. Secrets are skipped by default: their values never enter git, they come back sealed.
    """
    name = str(env["name"])
    allowed = allowances(env, today)
    by = {key(o): o for o in built}
    problems: list[str] = []
    for old in today:
        kind = str(old.get("kind"))
        if kind in skip_kinds:
            continue
        new = by.get(key(old))
        ref = "/".join(p for p in key(old) if p)
        if new is None:
            problems.append(f"{ref}: missing from the build")
            continue
        for path, was, now in _paths(old, _without_env_label(new, name, old), ""):
            if any(
                k == kind and fnmatch.fnmatchcase(key(old)[2], n) and fnmatch.fnmatchcase(path, p) for k, n, p in allowed
            ):
                continue
            problems.append(f"{ref}: {path}: today {was!r}, built {now!r}")
    return problems





def foreign_bindings(objects: list[dict[str, Any]], today: str) -> list[str]:
    """Bindings in a new environment's build that still grant a ServiceAccount of today's namespace."""
    return [
        f"{obj['kind']}/{obj['metadata']['name']} binds ServiceAccount {s.get('name')} in {today}"
        for obj in objects
        if obj.get("kind") in ("RoleBinding", "ClusterRoleBinding")
        for s in obj.get("subjects") or []
        if s.get("kind") == "ServiceAccount" and s.get("namespace") == today
    ]


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def addresses_of(objects: list[dict[str, Any]], today: str) -> list[str]:
    """Fully qualified service addresses in today's namespace (`x.<today>.svc`) left in a build's specs and data."""
    needle = f".{today}.svc"
    return [
        f"{obj['kind']}/{obj['metadata']['name']}: {text}"
        for obj in objects
        if obj.get("kind") not in ("Namespace", "RoleBinding", "ClusterRoleBinding")
        for text in _strings({"spec": obj.get("spec"), "data": obj.get("data")})
        if needle in text
    ]
