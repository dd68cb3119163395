"""The resolve stage (issue 8) and issue 9 items 10/11, judged by the real `kubectl kustomize` build.

Each test writes an answers file, runs `k8s-wizard apply --yes` (or expects exit 2 with the answers key
path, nothing written), builds every overlay with the real kustomize and checks what a user would see in the
cluster: a container's effective env, resources, image, the replicas or HPA, the Ingress host.
"""

from __future__ import annotations

import copy
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import ALL_CASES, RunResult, apply, make_repo
from kube import FIXTURES, REAL_FIXTURES, build

from wizard.core.answers.parse import Resources, parse_answers

CASES = {c.id: c for c in ALL_CASES}

# The design document's example (tests/fixtures/design-example): a new app, two environments that differ.
DESIGN_EXAMPLE: dict[str, Any] = yaml.safe_load((FIXTURES / "design-example" / "answers.yaml").read_text(encoding="utf-8"))

EXPECTED = {
    "staging": {
        "env": {"APP_NAME": "my-service", "LOG_LEVEL": "debug"},
        "requests": {"cpu": "100m", "memory": "128Mi"},
        "limits": {"cpu": "200m", "memory": "256Mi"},
        "image": "ghcr.io/acme/my-service:1.1.0-rc.2",
        "replicas": 2,
        "hpa": None,
        "host": "staging.my-service.example.com",
    },
    "production": {
        "env": {"APP_NAME": "my-service", "LOG_LEVEL": "info"},
        "requests": {"cpu": "250m", "memory": "512Mi"},
        "limits": {"cpu": "500m", "memory": "1Gi"},
        "image": "ghcr.io/acme/my-service:v1.1.0",
        "replicas": None,
        "hpa": (5, 20, 70),
        "host": "my-service.example.com",
    },
}


def _new_repo(tmp_path: Path, answers: dict[str, Any]) -> tuple[Path, Path]:
    repo = tmp_path / "repo"
    repo.mkdir()
    answers_file = tmp_path / "answers.yaml"
    answers_file.write_text(yaml.safe_dump(answers, sort_keys=False), encoding="utf-8")
    return repo, answers_file


def _objects(repo: Path, env: str) -> dict[tuple[str, str], dict[str, Any]]:
    objects, stderr = build(repo / "k8s" / "overlays" / env)
    assert stderr == "", stderr
    return {(o["kind"], o["metadata"]["name"]): o for o in objects}


def _effective_env(objects: dict[tuple[str, str], dict[str, Any]], container: dict[str, Any]) -> dict[str, str]:
    """What the container sees from ConfigMaps: envFrom first, then `env` entries on top (env wins)."""
    env: dict[str, str] = {}
    for source in container.get("envFrom") or []:
        ref = source.get("configMapRef")
        if ref:
            env.update(objects[("ConfigMap", ref["name"])].get("data") or {})
    for entry in container.get("env") or []:
        if "value" in entry:
            env[entry["name"]] = entry["value"]
    return env


def _assert_ok(result: RunResult) -> None:
    assert result.code == 0, result.describe()


def _assert_refused(result: RunResult, repo: Path, key_path: str) -> None:
    assert result.code == 2, result.describe()
    assert key_path in result.err, result.describe()
    assert "Traceback" not in result.text
    assert not repo.exists() or not any(repo.iterdir()), f"something was written: {sorted(p.name for p in repo.iterdir())}"


