"""RBAC per environment: each environment's ServiceAccounts get their own bindings.

A RoleBinding or ClusterRoleBinding whose subject is a ServiceAccount in today's namespace grants production's
ServiceAccount. Copied as is, a new environment's ServiceAccount has no permissions (its pods get 403, Flux's
health check fails and the promotion chain stops). Kustomize's namespace transformer rewrites a subject's
namespace only when it is `default` (DOMAIN.md), so:

- a RoleBinding (namespaced, in the base) gets a patch per subject in today's namespace: it now names the
  environment's namespace. Subjects in other namespaces (a monitoring ServiceAccount) are left alone.
- a ClusterRoleBinding is cluster-scoped (it stays with the environment that runs today): every other
  environment gets its own copy, named `<name>-<environment>`, whose subjects name its own namespace.
"""

from __future__ import annotations

import copy
from typing import Any

from wizard.core.answers.parse import Environment
from wizard.core.resolve.model import Resolved
from wizard.core.scan.manifests import ManifestObject


def _moves(subject: Any, today: str) -> bool:
    return (
        isinstance(subject, dict)
        and subject.get("kind") == "ServiceAccount"
        and str(subject.get("namespace") or "") == today
    )


def role_binding_patches(resolved: Resolved, env: Environment) -> list[tuple[ManifestObject, list[dict[str, Any]]]]:
    """(RoleBinding, JSON patch ops) pointing its subjects in today's namespace at `env`'s namespace."""
    today = resolved.today_namespace
    if not today or env.namespace == today:
        return []
    found = []
    for obj in resolved.app.base_objects:
        if obj.kind != "RoleBinding":
            continue
        ops = [
            {"op": "replace", "path": f"/subjects/{i}/namespace", "value": env.namespace}
            for i, subject in enumerate(obj.obj.get("subjects") or [])
            if _moves(subject, today)
        ]
        if ops:
            found.append((obj, ops))
    return found


def bound_cluster_bindings(resolved: Resolved) -> list[ManifestObject]:
    """Today's ClusterRoleBindings with a ServiceAccount subject in today's namespace."""
    today = resolved.today_namespace
    if not today:
        return []
    return [
        obj
        for obj, _ in resolved.app.current_only
        if obj.kind == "ClusterRoleBinding" and any(_moves(s, today) for s in obj.obj.get("subjects") or [])
    ]


def cluster_binding_name(name: str, env: Environment) -> str:
    """A new environment's copy of a ClusterRoleBinding: one cluster, so one name per environment."""
    return f"{name}-{env.name}"


def cluster_bindings(resolved: Resolved, env: Environment) -> list[dict[str, Any]]:
    """The environment's own ClusterRoleBindings: today's ones re-pointed at its ServiceAccounts."""
    today = resolved.today_namespace
    if env.current or not today:
        return []
    out = []
    for obj in bound_cluster_bindings(resolved):
        doc = copy.deepcopy(obj.obj)
        meta = doc.setdefault("metadata", {})
        meta["name"] = cluster_binding_name(str(meta.get("name")), env)
        for key in ("uid", "resourceVersion", "creationTimestamp"):
            meta.pop(key, None)
        for subject in doc.get("subjects") or []:
            if _moves(subject, today):
                subject["namespace"] = env.namespace
        out.append(doc)
    return out


def cluster_wide_agents(resolved: Resolved) -> list[tuple[ManifestObject, list[str]]]:
    """DaemonSets whose ServiceAccount a ClusterRoleBinding grants a ClusterRole: (DaemonSet, ClusterRole names)."""
    today = resolved.today_namespace
    bindings = [o for o, _ in resolved.app.current_only if o.kind == "ClusterRoleBinding"]
    found = []
    for ds in resolved.app.workloads:
        if ds.kind != "DaemonSet":
            continue
        pod = ((ds.obj.get("spec") or {}).get("template") or {}).get("spec") or {}
        account = str(pod.get("serviceAccountName") or pod.get("serviceAccount") or "default")
        namespace = ds.namespace or today
        roles = sorted({
            str((b.obj.get("roleRef") or {}).get("name"))
            for b in bindings
            for s in b.obj.get("subjects") or []
            if isinstance(s, dict) and s.get("kind") == "ServiceAccount" and s.get("name") == account
            and str(s.get("namespace") or "") == str(namespace)
        })
        if roles:
            found.append((ds, roles))
    return found
