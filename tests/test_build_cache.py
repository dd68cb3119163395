"""validate and the preview's build check: parallel builds sized to the machine, each overlay's result as
it finishes, and a build reused when none of the files kustomize reads for it changed (wizard.core.buildcache).

Everything runs the real kustomize on real folders; the cache lives in a temporary XDG_CACHE_HOME.
"""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

import pytest
import yaml
from conftest import ALL_CASES, apply, make_repo, run_cli

from wizard.core import buildcache
from wizard.core.kustomize import GOGC, Build, build_all, build_workers, kustomize_command, kustomize_env

CANARY = "canary-s3cr3t-value-7f3a"


@pytest.fixture(autouse=True)
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "cache-home"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    monkeypatch.delenv("K8S_WIZARD_BUILD_CACHE", raising=False)
    return home


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")


def _layout(root: Path) -> None:
    """k8s/base (a Deployment and a Secret with a canary value), overlays a and b; only a reads k8s/shared."""
    _write(root, {
        "k8s/base/kustomization.yaml": "resources: [deploy.yaml, secret.yaml]\n",
        "k8s/base/deploy.yaml": (
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {app: web}}\n"
            "  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: web, image: nginx:1.27}]}\n"
        ),
        "k8s/base/secret.yaml": f"apiVersion: v1\nkind: Secret\nmetadata: {{name: db}}\nstringData: {{PASSWORD: {CANARY}}}\n",
        "k8s/shared/kustomization.yaml": "configMapGenerator:\n- name: app\n  files: [settings=app.properties]\n",
        "k8s/shared/app.properties": "color=blue\n",
        "k8s/overlays/a/kustomization.yaml": "namespace: a\nresources: [../../base, ../../shared]\n",
        "k8s/overlays/b/kustomization.yaml": "namespace: b\nresources: [../../base]\n",
    })


def _run(root: Path) -> dict[str, Build]:
    return {b.path: b for b in build_all(root, "k8s")}


