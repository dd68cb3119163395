"""The Textual interview reads people right: one Pilot test per complaint of issue 11, each starting at its question.

Each test starts the app from a draft that stands at the question it checks (`at()`), so nothing presses
Enter through the whole interview; the files are real repositories on disk.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from test_tui_support import FIXTURES, REAL, Keys, current_id, git_repo, settle, shop_repo, tree_bytes
from textual.widgets import Input, Label

from wizard.interview.engine import Interview
from wizard.interview.model import load_questions
from wizard.tui.app import WizardApp, make_app
from wizard.tui.confirm import ConfirmScreen
from wizard.tui.interview import InterviewScreen, WizardSays
from wizard.tui.reply import ProposalInput
from wizard.tui.startup import DraftStore, start_facts


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """The plain-folder fixture as a git repository named shop."""
    return shop_repo(tmp_path / "work")


def at(repo: Path, question: str, **answers: Any) -> WizardApp:
    """The app resumed from a draft that stands at `question` (earlier ones: `answers`, else the proposals)."""
    facts = start_facts(repo)
    interview = Interview(load_questions(), facts)
    while (ask := interview.current()) is not None and ask.id != question:
        assert interview.answer(answers.get(ask.id)) == [], ask.id
    assert interview.current() is not None, f"{question} is never asked"
    return make_app(repo, facts=facts, draft=interview.draft())


def chat_text(app: WizardApp) -> str:
    return "\n".join(b.source for b in app.screen.query(WizardSays))


async def test_manifests_in_an_unusual_folder_are_found_by_content(tmp_path: Path) -> None:
    repo = git_repo(tmp_path / "shop")
    shutil.copytree(FIXTURES / "plain-folder" / "manifests", repo / "k8s-specs")
    app = make_app(repo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert current_id(app) == "today"
        assert "./k8s-specs" in chat_text(app) and "no Kubernetes manifests" not in chat_text(app)


async def test_several_folders_are_offered_as_a_choice_and_the_pick_is_scanned(tmp_path: Path) -> None:
    repo = git_repo(tmp_path / "shop")
    shutil.copytree(FIXTURES / "plain-folder" / "manifests", repo / "specs" / "k8s")
    source = REAL / "example-voting-app"
    if not source.is_dir():
        pytest.skip("../shared/fixtures/real is absent")
    shutil.copytree(source, repo / "old-deploy", ignore=shutil.ignore_patterns("SOURCE.txt"))
    app = make_app(repo)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        assert current_id(app) == "pick_source"
        choices = [c.value for c in app.interview.current().choices]  # type: ignore[union-attr]
        assert choices[:2] == ["old-deploy", "specs/k8s"] and choices[-1] == "other"
        keys = Keys(pilot)
        await keys.type("specs/k8s")
        await keys.press("enter")
        assert app.facts["source"] == "specs/k8s"
        assert app.interview.value("source") == "specs/k8s"
        assert current_id(app) == "app"


async def test_a_sentence_in_the_replicas_form_goes_to_the_environments_it_names(repo: Path) -> None:
    app = at(repo, "replicas", environments="staging, prod")
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        assert current_id(app) == "replicas"
        rows = list(app.screen.query(ProposalInput))
        assert [r.name for r in rows] == ["staging", "prod"]
        rows[1].focus()  # the cursor is in prod's row: the sentence still counts as a whole
        keys = Keys(pilot)
        await keys.paste("3 replicas in prod, 1 in staging")
        await keys.press("enter")
        assert app.interview.value("replicas") == {"staging": 1, "prod": 3}


async def test_environment_names_are_kept_as_typed(repo: Path) -> None:
    app = at(repo, "environments")
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        keys = Keys(pilot)
        await keys.type("dev, staging and prod")
        await keys.press("enter")
        assert app.interview.value("environments") == ["dev", "staging", "prod"]
        assert app.interview.value("current") is None or current_id(app) == "current"
        assert app.interview.current().default == "prod"  # type: ignore[union-attr]
        await keys.press("enter")
        namespaces = app.interview.current().default  # type: ignore[union-attr]
        assert namespaces["dev"] == "shop-dev" and "shop-development" not in namespaces.values()


async def test_typing_after_the_explanation_replaces_the_proposal(repo: Path) -> None:
    app = at(repo, "app")
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        keys = Keys(pilot)
        field = app.screen.query_one("#reply-input", Input)
        assert field.value == "shop"
        await keys.press("question_mark")  # on the untouched proposal: why, not a literal '?'
        assert "valid Kubernetes name" in chat_text(app) and field.value == "shop"
        await keys.type("vote")
        assert field.value == "vote"
        await keys.press("f1")
        await keys.type("2")  # once edited, typing edits
        assert field.value == "vote2"
        await keys.press("enter")
        assert app.interview.value("app") == "vote2"


async def test_a_question_mark_typed_into_edited_text_is_text(repo: Path) -> None:
    app = at(repo, "output")
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        keys = Keys(pilot)
        await keys.type("deploy")
        await keys.press("question_mark")
        assert app.screen.query_one("#reply-input", Input).value == "deploy?"


async def test_changing_the_app_name_keeps_a_typed_flux_url(repo: Path) -> None:
    app = at(repo, "flux_branch", flux_url="https://git.example.org/acme/shop.git")
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, InterviewScreen)
        await screen.edit("app")
        await settle(pilot)
        keys = Keys(pilot)
        await keys.type("store")
        await keys.press("enter")
        assert app.interview.value("flux_url") == "https://git.example.org/acme/shop.git"
        assert app.interview.value("app") == "store"
        assert current_id(app) == "namespaces"  # its proposals were built from the old name: asked again
        assert app.interview.current().default["staging"] == "store-staging"  # type: ignore[union-attr]


async def test_typing_on_a_choice_list_selects(repo: Path) -> None:
    app = at(repo, "secrets_provider")
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        keys = Keys(pilot)
        await keys.type("use sops")
        assert "use sops" in str(app.screen.query_one("#hint", Label).render())
        await keys.press("enter")
        assert app.interview.value("secrets_provider") == "sops"


async def test_an_unknown_choice_typed_is_asked_again_not_guessed(repo: Path) -> None:
    app = at(repo, "secrets_provider")
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        keys = Keys(pilot)
        await keys.type("vault")
        await keys.press("enter")
        assert current_id(app) == "secrets_provider"
        assert "did not recognise" in chat_text(app)


async def test_ctrl_c_exits_130_and_writes_nothing(repo: Path) -> None:
    before = tree_bytes(repo)
    app = at(repo, "replicas")
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+c")
        await settle(pilot)
    assert app.return_value == 130
    assert tree_bytes(repo) == before


async def test_quitting_without_a_change_keeps_no_draft(repo: Path, state_dir: Path) -> None:
    (repo / ".k8s-wizard.yaml").write_text(
        "version: 1\napp: shop\nsource: manifests\nenvironments:\n  - name: staging\n"
        "  - name: production\n    current: true\n",
    )
    app = make_app(repo)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        assert app.interview.value("environments") == ["staging", "production"]
        await pilot.press("ctrl+c")
        await settle(pilot)
    assert not list(state_dir.glob("*.json")), "nothing changed: no draft"


async def test_resume_shows_the_current_question(repo: Path) -> None:
    interview = Interview(load_questions(), start_facts(repo))
    while (ask := interview.current()) is not None and ask.id != "sealed_cert":
        interview.answer(None)
    DraftStore(repo).save(interview.draft())
    app = make_app(repo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await Keys(pilot).press("enter")
        await settle(pilot)
        chat = app.screen.query_one("#chat")
        current = next(b for b in app.screen.query(WizardSays) if b.has_class("current"))
        assert current.region.height > 0
        assert chat.region.y <= current.region.y and current.region.bottom <= chat.region.bottom, "scrolled off"


async def test_facts_given_early_show_and_skip_their_questions(repo: Path) -> None:
    app = at(repo, "environments")
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        keys = Keys(pilot)
        await keys.paste("staging and prod, prod on shop.io with 3 replicas, use sops")
        await keys.press("enter")
        assert app.interview.value("host") == {"staging": "staging.shop.example.com", "prod": "shop.io"}
        known = app.screen.query_one("#known")
        lines = [str(known.get_option_at_index(i).prompt) for i in range(known.option_count)]  # type: ignore[attr-defined]
        assert any("shop.io" in line for line in lines) and any("sops" in line for line in lines)
        asked = []
        while current_id(app) is not None and len(asked) < 30:
            asked.append(current_id(app))
            await keys.press("enter")
        assert "host" not in asked and "replicas" not in asked and "secrets_provider" not in asked
        assert app.interview.value("replicas") == {"staging": 1, "prod": 3}


async def test_the_hint_fits_at_80_columns(repo: Path) -> None:
    app = at(repo, "app")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        hint = app.screen.query_one("#hint", Label)
        text = str(hint.render())
        assert hint.content_region.width >= len(text), f"{text!r} is cut at {hint.content_region.width} columns"


async def test_resuming_a_draft_on_another_folder_scans_that_folder(tmp_path: Path) -> None:
    repo = git_repo(tmp_path / "shop")
    shutil.copytree(FIXTURES / "plain-folder" / "manifests", repo / "specs" / "k8s")
    source = REAL / "example-voting-app"
    if not source.is_dir():
        pytest.skip("../shared/fixtures/real is absent")
    shutil.copytree(source, repo / "old-deploy", ignore=shutil.ignore_patterns("SOURCE.txt"))
    facts = start_facts(repo)
    assert facts["source"] == "old-deploy"
    interview = Interview(load_questions(), facts)
    assert interview.answer("specs/k8s") == []
    DraftStore(repo).save(interview.draft())
    app = make_app(repo)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await Keys(pilot).press("enter")  # resume
        assert app.facts["source"] == "specs/k8s"
        assert "7 objects in ./specs/k8s" in str(app.screen.query_one("#known").get_option_at_index(0).prompt)  # type: ignore[attr-defined]
