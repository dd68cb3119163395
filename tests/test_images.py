"""Many images: patches/images.yaml instead of one `images:` entry per image, and everything that reads the tags.

tests/fixtures/many-images (answers-builds.yaml) has eleven promotable images a patch reaches and one a custom
resource also runs. Everything runs for real: `k8s-wizard apply`, `kubectl kustomize` of each overlay, the
promotion workflow's script with bash, awk and git (yq and gh are stood in for: mikefarah yq is not installable
here, see the stand-in below), and `k8s-wizard diff` as the workflow runs it.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import Case, applied_copy, apply, make_repo
from kube import build
from test_built_objects import many_images_case

from wizard.core.kinds import image_name
from wizard.core.render.images import IMAGES_FILE, IMAGES_PATCH_THRESHOLD, container_lists

STUB_YQ = r"""#!{python}
# Stand-in for mikefarah yq, for the two expressions the promotion workflow runs on a kustomization.
import re, sys, yaml
expr, path = sys.argv[2], sys.argv[3]
doc = yaml.safe_load(open(path, encoding="utf-8"))
loaded = re.fullmatch(r'\.images = load\("(.+)"\)\.images', expr)
if loaded:
    doc["images"] = (yaml.safe_load(open(loaded.group(1), encoding="utf-8")) or {{}}).get("images")
elif expr == "del(.images | select(. == null))":
    if doc.get("images") is None:
        doc.pop("images", None)
else:
    sys.exit("stand-in yq: unexpected expression " + expr)
open(path, "w", encoding="utf-8").write(yaml.safe_dump(doc, sort_keys=False))
"""
from test_promote_workflow import STUB_GH  # noqa: E402  (records gh's arguments and the pull request body)


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout


def _migrated(tmp_path: Path, answers: dict[str, Any] | None = None) -> tuple[Path, Path]:
    """The many-images fixture applied under tmp_path (with its own answers: once in the run, then copied)."""
    case = many_images_case()
    if answers is None:
        repo, answers_file, _ = applied_copy(case, tmp_path)
        return repo, answers_file
    repo, answers_file = make_repo(case, tmp_path, answers)
    result = apply(repo, answers_file)
    assert result.code == 0, result.describe()
    return repo, answers_file


def _images_by_container(objects: list[dict[str, Any]]) -> dict[tuple[str, str, str, str], str]:
    """{(kind, name, list, container): image} of every container list anywhere in the built objects."""
    out = {}
    for obj in objects:
        for _, field, items in container_lists(obj):
            for c in items:
                out[(obj["kind"], obj["metadata"]["name"], field, c["name"])] = c["image"]
    return out


def _built_images(repo: Path, env: str) -> dict[tuple[str, str, str, str], str]:
    objects, stderr = build(repo / "k8s" / "overlays" / env)
    assert not stderr.strip(), stderr
    return _images_by_container(objects)


def _promote(repo: Path, tmp_path: Path, target: str, with_wizard: bool = True) -> subprocess.CompletedProcess[str]:
    """Run the promotion workflow's script for `target` in the repo (a git clone with a local origin)."""
    workflow = yaml.safe_load((repo / ".github/workflows/k8s-wizard-promote.yaml").read_text(encoding="utf-8"))
    promote = workflow["jobs"]["promote"]["steps"][-1]
    stubs = tmp_path / "bin"
    if not stubs.exists():
        stubs.mkdir()
        (stubs / "yq").write_text(STUB_YQ.format(python=sys.executable), encoding="utf-8")
        (stubs / "gh").write_text(STUB_GH, encoding="utf-8")
        for name in ("yq", "gh"):
            (stubs / name).chmod(0o755)
        origin = tmp_path / "origin.git"
        _git(tmp_path, "init", "-q", "--bare", str(origin))
        if not (repo / ".git").exists():
            _git(repo, "init", "-q")
        _git(repo, "add", "-A")
        _git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "migration")
        _git(repo, "remote", "add", "origin", str(origin))
    tools = [str(stubs), *(str(Path(shutil.which(t) or f"/usr/bin/{t}").parent) for t in ("git", "kubectl"))]
    if with_wizard:
        tools.insert(1, str(Path(sys.executable).parent))  # the venv's k8s-wizard, as the workflow installs it
    env = {
        **promote["env"],
        "TARGET": target,
        "PATH": ":".join([*tools, "/usr/bin", "/bin"]),
        "HOME": str(tmp_path),
        "RUNNER_TEMP": str(tmp_path),
        "GITHUB_RUN_ID": "7",
        "GITHUB_REF_NAME": "main",
        "GH_ARGS": str(tmp_path / "gh-args"),
        "GH_BODY": str(tmp_path / "gh-body"),
        "XDG_CACHE_HOME": os.environ.get("XDG_CACHE_HOME", str(tmp_path / "cache")),
    }
    return subprocess.run(["bash", "-c", promote["run"]], cwd=repo, env=env, capture_output=True, text=True, timeout=300)


