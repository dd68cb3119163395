"""`k8s-wizard diff ENV_A ENV_B`: the drift report, judged on real kustomize builds of migrated repos.

A fresh migration differs only where the answers say (exit 0); a hand edit to one overlay (an env var added
by a new patch, a value changed in a generated patch, a field of an object only one environment has) is
reported as unexplained with its file and field (exit 1); what is meant to differ (namespace, environment
label, a name prefix) is not reported; bad input exits 2; the JSON form is stable and holds no secret value.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import ALL_CASES, CANARY, Case, applied_copy, run_cli

PLAIN = next(c for c in ALL_CASES if c.id == "plain-folder")
JSON_KEYS = ["version", "environments", "overlays", "objects", "summary", "differences"]
DIFFERENCE_KEYS = ["object", "field", "a", "b", "only_in", "status", "reason", "answers", "files"]


def migrated_repo(case: Case, tmp_path: Path) -> Path:
    """The case applied (once in the run, see `applied_copy`), copied under tmp_path for the test to change."""
    return applied_copy(case, tmp_path)[0]


def drift(repo: Path, a: str, b: str, fmt: str = "json") -> tuple[int, dict[str, Any] | str]:
    result = run_cli("diff", a, b, "--repo", str(repo), "--format", fmt)
    assert result.code in (0, 1), result.describe()
    return result.code, (json.loads(result.out) if fmt == "json" else result.out)


def unexplained(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [d for d in report["differences"] if d["status"] == "unexplained"]


@pytest.mark.parametrize("case", ALL_CASES, ids=[c.id for c in ALL_CASES])
def test_fresh_migration_differs_only_where_the_answers_say(case: Case, tmp_path: Path) -> None:
    repo = migrated_repo(case, tmp_path)
    names = [e["name"] for e in case.envs]
    for a, b in zip(names, names[1:], strict=False):
        code, report = drift(repo, a, b)
        assert isinstance(report, dict)
        assert code == 0 and not unexplained(report), json.dumps(unexplained(report), indent=1)
        assert report["summary"]["unexplained"] == 0
        assert report["summary"]["differences"] == report["summary"]["from_answers"] == len(report["differences"])


def test_each_answer_is_named_as_the_reason(tmp_path: Path) -> None:
    repo = migrated_repo(PLAIN, tmp_path)
    _, report = drift(repo, "staging", "production")
    assert isinstance(report, dict)
    by_field = {(d["object"]["kind"], d["object"]["name"], d["field"]): d for d in report["differences"]}
    config = by_field[("ConfigMap", "shop-config", "data.LOG_LEVEL")]
    assert (config["a"], config["b"], config["reason"]) == ("debug", "info", "config")
    assert config["answers"] == ["environments[0].config"]
    host = by_field[("Ingress", "shop-web", "spec.rules[0].host")]
    assert (host["a"], host["b"], host["reason"]) == ("staging.shop.example.com", "shop.example.com", "hosts")
    image = by_field[("Deployment", "shop-web", "spec.template.spec.containers[web].image")]
    assert image["a"].endswith(":1.5.0-rc.1") and image["reason"] == "tags"
    cpu = by_field[("Deployment", "shop-web", "spec.template.spec.containers[web].resources.requests.cpu")]
    assert (cpu["a"], cpu["reason"]) == ("100m", "resources")
    hpa = by_field[("HorizontalPodAutoscaler", "shop-web", "")]
    assert (hpa["only_in"], hpa["reason"], hpa["answers"]) == ("b", "autoscaling", ["environments[1].autoscaling"])
    replicas = by_field[("Deployment", "shop-web", "spec.replicas")]
    assert (replicas["a"], replicas["only_in"], replicas["reason"]) == (1, "a", "autoscaling")
    # What is meant to differ is never reported: namespaces, the environment label.
    text = json.dumps(report)
    assert "shop-staging" not in text and '"environment"' not in text


def add_patch(overlay: Path, name: str, doc: dict[str, Any]) -> None:
    (overlay / "patches" / name).write_text(yaml.safe_dump(doc), encoding="utf-8")
    kustomization = yaml.safe_load((overlay / "kustomization.yaml").read_text(encoding="utf-8"))
    kustomization.setdefault("patches", []).append({"path": f"patches/{name}"})
    (overlay / "kustomization.yaml").write_text(yaml.safe_dump(kustomization, sort_keys=False), encoding="utf-8")


def test_hand_added_env_var_patch_is_unexplained_with_file_and_field(tmp_path: Path) -> None:
    repo = migrated_repo(PLAIN, tmp_path)
    overlay = repo / "k8s/overlays/staging"
    add_patch(overlay, "debug-env.yaml", {
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "shop-web"},
        "spec": {"template": {"spec": {"containers": [{"name": "web", "env": [{"name": "TRACE_SQL", "value": "on"}]}]}}},
    })
    code, report = drift(repo, "staging", "production")
    assert isinstance(report, dict)
    assert code == 1
    [edit] = unexplained(report)
    assert edit["object"] == {"kind": "Deployment", "name": "shop-web", "namespace": None}
    assert edit["field"] == "spec.template.spec.containers[web].env[TRACE_SQL]"
    assert (edit["a"], edit["b"], edit["only_in"]) == ({"name": "TRACE_SQL", "value": "on"}, None, "a")
    assert edit["files"] == ["k8s/overlays/staging/patches/debug-env.yaml", "k8s/overlays/staging/kustomization.yaml"]
    # The other way round, the same difference, from b's side.
    code, report = drift(repo, "production", "staging")
    assert isinstance(report, dict)
    assert code == 1 and [d["only_in"] for d in unexplained(report)] == ["b"]
    # Text and Markdown say the same.
    _, text = drift(repo, "staging", "production", "text")
    assert "UNEXPLAINED" in str(text) and "env[TRACE_SQL]" in str(text) and "patches/debug-env.yaml" in str(text)
    _, markdown = drift(repo, "staging", "production", "markdown")
    assert "### Unexplained" in str(markdown) and "`k8s/overlays/staging/patches/debug-env.yaml`" in str(markdown)


def test_edit_inside_a_generated_patch_and_an_env_only_object(tmp_path: Path) -> None:
    repo = migrated_repo(PLAIN, tmp_path)
    config = repo / "k8s/overlays/staging/patches/configmap.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("LOG_LEVEL: debug", "LOG_LEVEL: trace"), encoding="utf-8")
    hpa = repo / "k8s/overlays/production/hpa-shop-web.yaml"
    hpa.write_text(hpa.read_text(encoding="utf-8").replace("maxReplicas: 10", "maxReplicas: 12"), encoding="utf-8")
    code, report = drift(repo, "staging", "production")
    assert isinstance(report, dict)
    assert code == 1
    found = {(d["object"]["kind"], d["field"]): d for d in unexplained(report)}
    assert set(found) == {("ConfigMap", "data.LOG_LEVEL"), ("HorizontalPodAutoscaler", "spec.maxReplicas")}
    assert found[("ConfigMap", "data.LOG_LEVEL")]["files"] == ["k8s/overlays/staging/patches/configmap.yaml"]
    assert (found[("ConfigMap", "data.LOG_LEVEL")]["a"], found[("ConfigMap", "data.LOG_LEVEL")]["b"]) == ("trace", "info")
    assert found[("HorizontalPodAutoscaler", "spec.maxReplicas")]["files"] == ["k8s/overlays/production/hpa-shop-web.yaml"]
    assert found[("HorizontalPodAutoscaler", "spec.maxReplicas")]["b"] == 12
    # The HPA itself is still production's by the answers.
    assert any(d["object"]["kind"] == "HorizontalPodAutoscaler" and d["field"] == "" and d["status"] == "from-answers"
               for d in report["differences"])


def test_two_edited_files_are_told_apart(tmp_path: Path) -> None:
    repo = migrated_repo(PLAIN, tmp_path)
    overlay = repo / "k8s/overlays/staging"
    config = overlay / "patches/configmap.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("LOG_LEVEL: debug", "LOG_LEVEL: trace"), encoding="utf-8")
    ingress = overlay / "patches/ingress.yaml"
    ingress.write_text(ingress.read_text(encoding="utf-8").replace("staging.shop.example.com", "qa.shop.example.com"),
                       encoding="utf-8")
    _, report = drift(repo, "staging", "production")
    assert isinstance(report, dict)
    files = {d["field"]: d["files"] for d in unexplained(report)}
    assert files["data.LOG_LEVEL"] == ["k8s/overlays/staging/patches/configmap.yaml"]
    assert files["spec.rules[0].host"] == ["k8s/overlays/staging/patches/ingress.yaml"]


def test_a_promoted_image_tag_is_explained(tmp_path: Path) -> None:
    repo = migrated_repo(PLAIN, tmp_path)
    kustomization = repo / "k8s/overlays/staging/kustomization.yaml"
    kustomization.write_text(kustomization.read_text(encoding="utf-8").replace("1.5.0-rc.1", "1.5.0"), encoding="utf-8")
    code, report = drift(repo, "staging", "production")
    assert isinstance(report, dict)
    assert code == 0
    images = [d for d in report["differences"] if d["field"].endswith(".image")]
    assert images and all(d["a"].endswith(":1.5.0") and d["reason"] == "tags" for d in images)


def test_name_prefix_and_namespace_are_not_differences(tmp_path: Path) -> None:
    repo = migrated_repo(PLAIN, tmp_path)
    _, before = drift(repo, "staging", "production")
    kustomization = repo / "k8s/overlays/staging/kustomization.yaml"
    doc = yaml.safe_load(kustomization.read_text(encoding="utf-8"))
    doc["namePrefix"] = "stg-"
    kustomization.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    code, after = drift(repo, "staging", "production")
    assert isinstance(before, dict) and isinstance(after, dict)
    assert code == 0 and after["differences"] == before["differences"]


def test_json_is_stable_and_documented(tmp_path: Path) -> None:
    repo = migrated_repo(PLAIN, tmp_path)
    first = run_cli("diff", "staging", "production", "--repo", str(repo), "--format", "json")
    second = run_cli("diff", "staging", "production", "--repo", str(repo), "--format", "json")
    assert first.out == second.out
    report = json.loads(first.out)
    assert list(report) == JSON_KEYS
    assert report["environments"] == {"a": "staging", "b": "production"}
    assert all(list(d) == DIFFERENCE_KEYS for d in report["differences"])
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    for key in [*JSON_KEYS, *DIFFERENCE_KEYS, "from-answers", "unexplained"]:
        assert f"`{key}`" in readme, f"README does not document the JSON key {key!r}"


def test_secret_values_never_reach_the_report(tmp_path: Path) -> None:
    repo = migrated_repo(PLAIN, tmp_path)
    overlay = repo / "k8s/overlays/staging"
    (overlay / "debug-secret.yaml").write_text(yaml.safe_dump({
        "apiVersion": "v1", "kind": "Secret", "metadata": {"name": "debug"}, "stringData": {"TOKEN": CANARY},
    }), encoding="utf-8")
    doc = yaml.safe_load((overlay / "kustomization.yaml").read_text(encoding="utf-8"))
    doc["resources"].append("debug-secret.yaml")
    (overlay / "kustomization.yaml").write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    for fmt in ("text", "markdown", "json"):
        result = run_cli("diff", "staging", "production", "--repo", str(repo), "--format", fmt)
        assert result.code == 1, result.describe()
        assert CANARY not in result.text and "Secret/debug" in result.text.replace('"kind": "Secret",\n', "Secret/debug")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["staging", "qa"], "no environment 'qa'"),
        (["staging", "staging"], "two different environments"),
    ],
)
def test_bad_input_exits_2(argv: list[str], message: str, tmp_path: Path) -> None:
    repo = migrated_repo(PLAIN, tmp_path)
    result = run_cli("diff", *argv, "--repo", str(repo))
    assert result.code == 2 and message in result.err, result.describe()


def test_without_answers_or_overlay_exits_2(tmp_path: Path) -> None:
    result = run_cli("diff", "staging", "production", "--repo", str(tmp_path))
    assert result.code == 2 and "answers file not found" in result.err, result.describe()
    repo = migrated_repo(PLAIN, tmp_path / "x")
    (repo / "k8s/overlays/staging/kustomization.yaml").unlink()
    result = run_cli("diff", "staging", "production", "--repo", str(repo))
    assert result.code == 2 and "k8s/overlays/staging/kustomization.yaml not found" in result.err, result.describe()
