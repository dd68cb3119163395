"""Issue 9 item 9: the commands in MIGRATION.md run as written, in a scratch copy of each migrated fixture.

- "Open a pull request": `git switch`, `git add`, `git commit` run verbatim; afterwards nothing the write
  created is left untracked.
- the rollback re-applies today's manifests: run verbatim against tests/fake_api.py (an offline API server
  that serves discovery and answers 404 to every read), with `--dry-run=client --validate=false` added, so
  kubectl itself reads the files (`-R`, `-k`, `-n` as written) and names every object it would apply.
  kubectl needs a server even for `--dry-run=client` (discovery): hence the fake one.
- the clean-up (`git rm`, `git commit`) runs verbatim after the pull request's commit.
- SOPS: the `sops-age` Secret command runs with `--dry-run=client`; `remove-env` prints the cluster clean-up
  (not in MIGRATION.md: the next apply would drop it again, and the same answers must give the same files),
  whose `kubectl apply` runs against the fake server.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import ALL_CASES, Case, Migrated, applied_copy, apply, make_repo, run_cli
from fake_api import fake_api
from kube import CLUSTER_SCOPED

CASES = {c.id: c for c in ALL_CASES}
GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_SYSTEM": "/dev/null"}


def steps(markdown: str) -> dict[str, list[str]]:
    """Step title -> its commands (the lines of its ```sh block, comments left out)."""
    found: dict[str, list[str]] = {}
    for match in re.finditer(r"^### \d+\. (.+?)\n(.*?)(?=^### |^## |\Z)", markdown, re.S | re.M):
        block = re.search(r"```sh\n(.*?)```", match.group(2), re.S)
        if block:
            found[match.group(1)] = [c for c in block.group(1).splitlines() if c and not c.startswith("#")]
    return found


def step(markdown: str, prefix: str) -> list[str]:
    """The commands of the step whose title starts with `prefix`."""
    matches = [cmds for title, cmds in steps(markdown).items() if title.startswith(prefix)]
    assert len(matches) == 1, f"no single step {prefix!r} in: {list(steps(markdown))}"
    return matches[0]


def sh(command: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", "-c", command], cwd=cwd, capture_output=True, text=True, timeout=120,
                          env={**os.environ, **GIT_ENV, **env})


def scratch(m: Migrated, root: Path) -> Path:
    """A git repository where today's source is committed and k8s-wizard's files are written, not yet added."""
    repo = root / "scratch"
    shutil.copytree(m.repo, repo)
    assert sh("git init -q -b main && git add -- " + (m.case.source or ".k8s-wizard.yaml") +
              " && git commit -qm today", repo).returncode == 0
    return repo


def test_the_pull_request_adds_every_written_file(repo_case: Case, migrate, tmp_path: Path) -> None:
    m: Migrated = migrate(repo_case)
    repo = scratch(m, tmp_path)
    text = (repo / "MIGRATION.md").read_text(encoding="utf-8")
    for command in step(text, "Open a pull request"):
        result = sh(command, repo)
        assert result.returncode == 0, f"{command!r} failed: {result.stderr}"
    left = sh("git status --porcelain --untracked-files=all", repo).stdout.strip()
    assert not left, f"files the write created that `git add` leaves out:\n{left}"


def _applied(output: str) -> set[tuple[str, str]]:
    """(kind, name) of each `kind.group/name created (dry run)` line kubectl printed (kind lower-cased)."""
    return {(m.group(1).split(".")[0], m.group(2)) for m in re.finditer(r"^([^/\s]+)/(\S+) created", output, re.M)}


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_the_rollback_reapplies_every_object_of_today(running_case: Case, migrate, tmp_path: Path) -> None:
    m: Migrated = migrate(running_case)
    repo = scratch(m, tmp_path)
    commands = step((repo / "MIGRATION.md").read_text(encoding="utf-8"), f"Roll back {m.case.current['name']}")
    assert commands[0].startswith("flux suspend kustomization ")
    output = ""
    with fake_api(tmp_path) as kubeconfig:
        for command in commands[1:]:
            if command.startswith("kubectl apply "):
                command += " --dry-run=client --validate=false"
            result = sh(command, repo, KUBECONFIG=str(kubeconfig))
            assert result.returncode == 0, f"{command!r} failed: {result.stderr}"
            output += result.stdout
    today = {(str(o["kind"]).lower(), o["metadata"]["name"]) for o in m.today()}
    assert _applied(output) == today, f"the rollback applies {sorted(_applied(output))}, today is {sorted(today)}"
    if m.case.source and (repo / m.case.source / "kustomization.yaml").is_file():
        assert any(" -k " in c for c in commands), "a kustomized source is applied with -k"


def test_the_clean_up_runs_after_the_pull_request(running_case: Case, migrate, tmp_path: Path) -> None:
    m: Migrated = migrate(running_case)
    repo = scratch(m, tmp_path)
    text = (repo / "MIGRATION.md").read_text(encoding="utf-8")
    for command in step(text, "Open a pull request") + step(text, f"Remove {m.case.source}/"):
        result = sh(command, repo)
        assert result.returncode == 0, f"{command!r} failed: {result.stderr}"
    assert not (repo / str(m.case.source)).exists()
    tracked = sh("git ls-files", repo).stdout
    assert f"{m.case.source}/" not in tracked
    assert "Rotate the secrets" not in steps(text), "the rotation step has nothing to run (the files went with the folder)"


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_sops_gives_flux_its_key(tmp_path: Path) -> None:
    answers = yaml.safe_load(yaml.safe_dump(CASES["plaintext-secret"].answers))
    answers["secrets"] = {"provider": "sops"}
    repo, answers_file = make_repo(CASES["plaintext-secret"], tmp_path, answers)
    assert apply(repo, answers_file).code == 0
    text = (repo / "MIGRATION.md").read_text(encoding="utf-8")
    first = answers["environments"][0]["name"]
    command = next(c for c in step(text, f"Encrypt {first}'s secrets") if "sops-age" in c)
    key = tmp_path / "age.agekey"
    key.write_text("AGE-SECRET-KEY-1CANARY\n")
    result = sh(command + " --dry-run=client -o yaml", repo, SOPS_AGE_KEY_FILE=str(key))
    assert result.returncode == 0, result.stderr
    secret = yaml.safe_load(result.stdout)
    assert (secret["metadata"]["name"], secret["metadata"]["namespace"]) == ("sops-age", "flux-system")
    assert "age.agekey" in secret["data"]
    flux = yaml.safe_load((repo / f"k8s/flux/{first}.yaml").read_text(encoding="utf-8"))
    assert flux["spec"]["decryption"]["secretRef"]["name"] == "sops-age"
    assert "\n.sops.yaml\n" not in sh("git status", repo).stdout
    assert ".sops.yaml" in step(text, "Open a pull request")[1]


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_remove_env_says_how_to_clean_the_cluster_up(tmp_path: Path) -> None:
    case = CASES["namespace-object"]
    repo = applied_copy(case, tmp_path)[0]
    assert run_cli("add-env", "qa", "--repo", str(repo), "--namespace", "shop-qa", "--after", "staging",
                   "--yes").code == 0
    result = run_cli("remove-env", "qa", "--repo", str(repo), "--yes")
    assert result.code == 0, result.describe()
    printed = result.out.split("then clean qa up in the cluster, once the commit is pushed:\n", 1)[1]
    commands = [line.strip() for line in printed.splitlines() if line.startswith("  ")]
    assert commands == ["flux delete kustomization shop-qa --silent", "kubectl apply -f k8s/flux/production.yaml",
                        "kubectl delete namespace shop-qa"]
    production = yaml.safe_load((repo / "k8s/flux/production.yaml").read_text(encoding="utf-8"))
    assert production["spec"]["dependsOn"] == [{"name": "shop-staging"}], "the re-applied object skips qa"
    with fake_api(tmp_path) as kubeconfig:
        applied = sh(commands[1] + " --dry-run=client --validate=false", repo, KUBECONFIG=str(kubeconfig))
    assert applied.returncode == 0 and "kustomization.kustomize.toolkit.fluxcd.io/shop-production" in applied.stdout


def test_a_new_app_plan_reads_as_a_first_deployment(migrate) -> None:
    m: Migrated = migrate(CASES["new-app"])
    text = (m.repo / "MIGRATION.md").read_text(encoding="utf-8")
    assert text.startswith("# First deployment: ")
    for stale in ("today's manifests", "Migration plan", "Restructure", "Migrate "):
        assert stale not in text, stale
    assert not any(o.get("kind") in CLUSTER_SCOPED and o.get("kind") != "Namespace" for o in m.objects("staging"))