def test_design_example_builds_exactly_the_answers_per_environment(tmp_path: Path) -> None:
    repo, answers_file = _new_repo(tmp_path, DESIGN_EXAMPLE)
    _assert_ok(apply(repo, answers_file))
    for env, want in EXPECTED.items():
        objects = _objects(repo, env)
        deployment = objects[("Deployment", "my-service")]
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        assert _effective_env(objects, container) == want["env"], env
        assert container["resources"] == {"requests": want["requests"], "limits": want["limits"]}, env
        assert container["image"] == want["image"], env
        assert deployment["spec"].get("replicas") == want["replicas"], env
        hpas = [o for (kind, _), o in objects.items() if kind == "HorizontalPodAutoscaler"]
        if want["hpa"] is None:
            assert hpas == [], env
        else:
            (hpa,) = hpas
            spec = hpa["spec"]
            assert spec["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "my-service"}
            metric = spec["metrics"][0]["resource"]
            assert (spec["minReplicas"], spec["maxReplicas"], metric["target"]["averageUtilization"]) == want["hpa"]
            assert metric["name"] == "cpu"
        ingresses = [o for (kind, _), o in objects.items() if kind == "Ingress"]
        assert [r["host"] for i in ingresses for r in i["spec"]["rules"]] == [want["host"]], env
        # The Secret the Deployment reads is created by the sealing steps, with exactly the three keys.
        secret_refs = [s["secretRef"]["name"] for s in container.get("envFrom") or [] if "secretRef" in s]
        assert secret_refs == ["my-service-secrets"]
        assert ("Secret", "my-service-secrets") not in objects  # no plaintext Secret is ever written
        script = (repo / "k8s" / "overlays" / env / "seal-secrets.sh").read_text(encoding="utf-8")
        assert "my-service-secrets" in script
        for key in ("DATABASE_URL", "API_KEY", "JWT_SECRET"):
            assert key in script, (env, key)
    plan = (repo / "MIGRATION.md").read_text(encoding="utf-8")
    for key in ("DATABASE_URL", "API_KEY", "JWT_SECRET"):
        assert key in plan
    assert "my-service-secrets" in plan


def test_new_app_with_an_external_service_it_does_not_run_is_refused_with_the_key_path(tmp_path: Path) -> None:
    answers = copy.deepcopy(DESIGN_EXAMPLE)
    answers["environments"][0]["services"] = {"db": "external"}
    repo, answers_file = _new_repo(tmp_path, answers)
    result = apply(repo, answers_file)
    _assert_refused(result, repo, "environments[0].services.db")
    assert "DATABASE_URL" in result.err  # what it could have named instead


def test_new_app_with_an_external_service_named_by_its_address_key_works(tmp_path: Path) -> None:
    answers = copy.deepcopy(DESIGN_EXAMPLE)
    answers["environments"][0]["services"] = {"DATABASE_URL": "external"}
    repo, answers_file = _new_repo(tmp_path, answers)
    _assert_ok(apply(repo, answers_file))
    objects = _objects(repo, "staging")
    assert ("Deployment", "my-service") in objects  # nothing of the app itself left the build
    plan = (repo / "MIGRATION.md").read_text(encoding="utf-8")
    line = next(line for line in plan.splitlines() if "external DATABASE_URL" in line and "external-service" in line)
    assert "nothing leaves its build" in line and "DATABASE_URL in Secret/my-service-secrets" in line
    assert "removed" not in line


def test_new_app_with_a_host_mapping_is_refused_with_the_key_path(tmp_path: Path) -> None:
    answers = copy.deepcopy(DESIGN_EXAMPLE)
    answers["environments"][1]["host"] = {"my-service.example.com": "www.my-service.example.com"}
    repo, answers_file = _new_repo(tmp_path, answers)
    _assert_refused(apply(repo, answers_file), repo, "environments[1].host")


# --- scanned apps ---------------------------------------------------------------------------------------------


def _scanned(tmp_path: Path, case_id: str, edit: Any) -> tuple[Path, Path]:
    case = CASES[case_id]
    answers = copy.deepcopy(case.answers)
    edit(answers)
    return make_repo(case, tmp_path, answers)


def _replicas(objects: dict[tuple[str, str], dict[str, Any]], kind: str, name: str) -> Any:
    return objects[(kind, name)]["spec"].get("replicas")


@pytest.mark.parametrize(
    ("key", "value", "path"),
    [
        ("replicas", {"nope": 2}, "environments[0].replicas.nope"),
        ("autoscaling", {"nope": {"min": 1, "max": 2}}, "environments[0].autoscaling.nope"),
        ("resources", {"nope": {"limits": {"cpu": "1"}}}, "environments[0].resources.nope"),
        ("config", {"nope-config": {"A": "b"}}, "environments[0].config.nope-config"),
        ("image_tag", {"ghcr.io/acme/nope": "1.0"}, "environments[0].image_tag.ghcr.io/acme/nope"),
        ("host", {"nope.example.com": "x.example.com"}, "environments[0].host.nope.example.com"),
        ("services", {"nope": "external"}, "environments[0].services.nope"),
    ],
)
def test_every_no_such_answer_is_refused_at_resolve_with_its_key_path(
    tmp_path: Path, key: str, value: Any, path: str
) -> None:
    def edit(a: dict[str, Any]) -> None:
        a["environments"][0][key] = value

    repo, answers_file = _scanned(tmp_path, "plain-folder", edit)
    before = sorted(p.relative_to(repo).as_posix() for p in repo.rglob("*"))
    result = apply(repo, answers_file)
    assert result.code == 2, result.describe()
    assert path in result.err and "Traceback" not in result.text, result.describe()
    assert sorted(p.relative_to(repo).as_posix() for p in repo.rglob("*")) == before


def test_one_replica_number_scales_stateless_deployments_only(tmp_path: Path) -> None:
    """Issue 9 item 10: StatefulSets keep their count unless named; the plan names each change."""

    def edit(a: dict[str, Any]) -> None:
        a["environments"][0]["replicas"] = 2
        a["environments"][1].pop("autoscaling")
        a["environments"][1]["replicas"] = 5

    repo, answers_file = _scanned(tmp_path, "plain-folder", edit)
    _assert_ok(apply(repo, answers_file))
    staging, production = _objects(repo, "staging"), _objects(repo, "production")
    assert _replicas(staging, "Deployment", "shop-web") == 2
    assert _replicas(staging, "StatefulSet", "postgres") == 1  # today's count
    assert _replicas(production, "Deployment", "shop-web") == 5
    assert _replicas(production, "StatefulSet", "postgres") == 1
    plan = (repo / "MIGRATION.md").read_text(encoding="utf-8")
    assert "Deployment/shop-web replicas 3 -> 5" in plan
    assert "replica count changes" not in plan  # never "no replica count changes" when there is one
    assert "StatefulSet/postgres replicas" not in plan


def test_a_statefulset_named_in_replicas_gets_its_count(tmp_path: Path) -> None:
    def edit(a: dict[str, Any]) -> None:
        a["environments"][0]["replicas"] = {"postgres": 2, "shop-web": 1}

    repo, answers_file = _scanned(tmp_path, "plain-folder", edit)
    _assert_ok(apply(repo, answers_file))
    staging = _objects(repo, "staging")
    assert _replicas(staging, "StatefulSet", "postgres") == 2
    assert _replicas(staging, "Deployment", "shop-web") == 1


def test_the_current_environment_keeps_todays_counts_and_the_plan_says_so(tmp_path: Path) -> None:
    repo, answers_file = _scanned(tmp_path, "plaintext-secret", lambda a: None)
    _assert_ok(apply(repo, answers_file))
    assert _replicas(_objects(repo, "production"), "Deployment", "payments") == 2
    plan = (repo / "MIGRATION.md").read_text(encoding="utf-8")
    assert "no selector, pod template, image or replica count changes" in plan


@pytest.mark.skipif(not (REAL_FIXTURES / "example-voting-app").is_dir(), reason="real fixtures not present")
def test_one_replica_number_leaves_single_instance_backing_services_alone_on_a_real_repo(tmp_path: Path) -> None:
    def edit(a: dict[str, Any]) -> None:
        a["environments"][1]["replicas"] = 3

    repo, answers_file = _scanned(tmp_path, "real-example-voting-app", edit)
    _assert_ok(apply(repo, answers_file))
    production = _objects(repo, "production")
    assert {n: _replicas(production, "Deployment", n) for n in ("vote", "result", "worker")} == dict.fromkeys(
        ("vote", "result", "worker"), 3
    )
    source = REAL_FIXTURES / "example-voting-app"
    for name in ("db", "redis"):  # postgres and redis in Deployments, one instance each today
        today = yaml.safe_load((source / f"{name}-deployment.yaml").read_text(encoding="utf-8"))["spec"].get("replicas")
        assert _replicas(production, "Deployment", name) == today
    plan = (repo / "MIGRATION.md").read_text(encoding="utf-8")
    assert "Deployment/db replicas" not in plan and "Deployment/vote replicas" in plan


def test_external_service_leaves_the_build_and_the_plan_names_the_address_keys(tmp_path: Path) -> None:
    """Issue 9 item 11: the workload and its Service leave the build; the plan names each key to fill."""

    def edit(a: dict[str, Any]) -> None:
        a["environments"][0]["services"] = {"postgres": "external"}

    repo, answers_file = _scanned(tmp_path, "plain-folder", edit)
    _assert_ok(apply(repo, answers_file))
    staging, production = _objects(repo, "staging"), _objects(repo, "production")
    assert ("StatefulSet", "postgres") not in staging and ("Service", "postgres") not in staging
    assert ("StatefulSet", "postgres") in production and ("Service", "postgres") in production
    plan = (repo / "MIGRATION.md").read_text(encoding="utf-8")
    finding = next(line for line in plan.splitlines() if "**external-service**" in line)
    assert "StatefulSet/postgres, Service/postgres leave its build" in finding
    assert "DATABASE_HOST in Deployment/shop-web container web" in finding
    assert "Point staging at the external postgres" in plan
    # Every object the plan says leaves the build is really absent from it.
    for ref in ("StatefulSet/postgres", "Service/postgres"):
        kind, name = ref.split("/")
        assert (kind, name) not in staging


def test_external_service_by_address_key_removes_nothing_and_says_so(tmp_path: Path) -> None:
    def edit(a: dict[str, Any]) -> None:
        a["environments"][0]["services"] = {"DB_HOST": "external"}

    repo, answers_file = _scanned(tmp_path, "plaintext-secret", edit)
    _assert_ok(apply(repo, answers_file))
    staging = _objects(repo, "staging")
    assert staging[("ConfigMap", "payments-config")]["data"]["DB_HOST"] == "payments-db.staging.internal"
    plan = (repo / "MIGRATION.md").read_text(encoding="utf-8")
    finding = next(line for line in plan.splitlines() if "**external-service**" in line)
    assert "nothing leaves its build" in finding and "removed" not in finding
    assert "set by environments[0].config" in finding  # the fixture's staging config fills DB_HOST


# --- the answers: no magic keys -------------------------------------------------------------------------------


def _parse(resources: Any) -> Any:
    data = {
        "app": "x",
        "source": "manifests",
        "environments": [{"name": "production", "current": True, "resources": resources}],
        "flux": {"url": "https://example.com/x.git"},
    }
    return parse_answers(data, "answers").environments[0].resources


def test_a_workload_called_limits_is_not_ambiguous() -> None:
    assert _parse({"limits": {"memory": "1Gi"}}) == Resources({}, {"memory": "1Gi"}, ("limits",))
    per = _parse({"limits": {"requests": {"cpu": "100m"}}, "api": {"limits": {"cpu": "1"}}})
    assert per == {"limits": Resources({"cpu": "100m"}, {}, ("requests",)), "api": Resources({}, {"cpu": "1"}, ("limits",))}


def test_per_workload_resources_for_a_workload_called_limits_reach_its_container(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURES / "plaintext-secret" / "manifests", repo / "manifests")
    deployment = repo / "manifests" / "deployment.yaml"
    deployment.write_text(deployment.read_text(encoding="utf-8").replace("name: payments\n", "name: limits\n", 1), "utf-8")
    answers = copy.deepcopy(CASES["plaintext-secret"].answers)
    answers["environments"][0]["resources"] = {"limits": {"requests": {"cpu": "300m"}}}
    answers_file = tmp_path / "answers.yaml"
    answers_file.write_text(yaml.safe_dump(answers, sort_keys=False), encoding="utf-8")
    _assert_ok(apply(repo, answers_file))
    container = _objects(repo, "staging")[("Deployment", "limits")]["spec"]["template"]["spec"]["containers"][0]
    assert container["resources"]["requests"]["cpu"] == "300m"


def test_a_per_workload_answer_for_a_workload_the_environment_does_not_run_is_refused(tmp_path: Path) -> None:
    def edit(a: dict[str, Any]) -> None:
        a["environments"][0]["services"] = {"postgres": "external"}
        a["environments"][0]["replicas"] = {"postgres": 2, "shop-web": 1}

    repo, answers_file = _scanned(tmp_path, "plain-folder", edit)
    _assert_refused(apply(repo, answers_file), repo / "k8s", "environments[0].replicas.postgres")


@pytest.mark.skipif(not (REAL_FIXTURES / "podinfo-kustomize").is_dir(), reason="real fixtures not present")
def test_a_removed_workload_takes_its_hpa_along_on_a_real_repo(tmp_path: Path) -> None:
    def edit(a: dict[str, Any]) -> None:
        a["environments"][0]["services"] = {"podinfo": "shared"}

    repo, answers_file = _scanned(tmp_path, "real-podinfo-kustomize", edit)
    _assert_ok(apply(repo, answers_file))
    staging, production = _objects(repo, "staging"), _objects(repo, "production")
    for kind in ("Deployment", "Service", "HorizontalPodAutoscaler"):
        assert (kind, "podinfo") not in staging, kind
        assert (kind, "podinfo") in production, kind
    plan = (repo / "MIGRATION.md").read_text(encoding="utf-8")
    finding = next(line for line in plan.splitlines() if "**external-service**" in line)
    assert "Deployment/podinfo, Service/podinfo, HorizontalPodAutoscaler/podinfo leave its build" in finding
    assert "podinfo.podinfo-kustomize.svc.cluster.local" in finding  # production's instance, in its namespace


def test_a_shared_service_is_reached_at_the_current_environments_instance(tmp_path: Path) -> None:
    """Issue 9 item 11, shared: the bare address `postgres` would name nothing in staging once postgres left its
    build; it points at production's Service by its full name, in both workloads that use it."""

    def edit(a: dict[str, Any]) -> None:
        a["environments"][0]["services"] = {"postgres": "shared"}

    repo, answers_file = _scanned(tmp_path, "plain-folder", edit)
    _assert_ok(apply(repo, answers_file))
    staging, production = _objects(repo, "staging"), _objects(repo, "production")
    assert ("StatefulSet", "postgres") not in staging and ("Service", "postgres") not in staging
    for kind, name in (("Deployment", "shop-web"), ("Job", "shop-migrate")):
        (container,) = staging[(kind, name)]["spec"]["template"]["spec"]["containers"]
        env = {e["name"]: e.get("value") for e in container["env"]}
        assert env["DATABASE_HOST"] == "postgres.shop.svc.cluster.local", (kind, name)
        (today,) = production[(kind, name)]["spec"]["template"]["spec"]["containers"]
        assert {e["name"]: e.get("value") for e in today["env"]}["DATABASE_HOST"] == "postgres"  # production unchanged
    plan = (repo / "MIGRATION.md").read_text(encoding="utf-8")
    finding = next(line for line in plan.splitlines() if "**external-service**" in line)
    assert "points at postgres.shop.svc.cluster.local in staging" in finding
