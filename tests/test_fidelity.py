"""Fidelity on shapes real repositories have (issue 9): the real kustomize judges every fixture."""

from __future__ import annotations

from conftest import Migrated
from fidelity import addresses_of, current_env_differences, foreign_bindings


def test_current_env_keeps_every_field_of_every_object(migrated_source: Migrated) -> None:
    """Complete objects: spec, data, rules, subjects, metadata; only what the answers ask may differ."""
    m = migrated_source
    assert m.case.current is not None
    problems = current_env_differences(m.today(), m.objects(m.case.current["name"]), m.case.current)
    assert not problems, f"{m.case.id}: the current environment's build changes what runs today:\n" + "\n".join(problems)


def test_the_comparison_reports_a_changed_field_and_a_lost_object() -> None:
    """The helper itself: a changed volume, a dropped subject, a lost object are each reported by path."""
    today = [
        {"kind": "Deployment", "metadata": {"name": "a", "namespace": "ns"},
         "spec": {"template": {"spec": {"volumes": [{"name": "v", "secret": {"secretName": "s-7k9g2"}}]}}}},
        {"kind": "RoleBinding", "metadata": {"name": "rb", "namespace": "ns"},
         "subjects": [{"kind": "ServiceAccount", "name": "a", "namespace": "ns"}]},
        {"kind": "ConfigMap", "metadata": {"name": "c", "namespace": "ingress-nginx"}, "data": {"k": "v"}},
    ]
    built = [
        {"kind": "Deployment", "metadata": {"name": "a", "namespace": "ns", "labels": {"environment": "production"}},
         "spec": {"template": {"spec": {"volumes": [{"name": "v", "secret": {"secretName": "s"}}]}}}},
        {"kind": "RoleBinding", "metadata": {"name": "rb", "namespace": "ns"}, "subjects": []},
    ]
    problems = current_env_differences(today, built, {"name": "production"})
    assert problems == [
        "Deployment/ns/a: spec.template.spec.volumes[0].secret.secretName: today 's-7k9g2', built 's'",
        "RoleBinding/ns/rb: subjects: today [{'kind': 'ServiceAccount', 'name': 'a', 'namespace': 'ns'}], built []",
        "ConfigMap/ingress-nginx/c: missing from the build",
    ]
    assert current_env_differences(today[:2], today[:2], {"name": "production"}) == []


def test_new_environments_bind_their_own_service_accounts(migrated_source: Migrated) -> None:
    m = migrated_source
    today = m.case.current.get("namespace") or m.case.current["name"]
    for env in m.case.envs:
        if env.get("current"):
            continue
        wrong = foreign_bindings(m.objects(env["name"]), today)
        assert not wrong, f"{m.case.id} {env['name']}: {wrong}"


def test_new_environments_address_their_own_namespace(migrated_source: Migrated) -> None:
    m = migrated_source
    today = m.case.current.get("namespace") or m.case.current["name"]
    for env in m.case.envs:
        if env.get("current"):
            continue
        left = addresses_of(m.objects(env["name"]), today)
        assert not left, f"{m.case.id} {env['name']} still addresses today's namespace: {left}"
