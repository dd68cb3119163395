"""`--plain` is the same interview: same questions in the same order, sentences understood, the plan before the files."""

from __future__ import annotations

import argparse
import io
from pathlib import Path
from typing import Any

from test_interview_engine import SHOP
from test_tui_support import shop_repo

from wizard.commands import interactive
from wizard.interview.engine import Interview
from wizard.interview.model import load_questions
from wizard.plain import PromptRequest, run_plain


class Script:
    """Answers by question id (and environment); the rest gets the proposal."""

    def __init__(self, **answers: Any) -> None:
        self.answers = answers
        self.seen: list[PromptRequest] = []

    def __call__(self, request: PromptRequest) -> Any:
        self.seen.append(request)
        key = f"{request.id}@{request.environment}" if request.environment else request.id
        return self.answers.get(key, self.answers.get(request.id, request.default))


def test_the_same_questions_in_the_same_order_as_the_engine() -> None:
    interview = Interview(load_questions(), SHOP)
    engine_order = []
    while (ask := interview.current()) is not None:
        engine_order.append(ask.id)
        interview.answer(None)
    script = Script()
    run_plain(SHOP, prompt=script, echo=lambda _: None)
    plain_order = list(dict.fromkeys(r.id for r in script.seen))
    assert plain_order == engine_order


def test_a_sentence_in_one_environments_prompt_answers_them_all() -> None:
    said: list[str] = []
    script = Script(environments="staging, prod", differs=["replicas"], **{"replicas@staging": "3 in prod, 1 in staging"})
    answers = run_plain(SHOP, prompt=script, echo=said.append)
    envs = {e["name"]: e for e in answers["environments"]}
    assert envs["staging"]["replicas"] == 1 and envs["prod"]["replicas"] == 3
    assert [r.environment for r in script.seen if r.id == "replicas"] == ["staging"], "prod is not asked again"


def test_plain_mode_shows_the_plan_before_the_files_and_diffs_on_request(tmp_path: Path) -> None:
    repo = shop_repo(tmp_path)
    out = io.StringIO()
    script = Script(diffs=False, write=False)
    interactive.init(argparse.Namespace(repo=str(repo), plain=True), io.StringIO(), out, prompt=script)
    text = out.getvalue()
    assert "Prepare the base" in text and "Preview for shop" in text
    assert text.index("Prepare the base") < text.index("Preview for shop"), "the plan comes first"
    assert "+++ " not in text, "no diff unless asked"
    assert [r.id for r in script.seen][-2:] == ["diffs", "write"]

    out = io.StringIO()
    interactive.init(argparse.Namespace(repo=str(repo), plain=True), io.StringIO(), out,
                     prompt=Script(resume=False, diffs=True, write=False))
    assert "+++ " in out.getvalue()
