"""The Textual app driven through the Pilot, on real repositories on disk, writing real files.

Accepting every default from launch to written files takes at most 25 key presses (the one full walk);
changing answers (three environments, one with a custom name) writes those overlays; quitting before the
confirmation writes nothing and leaves a draft the next start resumes; going back re-asks only what depends
on it. Every test but the full walk starts at the screen it checks (`app_at`: the interview answered with its
proposals by the engine, as Enter would), so the suite does not press Enter through the interview each time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import run_cli
from test_tui_support import (
    KEY_BUDGET,
    REAL,
    Keys,
    answered,
    app_at,
    current_id,
    enter_until_done,
    settle,
    shop_repo,
    tree_bytes,
    voting_repo,
)
from textual.widgets import Input, OptionList

from wizard.core.errors import InputError
from wizard.tui.app import WizardApp, make_app
from wizard.tui.confirm import ConfirmScreen
from wizard.tui.done import DoneScreen, next_commands
from wizard.tui.interview import InterviewScreen, WizardSays, YouSaid
from wizard.tui.plan import PlanScreen
from wizard.tui.preview import FileTree, PreviewScreen
from wizard.tui.startup import DraftStore


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """The plain-folder fixture as a git repository named shop."""
    return shop_repo(tmp_path / "work")


def chat_text(app: WizardApp) -> str:
    """Everything in the chat, as plain text."""
    screen = app.screen
    assert isinstance(screen, InterviewScreen)
    return "\n".join(bubble.source for bubble in screen.query("#chat > *") if isinstance(bubble, WizardSays | YouSaid))


async def test_accepting_every_default_writes_the_tree_within_25_keys(repo: Path, state_dir: Path) -> None:
    before = tree_bytes(repo)
    seen: list[str] = []

    def unchanged_until_confirmed(app: WizardApp) -> None:
        assert tree_bytes(repo) == before, "something was written before the confirmation"
        seen.append("confirm")

    app = make_app(repo)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        keys = Keys(pilot)
        await enter_until_done(app, keys, before_write=unchanged_until_confirmed)
        assert seen == ["confirm"]
        assert keys.count <= KEY_BUDGET, f"{keys.count} key presses"
        screen = app.screen
        assert isinstance(screen, DoneScreen)
        assert "MIGRATION.md" in screen.written and "k8s-wizard validate" in next_commands(screen.outcome)
        print(f"accepting every default: {keys.count} key presses")
        await keys.press("enter")  # quits
    assert app.return_value == 0
    for path in ("k8s/base/kustomization.yaml", "k8s/overlays/staging/kustomization.yaml",
                 "k8s/overlays/production/kustomization.yaml", "k8s/flux/source.yaml", "k8s/flux/staging.yaml",
                 "k8s/flux/production.yaml", "MIGRATION.md", ".k8s-wizard.yaml"):
        assert (repo / path).is_file(), path
    answers = yaml.safe_load((repo / ".k8s-wizard.yaml").read_text())
    assert [e["name"] for e in answers["environments"]] == ["staging", "production"]
    assert answers["flux"] == {"url": "https://github.com/acme/x.git", "branch": "main"}
    assert (repo / "manifests").is_dir() and tree_bytes(repo)["manifests/web.yaml"] == before["manifests/web.yaml"]
    assert not any(state_dir.glob("*.json")), "the draft is dropped once the files are written"


@pytest.mark.skipif(not (REAL / "example-voting-app").is_dir(), reason="../shared/fixtures/real is absent")
async def test_defaults_on_a_real_repository_within_25_keys(tmp_path: Path) -> None:
    repo = voting_repo(tmp_path / "work")
    assert repo is not None
    facts, draft = answered(repo)  # Enter on every question, by the engine: one key per answered question
    questions = len(draft["answers"])
    app = make_app(repo, facts=facts, draft=draft)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        keys = Keys(pilot)
        await enter_until_done(app, keys)  # plan, preview, confirm: the keys after the last question
        assert questions + keys.count <= KEY_BUDGET, f"{questions} questions + {keys.count} key presses"
    assert (repo / "k8s/overlays/staging/kustomization.yaml").is_file()
    assert (repo / "k8s/overlays/production/kustomization.yaml").is_file()


async def test_three_environments_with_a_custom_name(repo: Path) -> None:
    app = app_at(repo, "environments")
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        keys = Keys(pilot)
        assert isinstance(app.screen.focused, Input) and app.screen.focused.value == "staging, production"
        await keys.type("staging, qa and prod")  # the proposed text is selected: typing replaces it
        await keys.press("enter")
        assert app.interview.value("environments") == ["staging", "qa", "prod"]  # the names as typed
        assert current_id(app) == "current"
    # the rest answered with the proposals, as Enter would; then plan, preview, confirm and write
    done = app_at(repo, answers={"environments": "staging, qa and prod"})
    async with done.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await enter_until_done(done, Keys(pilot))
    answers = yaml.safe_load((repo / ".k8s-wizard.yaml").read_text())
    assert [e["name"] for e in answers["environments"]] == ["staging", "qa", "prod"]
    for env in ("staging", "qa", "prod"):
        assert (repo / f"k8s/overlays/{env}/kustomization.yaml").is_file(), env
        assert (repo / f"k8s/flux/{env}.yaml").is_file(), env
    assert next(e for e in answers["environments"] if e["name"] == "qa")["namespace"] == "shop-qa"


async def test_quitting_writes_nothing_and_the_next_start_resumes(repo: Path, state_dir: Path) -> None:
    before = tree_bytes(repo)
    app = app_at(repo, "environments")
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        keys = Keys(pilot)
        await keys.type("dev, staging, prod")
        await keys.press("enter", "enter")  # environments, then which one runs today
        left_at = current_id(app)
        await keys.press("ctrl+c")
    assert app.return_value == 130
    assert tree_bytes(repo) == before, "quitting wrote into the repository"
    drafts = list(state_dir.glob("*.json"))
    assert len(drafts) == 1 and DraftStore(repo).load() is not None

    again = make_app(repo)
    async with again.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        assert isinstance(again.screen, ConfirmScreen), "the next start offers to resume"
        await Keys(pilot).press("enter")
        assert isinstance(again.screen, InterviewScreen)
        assert current_id(again) == left_at
        assert again.interview.value("environments") == ["dev", "staging", "prod"]
        assert "Welcome back" in chat_text(again)


async def test_declining_the_write_and_quitting_at_preview_writes_nothing(repo: Path) -> None:
    before = tree_bytes(repo)
    _, draft = answered(repo)
    app = app_at(repo, list(draft["answers"])[-1])  # the last question: answering it is a change worth a draft
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        keys = Keys(pilot)
        while not isinstance(app.screen, ConfirmScreen):
            await keys.press("enter")
        await keys.press("n")  # not yet
        assert isinstance(app.screen, PreviewScreen)
        await keys.press("ctrl+q")
    assert tree_bytes(repo) == before
    draft = DraftStore(repo).load()
    assert draft is not None and draft["answers"]["ci"] == "github-actions"


async def test_going_back_reasks_only_dependent_questions(repo: Path) -> None:
    app = app_at(repo, "output")
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        keys = Keys(pilot)
        asked = [e.question.id for e in app.interview.transcript()]
        assert asked[:3] == ["today", "app", "environments"]

        # Esc re-asks the previous answer with that answer proposed; Enter keeps it and nothing else is asked.
        await keys.press("escape")
        assert current_id(app) == "services"
        await keys.press("enter")
        assert current_id(app) == "output"

        # Pick "Environments" under What I know and change it: only what depends on it comes back.
        screen = app.screen
        assert isinstance(screen, InterviewScreen)
        known = screen.query_one("#known", OptionList)
        known.focus()
        index = next(i for i in range(known.option_count) if known.get_option_at_index(i).id == "environments")
        known.highlighted = index
        await keys.press("enter")
        assert current_id(app) == "environments"
        await keys.type("staging, qa, production")
        await keys.press("enter")
        reasked = []
        while current_id(app) != "output":
            reasked.append(current_id(app))
            await keys.press("enter")
        assert reasked == ["current", "namespaces", "one_cluster", "replicas", "host", "services"]
        assert "app" not in reasked and "differs" not in reasked
        assert app.interview.value("app") == "shop"


async def test_clicking_an_earlier_answer_reasks_it(repo: Path) -> None:
    app = make_app(repo)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        keys = Keys(pilot)
        await keys.press("enter", "enter")
        bubble = next(b for b in app.screen.query(YouSaid) if b.question_id == "app")
        await pilot.click(bubble)
        await settle(pilot)
        assert current_id(app) == "app"
        await keys.press("escape")  # leave it as it was
        assert current_id(app) == "environments"


async def test_help_and_a_rejected_answer_show_in_the_chat(repo: Path) -> None:
    app = make_app(repo)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        keys = Keys(pilot)
        await keys.press("?")
        assert "These manifests become the shared base" in chat_text(app)
        await keys.press("enter")
        assert current_id(app) == "app"
        await keys.type("Not_A_Name")
        await keys.press("enter")
        assert current_id(app) == "app"
        assert [b for b in app.screen.query(WizardSays) if b.has_class("problem")]
        await keys.press("ctrl+u")
        await keys.type("why")
        await keys.press("enter")
        assert "valid Kubernetes name" in chat_text(app)


async def test_an_answers_error_is_shown_in_the_chat_not_a_crash(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: Any, **_kwargs: Any) -> Any:
        raise InputError("environments[1].namespace: 'shop' is used twice")

    monkeypatch.setattr("wizard.core.pipeline.load_answers", refuse)
    facts, draft = answered(repo)
    last = list(draft["answers"])[-1]
    app = app_at(repo, last)  # the last question: its answer finishes the interview and loads the answers
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        keys = Keys(pilot)
        for _ in range(20):
            await keys.press("enter")
            if app.interview.done:
                break
        assert isinstance(app.screen, InterviewScreen)
        assert "is used twice" in chat_text(app)
        assert [b for b in app.screen.query(WizardSays) if b.has_class("problem")]


def _write(repo: Path, answers: dict[str, Any] | None = None) -> None:
    """What the interview writes when its proposals (and `answers`) are accepted: `apply --yes` of its answers."""
    from wizard.interview.engine import Interview
    from wizard.interview.model import load_questions

    facts, draft = answered(repo, answers=answers)
    answers_file = repo.parent / "answers.yaml"
    interview = Interview.from_draft(load_questions(), facts, draft)
    answers_file.write_text(yaml.safe_dump(interview.answers(), sort_keys=False), encoding="utf-8")
    result = run_cli("apply", "--answers", str(answers_file), "--repo", str(repo), "--yes")
    assert result.code == 0, result.describe()


async def test_saved_answers_are_the_start(repo: Path) -> None:
    _write(repo, {"environments": "qa, production"})
    again = make_app(repo)
    async with again.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        assert again.interview.done
        assert again.interview.value("environments") == ["qa", "production"]
        assert ".k8s-wizard.yaml" in chat_text(again)
        keys = Keys(pilot)
        await keys.press("enter")  # plan the migration
        assert isinstance(again.screen, PlanScreen)
        await keys.press("enter")
        assert isinstance(again.screen, PreviewScreen)
        kinds = {c.kind.value for c in again.screen.outcome.plan.changes}
        assert kinds == {"unchanged"}, "the same answers change nothing"


async def test_preview_settles_a_conflict_the_way_chosen(repo: Path) -> None:
    _write(repo)
    mine = "# my own qa namespace\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: qa-by-hand\n"
    (repo / "k8s/overlays/qa").mkdir(parents=True)
    (repo / "k8s/overlays/qa/namespace.yaml").write_text(mine)
    before = tree_bytes(repo)

    again = app_at(repo, answers={"environments": "staging, qa, production"})  # a qa environment added
    async with again.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        keys = Keys(pilot)
        assert isinstance(again.screen, InterviewScreen) and again.interview.done
        while not isinstance(again.screen, PlanScreen):
            await keys.press("enter")
        await keys.press("enter")
        preview = again.screen
        assert isinstance(preview, PreviewScreen)
        assert preview.check is not None and preview.check.ok, preview.check
        assert [c.path for c in preview.outcome.conflicts] == ["k8s/overlays/qa/namespace.yaml"]
        await keys.press("enter")
        assert again.screen is preview, "Enter is refused while a conflict is open"
        tree = preview.query_one(FileTree)
        node = next(n for n in preview._leaves(tree.root) if n.data == "k8s/overlays/qa/namespace.yaml")
        tree.move_cursor(node)
        await settle(pilot)
        await keys.press("d")
        assert preview.show_diff
        await keys.press("m")  # keep mine
        assert not preview.outcome.conflicts
        assert tree_bytes(repo) == before
        await keys.press("enter", "enter")
        assert isinstance(again.screen, DoneScreen)
    assert (repo / "k8s/overlays/qa/namespace.yaml").read_text() == mine
    assert (repo / "k8s/overlays/qa/kustomization.yaml").is_file()


async def test_palette_theme_and_small_terminal(repo: Path) -> None:
    app = make_app(repo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert {"Why do you ask?", "Back", "Edit an answer", "Toggle light/dark theme"} <= set(titles)
        await Keys(pilot).press("ctrl+t")
        assert app.theme == "textual-light"
        screen = app.screen
        assert screen.query_one("#reply-input").region.bottom <= 24
        assert screen.query_one("#known").region.right <= 80