def test_unchanged_inputs_are_reused_and_any_input_change_rebuilds(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    _layout(root)
    first = _run(root)
    assert all(b.ok and not b.reused for b in first.values())
    second = _run(root)
    assert all(b.reused for b in second.values()), "nothing changed: both builds are reused"
    assert {p: len(b.objects) for p, b in second.items()} == {p: len(b.objects) for p, b in first.items()}
    assert {(o["kind"], o["metadata"]["name"]) for o in second["k8s/overlays/a"].objects} == {
        (o["kind"], o["metadata"]["name"]) for o in first["k8s/overlays/a"].objects
    }

    # A file outside the overlay that only a reads (through k8s/shared's generator): a is rebuilt, b is not.
    (root / "k8s/shared/app.properties").write_text("color=green\n", encoding="utf-8")
    third = _run(root)
    assert not third["k8s/overlays/a"].reused and third["k8s/overlays/b"].reused

    # A base file: both are rebuilt. A file in one overlay: only that one.
    deploy = root / "k8s/base/deploy.yaml"
    deploy.write_text(deploy.read_text(encoding="utf-8").replace("nginx:1.27", "nginx:1.28"), encoding="utf-8")
    assert not any(b.reused for b in _run(root).values())
    (root / "k8s/overlays/b/notes.txt").write_text("a file kustomize does not read still counts\n", encoding="utf-8")
    fourth = _run(root)
    assert fourth["k8s/overlays/a"].reused and not fourth["k8s/overlays/b"].reused


def test_a_failed_build_is_never_reused(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    _layout(root)
    broken = root / "k8s/overlays/b/kustomization.yaml"
    broken.write_text("namespace: b\nresources: [../../base, missing.yaml]\n", encoding="utf-8")
    assert not _run(root)["k8s/overlays/b"].ok
    again = _run(root)["k8s/overlays/b"]
    assert not again.ok and not again.reused and again.stderr


def test_the_cache_holds_no_secret_value(tmp_path: Path, cache_home: Path) -> None:
    root = tmp_path / "repo"
    _layout(root)
    builds = _run(root)
    assert any(o["kind"] == "Secret" for o in builds["k8s/overlays/a"].objects)
    entries = list(cache_home.rglob("*.json"))
    assert len(entries) == 2
    text = "".join(p.read_text(encoding="utf-8") for p in entries)
    assert CANARY not in text and base64.b64encode(CANARY.encode()).decode() not in text
    assert "color=blue" not in text  # nor a ConfigMap's values
    for entry in entries:
        for obj in json.loads(entry.read_text(encoding="utf-8"))["objects"]:
            assert set(obj) <= {"apiVersion", "kind", "metadata", "spec"}
    assert not (root / ".k8s-wizard").exists(), "the cache lives outside the repository"


def test_remote_resources_are_not_keyed(tmp_path: Path) -> None:
    root = tmp_path / "k"
    _write(root, {"kustomization.yaml": "resources: [https://github.com/acme/app//deploy?ref=v1]\n"})
    assert buildcache.build_key(root, kustomize_command()) is None


def test_cache_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cache_home: Path) -> None:
    monkeypatch.setenv("K8S_WIZARD_BUILD_CACHE", "off")
    root = tmp_path / "repo"
    _layout(root)
    _run(root)
    assert not any(b.reused for b in _run(root).values()) and not cache_home.exists()


def test_kustomize_runs_with_a_lazier_gc_unless_the_environment_sets_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GOGC", raising=False)
    monkeypatch.delenv("GOMEMLIMIT", raising=False)
    env = kustomize_env()
    assert env is not None and env["GOGC"] == GOGC and env["PATH"] == os.environ["PATH"]
    for name, value in (("GOGC", "50"), ("GOMEMLIMIT", "512MiB")):
        monkeypatch.setenv(name, value)
        assert kustomize_env() is None  # the person's own setting wins: the environment is passed on as it is
        monkeypatch.delenv(name)


def test_parallelism_is_sized_to_the_cores() -> None:
    assert build_workers(5) == min(5, len(os.sched_getaffinity(0)))
    assert build_workers(1) == 1


def test_validate_prints_each_overlay_as_it_finishes_and_reuses_unchanged_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = next(c for c in ALL_CASES if c.id == "plain-folder")
    repo, answers_file = make_repo(case, tmp_path)
    result = apply(repo, answers_file)
    assert result.code == 0, result.describe()
    envs = [e["name"] for e in case.envs]
    # apply's build check built the overlays in a temporary copy: validate on the repository reuses them.
    after_apply = run_cli("validate", "--repo", str(repo))
    assert after_apply.code == 0 and after_apply.out.count("inputs unchanged, not rebuilt") == len(envs), after_apply.out

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "fresh-cache"))
    first = run_cli("validate", "--repo", str(repo))
    assert first.code == 0, first.describe()
    lines = [line for line in first.out.splitlines() if "k8s/overlays/" in line]
    assert sorted(line.split()[1] for line in lines) == sorted(f"k8s/overlays/{e}" for e in envs)
    assert all(line.startswith("ok ") and line.endswith(" s)") for line in lines), first.out
    second = run_cli("validate", "--repo", str(repo))
    assert second.code == 0 and second.out.count("inputs unchanged, not rebuilt") == len(envs), second.out

    # An edit to one overlay: that overlay is built again, and its error reported; the other is reused.
    staging = repo / "k8s/overlays/staging/kustomization.yaml"
    doc = yaml.safe_load(staging.read_text(encoding="utf-8"))
    doc["resources"].append("missing.yaml")
    staging.write_text(yaml.safe_dump(doc), encoding="utf-8")
    third = run_cli("validate", "--repo", str(repo))
    assert third.code == 1 and "FAILED k8s/overlays/staging" in third.out, third.out
    assert third.out.count("inputs unchanged, not rebuilt") == len(envs) - 1
