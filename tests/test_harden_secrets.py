"""Secret values never leave, wherever the Secret hides: nested Lists, adopted kustomization patches (a patch
file, an inline patch, patchesStrategicMerge files and inline entries, JSON 6902 patches on a Secret), YAML
errors, credentials in flux.url.

Each canary goes in raw and base64-encoded; afterwards no file the tool wrote (the generated tree,
`.k8s-wizard/`, the answers file), no stdout or stderr (in-process and a real child process), no interview
draft and no exception or traceback holds it in any form.
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import run_cli, run_cli_process
from kube import FIXTURES, build

from wizard.interview.engine import Interview
from wizard.tui.startup import DraftStore, start_facts

CANARIES = {
    "list": "CANARY-h4rd-nested-list-71",
    "list64": "CANARY-h4rd-nested-b64-72",
    "deep": "CANARY-h4rd-deep-list-73",
    "pathpatch": "CANARY-h4rd-path-patch-74",
    "inline": "CANARY-h4rd-inline-patch-75",
    "smpfile": "CANARY-h4rd-smp-file-76",
    "smpinline": "CANARY-h4rd-smp-inline-77",
    "json6902": "CANARY-h4rd-json6902-78",
    "tag": "CANARY-h4rd-yaml-tag-79",
    "url": "CANARY-h4rd-url-token-80",
}


def b64(value: str) -> str:
    return base64.b64encode(value.encode()).decode()


def forms(value: str) -> list[bytes]:
    raw = value.encode()
    return [raw, base64.b64encode(raw), base64.b64encode(raw).rstrip(b"="), base64.urlsafe_b64encode(raw).rstrip(b"="),
            raw.hex().encode()]


def leaks(blob: bytes | str) -> list[str]:
    data = blob.encode() if isinstance(blob, str) else blob
    return [name for name, value in CANARIES.items() if any(f in data for f in forms(value))]


ANSWERS = {
    "version": 1,
    "app": "shop",
    "source": "manifests",
    "environments": [{"name": "staging", "namespace": "shop-staging", "replicas": 1},
                     {"name": "production", "namespace": "shop", "current": True}],
    "flux": {"url": "https://github.com/acme/shop.git", "branch": "main"},
}

NESTED = f"""\
apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: List
    items:
      - apiVersion: v1
        kind: Secret
        metadata: {{name: db, namespace: shop}}
        stringData: {{PASSWORD: {CANARIES["list"]}}}
        data: {{TOKEN: {b64(CANARIES["list64"])}}}
      - apiVersion: v1
        kind: ConfigMap
        metadata: {{name: cfg, namespace: shop}}
        data: {{MODE: fast}}
      - apiVersion: v1
        kind: SecretList
        items:
          - apiVersion: v1
            kind: Secret
            metadata: {{name: deep, namespace: shop}}
            stringData: {{KEY: {CANARIES["deep"]}}}
  - apiVersion: apps/v1
    kind: Deployment
    metadata: {{name: api, namespace: shop}}
    spec:
      selector: {{matchLabels: {{app: api}}}}
      template:
        metadata: {{labels: {{app: api}}}}
        spec:
          containers:
            - name: api
              image: ghcr.io/acme/api:1.0.0
              envFrom: [{{secretRef: {{name: db}}}}, {{configMapRef: {{name: cfg}}}}]
---
apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: List
    items:
      - apiVersion: v1
        kind: Secret
        metadata: {{name: only-secrets, namespace: shop}}
        stringData: {{K: {CANARIES["list"]}}}
"""


def nested_repo(root: Path) -> Path:
    repo = root / "repo"
    (repo / "manifests").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    (repo / "manifests" / "app.yaml").write_text(NESTED, encoding="utf-8")
    return repo


def adopted_repo(root: Path) -> Path:
    repo = root / "repo"
    repo.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    src = repo / "manifests"
    shutil.copytree(FIXTURES / "kustomization-adopt" / "manifests", src)
    (src / "secret-patch.yaml").write_text(
        f"apiVersion: v1\nkind: Secret\nmetadata: {{name: billing-db}}\nstringData: {{PASSWORD: {CANARIES['pathpatch']}}}\n",
        encoding="utf-8")
    (src / "mixed.yaml").write_text(
        "apiVersion: v1\nkind: Secret\nmetadata: {name: billing-db}\n"
        f"data: {{TOKEN: {b64(CANARIES['smpfile'])}}}\n---\n"
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: billing-api}\n"
        "spec:\n  template:\n    metadata:\n      annotations: {patched: 'yes'}\n", encoding="utf-8")
    (src / "ops.yaml").write_text(f"- op: add\n  path: /data/EXTRA\n  value: {b64(CANARIES['json6902'])}\n", encoding="utf-8")
    kustomization = (src / "kustomization.yaml").read_text(encoding="utf-8")
    kustomization += f"""\
