"""The interview in an empty repository (issue 8): it asks what a new app needs, and made-up values never pass silently.

Image, port, probes, config keys, secret keys and each environment's host are asked; Enter alone still gives
a valid app; the example image and git URL it invents are flagged in the plan and on the done screen, and
`k8s-wizard validate` exits 1 while they remain.
"""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest
from test_tui_support import KEY_BUDGET, Keys, answered, enter_until_done, settle

from wizard.cli import main
from wizard.core.pipeline import build, load_answers, write
from wizard.interview.engine import Interview
from wizard.interview.model import load_questions
from wizard.tui.app import make_app
from wizard.tui.done import DoneScreen, done_text
from wizard.tui.startup import start_facts


@pytest.fixture
def empty_repo(tmp_path: Path) -> Path:
    repo = tmp_path / "hello"
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    (repo / "README.md").write_text("# hello\n")
    return repo


def walk(interview: Interview, said: dict[str, str]) -> list[str]:
    asked = []
    while (ask := interview.current()) is not None:
        asked.append(ask.id)
        assert interview.answer(said.get(ask.id)) == [], ask.id
    return asked


def test_an_empty_repository_asks_what_a_new_app_needs(empty_repo: Path) -> None:
    interview = Interview(load_questions(), start_facts(empty_repo))
    asked = walk(interview, {
        "new_app_image": "ghcr.io/acme/hello:1.0.0", "new_app_port": "3000", "new_app_liveness": "/healthz",
        "new_app_config": "LOG_LEVEL=info, APP_NAME=hello", "new_app_secrets": "DATABASE_URL and API_KEY",
        "new_app_host": "staging.hello.io for staging, hello.io for production",
        "flux_url": "https://github.com/acme/hello.git",
    })
    for question in ("new_app_image", "new_app_port", "new_app_liveness", "new_app_readiness", "new_app_config",
                     "new_app_secrets", "new_app_host"):
        assert question in asked
    answers = interview.answers()
    assert answers["new_app"] == {
        "image": "ghcr.io/acme/hello:1.0.0", "port": 3000, "liveness": "/healthz", "readiness": "/healthz",
        "config": {"LOG_LEVEL": "info", "APP_NAME": "hello"}, "secrets": ["DATABASE_URL", "API_KEY"],
    }
    hosts = {e["name"]: e.get("host") for e in answers["environments"]}
    assert hosts == {"staging": "staging.hello.io", "production": "hello.io"}
    assert answers["secrets"]["provider"] == "sealed-secrets"
    loaded, inventory = load_answers(empty_repo, answers, "interview")
    outcome = build(empty_repo, loaded, inventory)
    assert not [f for f in outcome.plan.findings if f.code == "placeholder"]


def test_secret_keys_typed_for_a_new_app_are_not_forgotten(empty_repo: Path) -> None:
    interview = Interview(load_questions(), start_facts(empty_repo))
    while (ask := interview.current()) is not None and ask.id != "secrets_provider":
        interview.answer("DATABASE_URL, API_KEY" if ask.id == "new_app_secrets" else None)
    ask = interview.current()
    assert ask is not None
    assert "found no Secrets" not in ask.text and "DATABASE_URL, API_KEY" in ask.text
    assert ask.default == "sealed-secrets"


def test_enter_only_gives_a_valid_app_whose_examples_are_flagged(empty_repo: Path) -> None:
    interview = Interview(load_questions(), start_facts(empty_repo))
    walk(interview, {})
    loaded, inventory = load_answers(empty_repo, interview.answers(), "interview")
    outcome = build(empty_repo, loaded, inventory)
    made_up = [f for f in outcome.plan.findings if f.code == "placeholder"]
    assert len(made_up) == 2 and not outcome.plan.blocking
    assert "ghcr.io/example/hello" in made_up[0].message and "github.com/example/hello" in made_up[1].message
    written = write(empty_repo, outcome)
    assert "Replace the examples first" in done_text(outcome, written, "hello")
    out = io.StringIO()
    assert main(["validate", "--repo", str(empty_repo)], stdout=out) == 1
    assert "placeholder" in out.getvalue() and "ghcr.io/example/hello" in out.getvalue()


async def test_the_done_screen_flags_the_examples_before_anything_else(empty_repo: Path) -> None:
    facts, draft = answered(empty_repo)  # Enter on every question, by the engine: one key per answered question
    questions = len(draft["answers"])
    app = make_app(empty_repo, facts=facts, draft=draft)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        keys = Keys(pilot)
        await enter_until_done(app, keys)
        screen = app.screen
        assert isinstance(screen, DoneScreen)
        text = done_text(screen.outcome, screen.written, "hello")
        assert text.index("Replace the examples first") < text.index("## Next")
        assert questions + keys.count <= KEY_BUDGET, f"{questions} questions + {keys.count} key presses"
