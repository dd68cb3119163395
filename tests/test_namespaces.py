"""Issue 9 items 1, 2 and 7: today's namespace, the source's Namespace object, namespaces that exist before the app.

Every overlay is built with the real kustomize; the apps are our fixtures tests/fixtures/namespace-object and
tests/fixtures/default-namespace (and the full-object comparison in test_fidelity.py covers both).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml
from conftest import ALL_CASES, Migrated, applied_copy, apply, make_repo, run_cli
from kube import FIXTURES, key, tree_bytes, tree_diff

from wizard.core.pipeline import facts

CASES = {c.id: c for c in ALL_CASES}


def test_source_namespace_object_builds_and_new_envs_inherit_its_rules(migrate) -> None:
    m: Migrated = migrate(CASES["namespace-object"])
    production = m.objects("production")
    namespaces = [o for o in production if o["kind"] == "Namespace"]
    assert [key(o) for o in namespaces] == [("Namespace", "", "shop")], "today's Namespace object exactly once"
    assert namespaces[0]["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    assert not (m.overlay("production") / "namespace.yaml").exists(), "today's namespace exists: nothing to create"
    staging_ns = [o for o in m.objects("staging") if o["kind"] == "Namespace"]
    assert [key(o) for o in staging_ns] == [("Namespace", "", "shop-staging")]
    labels = staging_ns[0]["metadata"]["labels"]
    assert labels["pod-security.kubernetes.io/enforce"] == "restricted" and labels["team"] == "checkout"


def test_unnamespaced_objects_count_where_they_are_applied_and_a_pinned_one_never_moves(migrate) -> None:
    m: Migrated = migrate(CASES["default-namespace"])
    production = {key(o) for o in m.objects("production")}
    assert ("ConfigMap", "ingress-nginx", "tcp-services") in production, "the pinned ConfigMap stays where it is"
    assert ("Deployment", "default", "notes") in production
    assert not any(k[0] == "Namespace" for k in production), "`default` exists before the app: no Namespace object"
    staging = {key(o) for o in m.objects("staging")}
    assert ("Deployment", "notes-staging", "notes") in staging
    assert not any(k[2] == "tcp-services" for k in staging), "the ingress controller's ConfigMap is not copied"


def test_today_namespace_of_unnamespaced_manifests_is_default(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "default-namespace" / "manifests", tmp_path / "manifests")
    found = facts(tmp_path, "manifests")
    assert found["namespace"] is None and found["namespaces"] == [], "no namespace set: the interview proposes `default`"
    answers = yaml.safe_load((FIXTURES / "default-namespace" / "answers.yaml").read_text(encoding="utf-8"))
    del answers["environments"][1]["namespace"]
    (tmp_path / "answers.yaml").write_text(yaml.safe_dump(answers), encoding="utf-8")
    result = run_cli("plan", "--repo", str(tmp_path), "--answers", str(tmp_path / "answers.yaml"), "--format", "json")
    assert result.code == 0, result.describe()
    assert "Flux creates namespace notes-staging" in result.out
    assert "namespace default" in result.out and "namespace production" not in result.out


def test_no_namespace_object_for_a_namespace_that_exists_before_the_app(tmp_path: Path) -> None:
    case = CASES["default-namespace"]
    answers = yaml.safe_load(yaml.safe_dump(case.answers))
    answers["environments"][0]["namespace"] = "kube-public"
    repo, answers_file = make_repo(case, tmp_path, answers)
    result = apply(repo, answers_file)
    assert result.code == 0, result.describe()
    assert not (repo / "k8s/overlays/staging/namespace.yaml").exists()
    assert not (repo / "k8s/overlays/production/namespace.yaml").exists()


def _break_production_overlay(repo: Path) -> None:
    """A hand edit that a re-run keeps (three-way merge) and that kustomize cannot build."""
    path = repo / "k8s/overlays/production/kustomization.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("  - ../../base\n", "  - ../../base\n  - gone.yaml\n"), "utf-8")


def test_apply_refuses_to_write_an_overlay_that_does_not_build(tmp_path: Path) -> None:
    case = CASES["namespace-object"]
    repo, answers_file, _ = applied_copy(case, tmp_path)
    _break_production_overlay(repo)
    answers = yaml.safe_load(answers_file.read_text(encoding="utf-8"))
    answers["environments"][0]["replicas"] = 2
    answers_file.write_text(yaml.safe_dump(answers), encoding="utf-8")
    before = tree_bytes(repo)
    result = apply(repo, answers_file)
    assert result.code == 1, result.describe()
    assert "would not build" in result.text and "gone.yaml" in result.text
    assert tree_diff(before, tree_bytes(repo)) == [], "nothing may be written"
    dry = run_cli("apply", "--answers", str(answers_file), "--repo", str(repo), "--dry-run", "--build")
    assert dry.code == 1 and "would not build" in dry.text and tree_diff(before, tree_bytes(repo)) == []
    quick = run_cli("apply", "--answers", str(answers_file), "--repo", str(repo), "--dry-run")
    assert quick.code == 0 and "build check skipped in a dry run" in quick.out, quick.describe()
    assert tree_diff(before, tree_bytes(repo)) == []


def test_add_env_refuses_to_write_an_overlay_that_does_not_build(tmp_path: Path) -> None:
    case = CASES["namespace-object"]
    repo = applied_copy(case, tmp_path)[0]
    _break_production_overlay(repo)
    before = tree_bytes(repo)
    result = run_cli("add-env", "qa", "--repo", str(repo), "--namespace", "shop-qa", "--yes")
    assert result.code == 1, result.describe()
    assert "would not build" in result.text
    assert tree_diff(before, tree_bytes(repo)) == []
