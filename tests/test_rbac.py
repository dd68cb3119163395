"""Issue 9 item 6: each environment binds its own ServiceAccounts; node agents get a finding.

Fixture tests/fixtures/rbac, built with the real kustomize.
"""

from __future__ import annotations

from conftest import ALL_CASES, Migrated
from kube import key

CASES = {c.id: c for c in ALL_CASES}


def _by(objects: list[dict], kind: str) -> dict[str, dict]:
    return {o["metadata"]["name"]: o for o in objects if o["kind"] == kind}


def test_role_binding_points_at_the_environments_service_account_only(migrate) -> None:
    m: Migrated = migrate(CASES["rbac"])
    binding = _by(m.objects("staging"), "RoleBinding")["scheduler"]
    assert binding["metadata"]["namespace"] == "jobs-staging"
    assert binding["subjects"] == [
        {"kind": "ServiceAccount", "name": "scheduler", "namespace": "jobs-staging"},
        {"kind": "ServiceAccount", "name": "prometheus", "namespace": "monitoring"},
    ], "only the subject in today's namespace moves"
    production = _by(m.objects("production"), "RoleBinding")["scheduler"]
    assert production["subjects"][0]["namespace"] == "jobs"


def test_cluster_role_binding_gets_a_per_environment_copy(migrate) -> None:
    m: Migrated = migrate(CASES["rbac"])
    staging = _by(m.objects("staging"), "ClusterRoleBinding")
    assert sorted(staging) == ["jobs-node-agent-staging", "jobs-scheduler-nodes-staging"]
    copy = staging["jobs-scheduler-nodes-staging"]
    assert copy["subjects"] == [{"kind": "ServiceAccount", "name": "scheduler", "namespace": "jobs-staging"}]
    assert copy["roleRef"] == {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "jobs-scheduler-nodes"}
    production = {key(o) for o in m.objects("production") if o["kind"] in ("ClusterRoleBinding", "ClusterRole")}
    assert ("ClusterRoleBinding", "", "jobs-scheduler-nodes") in production
    assert not any(k[0] == "ClusterRole" for k in map(key, m.objects("staging"))), "the ClusterRole itself stays once"


def test_a_node_agent_with_a_cluster_role_is_a_warning(migrate) -> None:
    m: Migrated = migrate(CASES["rbac"])
    plan = (m.repo / "MIGRATION.md").read_text(encoding="utf-8")
    assert "**cluster-wide-agent**" in plan and "DaemonSet/node-agent" in plan and "jobs-node-agent" in plan
    assert "DaemonSet/scheduler" not in plan
    assert "**rbac-own-bindings**" in plan