patches:
  - path: secret-patch.yaml
  - patch: |
      apiVersion: v1
      kind: Secret
      metadata: {{name: billing-db}}
      stringData: {{INLINE: {CANARIES["inline"]}}}
patchesStrategicMerge:
  - mixed.yaml
  - |
    apiVersion: v1
    kind: Secret
    metadata: {{name: billing-db}}
    stringData: {{SMP_INLINE: {CANARIES["smpinline"]}}}
patchesJson6902:
  - target: {{version: v1, kind: Secret, name: billing-db}}
    path: ops.yaml
"""
    (src / "kustomization.yaml").write_text(kustomization, encoding="utf-8")
    return repo


def written_files(repo: Path) -> dict[str, bytes]:
    """Every file under the repository but the user's source folder and git's own."""
    return {p.relative_to(repo).as_posix(): p.read_bytes() for p in repo.rglob("*")
            if p.is_file() and not p.relative_to(repo).as_posix().startswith(("manifests/", ".git/"))}


def answers_file(root: Path, answers: dict[str, object]) -> Path:
    path = root / "answers.yaml"
    path.write_text(yaml.safe_dump(answers, sort_keys=False), encoding="utf-8")
    return path


def exercise(repo: Path, answers: Path, tmp_path: Path) -> list[str]:
    """apply (in-process and as a child process), plan in every format, validate, and an interview draft."""
    outputs: list[str] = []
    result = run_cli("apply", "--answers", str(answers), "--repo", str(repo), "--yes")
    assert result.code == 0, result.describe()
    outputs += [result.out, result.err]
    for fmt in ("markdown", "tree", "json"):
        plan = run_cli("plan", "--repo", str(repo), "--format", fmt)
        outputs += [plan.out, plan.err]
    child = run_cli_process("apply", "--repo", str(repo), "--yes", "--dry-run")
    assert child.code == 0, child.describe()
    outputs += [child.out, child.err]
    check = run_cli("validate", "--repo", str(repo))
    outputs += [check.out, check.err]
    assert check.code == 0, check.describe()
    # the interview: the scan's facts, every proposal accepted, the draft saved
    facts = start_facts(repo)
    interview = Interview.load(facts)
    while interview.current() is not None:
        assert interview.answer(None) == []
    store = DraftStore(repo, tmp_path / "drafts")
    store.save(interview.draft())
    outputs += [json.dumps(facts, default=str), json.dumps(interview.answers()), store.path.read_text(encoding="utf-8")]
    return outputs


def test_secrets_in_nested_lists_are_never_copied(tmp_path: Path) -> None:
    repo = nested_repo(tmp_path)
    assert set(leaks((repo / "manifests/app.yaml").read_bytes())) == {"list", "list64", "deep"}
    outputs = exercise(repo, answers_file(tmp_path, ANSWERS), tmp_path)
    assert {k: v for k, v in ((k, leaks(v)) for k, v in written_files(repo).items()) if v} == {}
    assert [i for i, text in enumerate(outputs) if leaks(text)] == []
    text = "".join(outputs)
    for name, keys in (("db", "PASSWORD, TOKEN"), ("deep", "KEY"), ("only-secrets", "K")):
        assert f"Secret/{name} is in git in plaintext (keys: {keys})" in text
    for env in ("staging", "production"):
        objects, stderr = build(repo / "k8s/overlays" / env)
        kinds = sorted(str(o.get("kind")) for o in objects)
        assert "Secret" not in kinds and "List" not in kinds and "SecretList" not in kinds
        assert {"ConfigMap", "Deployment"} <= set(kinds), kinds  # the rest of the Lists is still deployed


def test_secret_patches_of_an_adopted_kustomization_are_never_copied(tmp_path: Path) -> None:
    repo = adopted_repo(tmp_path)
    answers = yaml.safe_load((FIXTURES / "kustomization-adopt" / "answers.yaml").read_text(encoding="utf-8"))
    outputs = exercise(repo, answers_file(tmp_path, answers), tmp_path)
    assert {k: v for k, v in ((k, leaks(v)) for k, v in written_files(repo).items()) if v} == {}
    assert [i for i, text in enumerate(outputs) if leaks(text)] == []
    text = "".join(outputs)
    for where, keys in (("patches[0]", "PASSWORD"), ("patches[1]", "INLINE"), ("patchesStrategicMerge[0]", "TOKEN"),
                        ("patchesStrategicMerge[1]", "SMP_INLINE"), ("patchesJson6902[0]", "EXTRA")):
        assert f"{where} sets Secret/billing-db from plaintext in git (keys: {keys})" in text
    base = yaml.safe_load((repo / "k8s/base/kustomization.yaml").read_text(encoding="utf-8"))
    assert base["patches"] == [{"path": "mixed.yaml"}]  # the Deployment half of the mixed file stays
    assert not (repo / "k8s/base/secret-patch.yaml").exists() and not (repo / "k8s/base/ops.yaml").exists()
    objects, _ = build(repo / "k8s/overlays/production")
    api = next(o for o in objects if o["kind"] == "Deployment" and o["metadata"]["name"] == "billing-api")
    assert api["spec"]["template"]["metadata"]["annotations"]["patched"] == "yes"
    assert not [o for o in objects if o["kind"] == "Secret"]


@pytest.mark.parametrize("where", ["manifest", "answers"])
def test_yaml_errors_give_the_position_never_the_token(tmp_path: Path, where: str) -> None:
    repo = nested_repo(tmp_path)
    answers = answers_file(tmp_path, ANSWERS)
    bad = f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: x}}\ndata:\n  POSTGRES_PASSWORD: !{CANARIES['tag']} x\n"
    if where == "manifest":
        (repo / "manifests" / "bad.yaml").write_text(bad, encoding="utf-8")
        expected = "manifests/bad.yaml:5: could not determine a constructor for the tag"
    else:
        answers.write_text(answers.read_text(encoding="utf-8") + f"ci: !{CANARIES['tag']} x\n", encoding="utf-8")
        expected = f"{answers}:{len(answers.read_text().splitlines())}: could not determine a constructor for the tag"
    before = sorted(p.relative_to(repo).as_posix() for p in repo.rglob("*"))
    for result in (run_cli("apply", "--answers", str(answers), "--repo", str(repo), "--yes"),
                   run_cli_process("apply", "--answers", str(answers), "--repo", str(repo), "--yes")):
        assert result.code == 2, result.describe()
        assert expected in result.text
        assert "Traceback" not in result.text and leaks(result.text) == []
    assert sorted(p.relative_to(repo).as_posix() for p in repo.rglob("*")) == before  # nothing written


@pytest.mark.parametrize("url", [
    f"https://deploy:{CANARIES['url']}@github.com/acme/shop.git",
    f"https://{CANARIES['url']}@github.com/acme/shop.git",
    f"ssh://git:{CANARIES['url']}@github.com/acme/shop.git",
])
def test_credentials_in_flux_url_are_refused_without_echo(tmp_path: Path, url: str) -> None:
    repo = nested_repo(tmp_path)
    answers = answers_file(tmp_path, {**ANSWERS, "flux": {"url": url}})
    result = run_cli("apply", "--answers", str(answers), "--repo", str(repo), "--yes")
    assert result.code == 2, result.describe()
    assert "flux.url: holds credentials" in result.text
    assert leaks(result.text) == [] and not (repo / "k8s").exists() and not (repo / ".k8s-wizard.yaml").exists()


def test_ssh_user_without_password_is_fine(tmp_path: Path) -> None:
    repo = nested_repo(tmp_path)
    answers = answers_file(tmp_path, {**ANSWERS, "flux": {"url": "ssh://git@github.com/acme/shop.git"}})
    result = run_cli("apply", "--answers", str(answers), "--repo", str(repo), "--yes", "--dry-run")
    assert result.code == 0, result.describe()


def test_an_internal_error_never_shows_its_message_or_traceback(tmp_path: Path, monkeypatch) -> None:
    """The last resort: a bug whose exception message holds a value prints its type and place, never the message."""
    repo = nested_repo(tmp_path)
    answers = answers_file(tmp_path, ANSWERS)

    def broken(*args: object, **kwargs: object) -> None:
        secret = CANARIES["list"]
        raise ValueError(f"cannot handle {secret} / {b64(secret)}")

    monkeypatch.setattr("wizard.core.pipeline.analyse", broken)
    result = run_cli("apply", "--answers", str(answers), "--repo", str(repo), "--yes")
    assert result.code == 2, result.describe()
    assert "internal error (ValueError at test_harden_secrets.py" not in result.err  # only the tool's own frames
    assert "internal error (ValueError at pipeline.py:" in result.err and "nothing was written" in result.err
    assert leaks(result.text) == [] and "Traceback" not in result.text
    assert not (repo / "k8s").exists()
