"""The promotion workflow's script, run for real with bash in a scratch clone.

Only GitHub's own tools are stood in for: `yq` (here a one-line edit of the target overlay, so there is something
to promote) and `gh` (records its arguments). git is real, and pushes to a local bare repository.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import yaml
from conftest import ALL_CASES, applied_copy

STUB_YQ = (
    "#!/bin/sh\n# yq -i EXPR FILE: stand-in that changes FILE the way a tag copy would\n"
    'for f; do :; done\necho "# promoted" >> "$f"\n'
)
STUB_GH = (
    '#!/bin/sh\nprintf "%s\\n" "$@" > "$GH_ARGS"\n'
    'for a; do [ "$prev" = "--body-file" ] && cp "$a" "$GH_BODY"; prev="$a"; done\n'
)


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


def test_without_k8s_wizard_on_the_runner_the_pull_request_is_a_draft_that_says_so(tmp_path: Path) -> None:
    case = next(c for c in ALL_CASES if c.id == "plain-folder")
    repo = applied_copy(case, tmp_path)[0]
    workflow = yaml.safe_load((repo / ".github/workflows/k8s-wizard-promote.yaml").read_text(encoding="utf-8"))
    steps = workflow["jobs"]["promote"]["steps"]
    install, promote = steps[-2], steps[-1]
    assert "K8S_WIZARD" in install["env"] and "||" in install["run"], "a failed install must not stop the promotion"

    origin = tmp_path / "origin.git"
    _git(tmp_path, "init", "-q", "--bare", str(origin))
    if not (repo / ".git").exists():
        _git(repo, "init", "-q")
    for args in (("add", "-A"), ("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "migration")):
        _git(repo, *args)
    _git(repo, "remote", "add", "origin", str(origin))
    stubs = tmp_path / "bin"
    stubs.mkdir()
    for name, text in (("yq", STUB_YQ), ("gh", STUB_GH)):
        (stubs / name).write_text(text, encoding="utf-8")
        (stubs / name).chmod(0o755)
    git_dir = str(Path(shutil.which("git") or "/usr/bin/git").parent)
    env = {
        **promote["env"],
        "TARGET": case.envs[-1]["name"],
        "PATH": f"{stubs}:{git_dir}:/usr/bin:/bin",  # no k8s-wizard here, as on a runner where the install failed
        "HOME": str(tmp_path),
        "RUNNER_TEMP": str(tmp_path),
        "GITHUB_RUN_ID": "7",
        "GITHUB_REF_NAME": "main",
        "GH_ARGS": str(tmp_path / "gh-args"),
        "GH_BODY": str(tmp_path / "gh-body"),
    }
    assert shutil.which("k8s-wizard", path=env["PATH"]) is None
    run = subprocess.run(["bash", "-c", promote["run"]], cwd=repo, env=env, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    args = (tmp_path / "gh-args").read_text(encoding="utf-8").split("\n")
    assert args[:3] == ["pr", "create", "--draft"], args
    assert "No drift report" in (tmp_path / "gh-body").read_text(encoding="utf-8")
    branches = subprocess.run(["git", "branch", "--list"], cwd=origin, capture_output=True, text=True, check=True).stdout
    assert "promote/" in branches