def test_many_images_are_one_patch_file_and_a_custom_resource_keeps_its_entry(tmp_path: Path) -> None:
    repo, _ = _migrated(tmp_path)
    for env in ("dev", "staging", "qa", "production"):
        overlay = repo / "k8s" / "overlays" / env
        kustomization = yaml.safe_load((overlay / "kustomization.yaml").read_text(encoding="utf-8"))
        assert (overlay / IMAGES_FILE).is_file(), env
        assert kustomization["patches"][-1] == {"path": IMAGES_FILE}, f"{env}: the images patch is listed last"
        # The Rollout (a custom resource) runs the worker image: only an images: entry retags it there.
        names = [e["name"] for e in kustomization.get("images") or []]
        assert names == (["reg.acme.io/shop/worker"] if env in ("dev", "staging") else []), (env, names)
    dev = _built_images(repo, "dev")
    # Every shape kustomize's transformer retags: init containers, CronJob, Job, DaemonSet, a bare Pod, a digest,
    # tag+digest, untagged, a registry port, the same image in several workloads, the custom resource.
    assert dev[("CronJob", "report", "initContainers", "wait-api")] == "reg.acme.io/shop/api:2.0.0-dev.7"
    assert dev[("Pod", "api-debug", "containers", "shell")] == "reg.acme.io/shop/api:2.0.0-dev.7"
    assert dev[("Deployment", "pinned", "containers", "both")] == "ghcr.io/acme/both:2.0.0-dev.7"
    assert dev[("Deployment", "web", "containers", "web")] == "reg.acme.io:5000/shop/web:2.0.0-dev.7"
    assert dev[("Rollout", "checkout", "containers", "checkout")] == "reg.acme.io/shop/worker:2.0.0-dev.7"
    assert not any(k[1] == "queue" for k in dev), "dev uses an external queue"
    # Today's environment: its patch file holds today's references, so its build is today's.
    production = _built_images(repo, "production")
    assert production[("Deployment", "pinned", "containers", "pinned")].startswith("ghcr.io/acme/pinned@sha256:")
    assert production[("Deployment", "web", "containers", "web")] == "reg.acme.io:5000/shop/web:2.1"


def _answers_with(change: dict[str, dict[str, Any]]) -> dict[str, Any]:
    answers = copy.deepcopy(many_images_case().answers)
    for env in answers["environments"]:
        env.update(change.get(env["name"], {}))
    return answers


