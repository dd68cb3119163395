"""Per-environment differences as a user writes them in the answers, checked in the real kustomize build."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import yaml
from kube import FIXTURES, build, tree_bytes

from wizard.cli import main


def _migrate(tmp_path: Path, fixture: str, edit: Any, capsys) -> tuple[int, Path, str]:
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURES / fixture / "manifests", repo / "manifests")
    answers = yaml.safe_load((FIXTURES / fixture / "answers.yaml").read_text(encoding="utf-8"))
    edit(answers)
    path = tmp_path / "answers.yaml"
    path.write_text(yaml.safe_dump(answers, sort_keys=False), encoding="utf-8")
    code = main(["apply", "--answers", str(path), "--repo", str(repo), "--yes"])
    captured = capsys.readouterr()
    return code, repo, captured.out + captured.err


def _objects(repo: Path, env: str, output: str = "k8s") -> dict[tuple[str, str], dict[str, Any]]:
    objects, stderr = build(repo / output / "overlays" / env)
    assert stderr == ""
    return {(o["kind"], o["metadata"]["name"]): o for o in objects}


def test_adopted_images_are_retagged_under_their_new_name(tmp_path: Path, capsys) -> None:
    code, repo, _ = _migrate(tmp_path, "kustomization-adopt", lambda a: None, capsys)
    assert code == 0
    staging = _objects(repo, "staging")
    images = {
        c["image"]
        for (kind, _), o in staging.items()
        if kind == "Deployment"
        for c in o["spec"]["template"]["spec"]["containers"]
    }
    assert images == {"ghcr.io/acme/billing-api:2.4.0-beta.2", "ghcr.io/acme/billing-worker:2.4.0-beta.2"}
    production = _objects(repo, "production")
    images = {
        c["image"]
        for (kind, _), o in production.items()
        if kind == "Deployment"
        for c in o["spec"]["template"]["spec"]["containers"]
    }
    assert images == {"ghcr.io/acme/billing-api:2.3.1", "ghcr.io/acme/billing-worker:2.3.1"}


def test_external_database_removes_the_workload_and_its_service_from_that_environment(tmp_path: Path, capsys) -> None:
    def edit(a: dict[str, Any]) -> None:
        a["environments"][0]["services"] = {"postgres": "external"}

    code, repo, _ = _migrate(tmp_path, "plain-folder", edit, capsys)
    assert code == 0
    staging = _objects(repo, "staging")
    assert ("StatefulSet", "postgres") not in staging and ("Service", "postgres") not in staging
    assert ("Deployment", "shop-web") in staging
    production = _objects(repo, "production")
    assert ("StatefulSet", "postgres") in production and ("Service", "postgres") in production


def test_per_workload_resources_replicas_and_host_mapping(tmp_path: Path, capsys) -> None:
    def edit(a: dict[str, Any]) -> None:
        staging = a["environments"][0]
        staging["resources"] = {"shop-web": {"requests": {"cpu": "250m"}, "limits": {"memory": "1Gi"}}}
        staging["replicas"] = {"shop-web": 2, "postgres": 1}
        staging["host"] = {"shop.example.com": "shop.staging.example.net"}

    code, repo, _ = _migrate(tmp_path, "plain-folder", edit, capsys)
    assert code == 0
    staging = _objects(repo, "staging")
    web = staging[("Deployment", "shop-web")]
    assert web["spec"]["replicas"] == 2
    resources = web["spec"]["template"]["spec"]["containers"][0]["resources"]
    assert resources["requests"]["cpu"] == "250m" and resources["limits"]["memory"] == "1Gi"
    production = _objects(repo, "production")
    db = production[("StatefulSet", "postgres")]["spec"]["template"]["spec"]["containers"][0]
    assert staging[("StatefulSet", "postgres")]["spec"]["template"]["spec"]["containers"][0].get("resources") == db.get(
        "resources"
    )
    hosts = [r["host"] for r in staging[("Ingress", "shop-web")]["spec"]["rules"]]
    assert hosts == ["shop.staging.example.net"]


def test_unknown_workload_is_a_clear_error_and_nothing_is_written(tmp_path: Path, capsys) -> None:
    def edit(a: dict[str, Any]) -> None:
        a["environments"][0]["replicas"] = {"shop-api": 2}

    repo = tmp_path / "repo"
    code, repo, output = _migrate(tmp_path, "plain-folder", edit, capsys)
    assert code == 2
    assert "environments[0].replicas.shop-api" in output and "shop-web" in output
    assert set(tree_bytes(repo)) == {p for p in tree_bytes(repo) if p.startswith("manifests/")}


def test_flat_config_with_several_configmaps_asks_for_the_name(tmp_path: Path, capsys) -> None:
    def edit(a: dict[str, Any]) -> None:
        a["environments"][0]["config"] = {"LOG_LEVEL": "debug"}

    code, repo, output = _migrate(tmp_path, "kustomization-adopt", edit, capsys)
    # kustomization-adopt has exactly one ConfigMap (generated): a flat mapping targets it
    assert code == 0, output
    staging = _objects(repo, "staging")
    config = next(o for (kind, _), o in staging.items() if kind == "ConfigMap")
    assert config["data"]["LOG_LEVEL"] == "debug"


def test_current_environment_moving_namespace_moves_every_own_object_but_not_pinned_ones(tmp_path: Path, capsys) -> None:
    def edit(a: dict[str, Any]) -> None:
        a["environments"][1]["namespace"] = "shop-prod"

    code, repo, output = _migrate(tmp_path, "multidoc", edit, capsys)
    assert code == 0, output
    assert "namespace-moved" in output
    objects, stderr = build(repo / "deploy" / "overlays" / "production")
    assert stderr == ""
    namespaces = {(o["kind"], o["metadata"]["name"]): o["metadata"].get("namespace") for o in objects}
    assert namespaces[("ConfigMap", "tcp-services")] == "ingress-nginx"
    own = {k: ns for k, ns in namespaces.items() if ns and k != ("ConfigMap", "tcp-services")}
    assert own and set(own.values()) == {"shop-prod"}, own
