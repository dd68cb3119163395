"""`k8s-wizard init --plain`: the questionary front-end end to end, its prompts replaced by a script.

The same interview, then the printed preview and a confirmation through the same prompt function,
then the write; cancelling leaves the repository untouched and a draft that the next start resumes.
"""

from __future__ import annotations

import argparse
import io
from pathlib import Path
from typing import Any

import pytest
import yaml
from test_tui_support import shop_repo, tree_bytes

from wizard.cli import main
from wizard.commands import interactive
from wizard.plain import PromptRequest
from wizard.tui.startup import DraftStore


class Script:
    """Answers by prompt id; anything unscripted gets the proposed default (Enter)."""

    def __init__(self, **answers: Any) -> None:
        self.answers = answers
        self.seen: list[str] = []

    def __call__(self, request: PromptRequest) -> Any:
        self.seen.append(request.id)
        return self.answers.get(request.id, request.default)


def init(repo: Path, script: Script) -> tuple[int, str]:
    """Run `init --plain` with the script; (exit code, printed output)."""
    out = io.StringIO()
    code = interactive.init(argparse.Namespace(repo=str(repo), plain=True), io.StringIO(), out, prompt=script)
    return code, out.getvalue()


def test_plain_mode_ends_in_written_files(tmp_path: Path) -> None:
    repo = shop_repo(tmp_path)
    script = Script(environments="staging, qa and prod")
    code, out = init(repo, script)
    assert code == 0, out
    assert "Preview for shop: staging -> qa -> prod" in out
    assert "wrote " in out and script.seen[-1] == "write"
    answers = yaml.safe_load((repo / ".k8s-wizard.yaml").read_text())
    assert [e["name"] for e in answers["environments"]] == ["staging", "qa", "prod"]
    for env in ("staging", "qa", "prod"):
        assert (repo / f"k8s/overlays/{env}/kustomization.yaml").is_file()
    assert (repo / "MIGRATION.md").is_file()
    assert DraftStore(repo).load() is None


def test_plain_mode_declined_or_cancelled_writes_nothing_and_resumes(tmp_path: Path) -> None:
    repo = shop_repo(tmp_path)
    before = tree_bytes(repo)
    code, out = init(repo, Script(write=False))
    assert code == 1 and "nothing written" in out
    assert tree_bytes(repo) == before

    assert DraftStore(repo).load() is not None, "declining the write keeps the answers"

    code, out = init(repo, Script(resume=False, differs=None))  # start over, then Ctrl+C at "what differs"
    assert code == 130 and "nothing written" in out
    assert tree_bytes(repo) == before
    resumed = Script()
    code, _ = init(repo, resumed)
    assert code == 0
    assert resumed.seen[0] == "resume" and resumed.seen[1] == "differs"


def test_no_terminal_falls_back_to_plain(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = shop_repo(tmp_path)
    used: list[str] = []

    def fake_plain(*args: Any, **kwargs: Any) -> int:
        used.append("plain")
        return 0

    monkeypatch.setattr(interactive, "run_plain_mode", fake_plain)
    assert main(["--repo", str(repo)], stdin=io.StringIO(), stdout=io.StringIO()) == 0
    assert used == ["plain"]
    assert not interactive.textual_can_run(io.StringIO(), io.StringIO())


def test_plain_mode_prints_what_the_answers_resolve_to_per_environment(tmp_path: Path) -> None:
    repo = shop_repo(tmp_path)
    code, out = init(repo, Script(environments="staging and prod", replicas="staging 2, prod 3"))
    assert code == 0, out
    known = out.split("What I know:\n", 1)[1].split("\n\n", 1)[0]
    assert "  staging:\n    namespace: shop-staging\n    replicas: shop-web 2\n" in known, known
    assert "  prod (runs today):\n    namespace: default\n    replicas: shop-web 3\n" in known, known
    assert "  Secret shop-db: password" in known