def test_promotion_copies_each_images_reference_between_environments_with_different_workloads(tmp_path: Path) -> None:
    # dev runs no queue (external); qa runs none either: promoting dev -> staging keeps staging's own queue, and
    # staging -> qa must not patch a queue qa does not have (a copied file would break qa's build).
    answers = _answers_with({"qa": {"services": {"queue": "external"}}})
    repo, _ = _migrated(tmp_path, answers)
    dev, staging_before = _built_images(repo, "dev"), _built_images(repo, "staging")
    dev_refs = {image_name(i): i for i in dev.values()}

    run = _promote(repo, tmp_path, "staging")
    assert run.returncode == 0, run.stderr
    staging = _built_images(repo, "staging")
    assert staging.keys() == staging_before.keys()
    for where, image in staging.items():
        want = dev_refs.get(image_name(image), staging_before[where])
        assert image == want, (where, image, want)
    assert staging[("StatefulSet", "queue", "containers", "queue")] == "reg.acme.io/shop/queue:1.9.0-rc.2"
    assert staging[("Rollout", "checkout", "containers", "checkout")] == "reg.acme.io/shop/worker:2.0.0-dev.7"
    # The drift report (the real `k8s-wizard diff dev staging`): the promoted images are now the same, what still
    # differs is from the answers, so the pull request is not a draft.
    args = (tmp_path / "gh-args").read_text(encoding="utf-8").split("\n")
    body = (tmp_path / "gh-body").read_text(encoding="utf-8")
    assert args[:3] == ["pr", "create", "--title"], (args, body)
    assert "0 unexplained" in body and ".image" not in body, body

    _git(repo, "switch", "-q", "-")  # back to the branch the promotion started from
    _git(repo, "merge", "-q", "--ff-only", "promote/dev-to-staging-7")
    qa_before = _built_images(repo, "qa")
    run = _promote(repo, tmp_path, "qa")
    assert run.returncode == 0, run.stderr
    qa = _built_images(repo, "qa")  # builds: nothing was added for the queue qa does not run
    assert not any(k[1] == "queue" for k in qa)
    staging_refs = {image_name(i): i for i in staging.values()}
    assert qa == {k: staging_refs.get(image_name(v), v) for k, v in qa_before.items()}


def test_promotion_stops_when_the_source_runs_one_image_under_two_references(tmp_path: Path) -> None:
    repo, _ = _migrated(tmp_path)
    source = repo / "k8s" / "overlays" / "dev" / IMAGES_FILE
    text = source.read_text(encoding="utf-8")
    first = "image: reg.acme.io/shop/api:2.0.0-dev.7"
    assert text.count(first) > 1
    source.write_text(text.replace(first, "image: reg.acme.io/shop/api:2.0.0-dev.8", 1), encoding="utf-8")
    target = repo / "k8s" / "overlays" / "staging" / IMAGES_FILE
    before = target.read_text(encoding="utf-8")
    run = _promote(repo, tmp_path, "staging", with_wizard=False)
    assert run.returncode != 0
    assert "reg.acme.io/shop/api as reg.acme.io/shop/api:2.0.0-dev.8 and reg.acme.io/shop/api:2.0.0-dev.7" in run.stderr
    assert target.read_text(encoding="utf-8") == before
    assert not (tmp_path / "gh-args").exists()


def test_a_tag_bumped_by_hand_in_the_patch_file_survives_a_re_run_and_diff_explains_it(tmp_path: Path) -> None:
    repo, answers_file = _migrated(tmp_path)
    patch = repo / "k8s" / "overlays" / "staging" / IMAGES_FILE
    text = patch.read_text(encoding="utf-8")
    old, new = "image: reg.acme.io:5000/shop/web:1.9.0-rc.2", "image: reg.acme.io:5000/shop/web:1.9.1"
    assert text.count(old) == 1
    patch.write_text(text.replace(old, new), encoding="utf-8")
    # A re-run with a changed answer elsewhere (staging's replicas): the hand-bumped tag stays.
    answers = yaml.safe_load(answers_file.read_text(encoding="utf-8"))
    answers["environments"][1]["replicas"] = 3
    answers_file.write_text(yaml.safe_dump(answers, sort_keys=False), encoding="utf-8")
    result = apply(repo, answers_file)
    assert result.code == 0, result.describe()
    assert new in patch.read_text(encoding="utf-8")
    assert _built_images(repo, "staging")[("Deployment", "web", "containers", "web")] == "reg.acme.io:5000/shop/web:1.9.1"
    from conftest import run_cli

    diff = run_cli("diff", "staging", "production", "--repo", str(repo), "--format", "json")
    assert diff.code == 0, diff.describe()
    report = json.loads(diff.out)
    web = [d for d in report["differences"] if d["object"]["name"] == "web" and d["field"].endswith(".image")]
    assert web and web[0]["status"] == "from-answers" and web[0]["reason"] == "tags", web
    assert f"k8s/overlays/staging/{IMAGES_FILE}" in web[0]["answers"], web


def _synthetic_rendered(tmp_path: Path, workloads: int) -> dict[str, str]:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
    import bench

    from wizard.core.pipeline import build as build_outcome
    from wizard.core.pipeline import read_answers

    src = tmp_path / "src"
    bench.generate(src, workloads)
    repo, answers_file = make_repo(Case("synthetic", src / "manifests", bench.answers(workloads)), tmp_path)
    parsed, inventory = read_answers(repo, answers_file)
    return build_outcome(repo, parsed, inventory).rendered


@pytest.mark.parametrize("workloads", [IMAGES_PATCH_THRESHOLD, IMAGES_PATCH_THRESHOLD + 1])
def test_the_threshold_decides_between_images_entries_and_the_patch_file(tmp_path: Path, workloads: int) -> None:
    rendered = _synthetic_rendered(tmp_path, workloads)  # every synthetic workload runs its own image
    dev = yaml.safe_load(rendered["k8s/overlays/dev/kustomization.yaml"])
    patched = f"k8s/overlays/dev/{IMAGES_FILE}" in rendered
    assert patched == (workloads > IMAGES_PATCH_THRESHOLD)
    assert len(dev.get("images") or []) == (0 if patched else workloads)
    workflow = rendered[".github/workflows/k8s-wizard-promote.yaml"]
    assert (IMAGES_FILE in workflow) == patched


def _builds(
    tmp_path: Path, manifests: Path, answers: dict[str, Any], threshold: int, monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    """{overlay: build output} with the images patch threshold set to `threshold`."""
    import wizard.core.render.images as images
    from wizard.core.pipeline import build as build_outcome
    from wizard.core.pipeline import read_answers

    monkeypatch.setattr(images, "IMAGES_PATCH_THRESHOLD", threshold)
    root = tmp_path / str(threshold)
    repo, answers_file = make_repo(Case("variant", manifests, answers), root)
    parsed, inventory = read_answers(repo, answers_file)
    rendered = build_outcome(repo, parsed, inventory).rendered
    out = root / "out"
    for rel, text in rendered.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_text(text, encoding="utf-8")
    assert any(rel.endswith(IMAGES_FILE) for rel in rendered) == (threshold < 100), "the construct was not the one asked"
    builds = {}
    for env in answers["environments"]:
        proc = subprocess.run(["kubectl", "kustomize", str(out / "k8s" / "overlays" / env["name"])], capture_output=True,
                              text=True, check=False)
        assert proc.returncode == 0 and not proc.stderr.strip(), proc.stderr
        builds[env["name"]] = proc.stdout
    return builds


@pytest.mark.parametrize("variant", ["no-namespaces", "agent-pinned-elsewhere"])
def test_the_patch_file_builds_what_images_entries_build(tmp_path: Path, variant: str,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Shapes the recorded cases lack, built both ways side by side: objects without a namespace in the base
    (kustomize finds them by an id without one), and a workload pinned to another namespace (it stays with the
    current environment: outside-namespace.yaml) running an image the current environment retags."""
    case = many_images_case()
    assert case.manifests is not None
    manifests = tmp_path / "manifests"
    shutil.copytree(case.manifests, manifests)
    answers = copy.deepcopy(case.answers)
    if variant == "no-namespaces":
        for path in manifests.iterdir():
            path.write_text(path.read_text(encoding="utf-8").replace("  namespace: shop\n", ""), encoding="utf-8")
    else:
        agent = manifests / "node-agent.yaml"
        text = agent.read_text(encoding="utf-8").replace("namespace: shop", "namespace: monitoring")
        agent.write_text(text.replace("reg.acme.io/shop/node-agent:0.9", "reg.acme.io/shop/api:1.0.0"), encoding="utf-8")
        answers["environments"][-1]["image_tag"] = {"reg.acme.io/shop/api": "1.0.1"}
    entries = _builds(tmp_path, manifests, answers, 1000, monkeypatch)
    patched = _builds(tmp_path, manifests, answers, 1, monkeypatch)
    assert entries.keys() == patched.keys()
    for env in entries:
        assert patched[env] == entries[env], env
    if variant == "agent-pinned-elsewhere":  # the pinned DaemonSet is in production's build, retagged
        agent = next(o for o in yaml.safe_load_all(patched["production"]) if o["metadata"]["name"] == "node-agent")
        assert agent["metadata"]["namespace"] == "monitoring"
        assert agent["spec"]["template"]["spec"]["containers"][0]["image"] == "reg.acme.io/shop/api:1.0.1"
