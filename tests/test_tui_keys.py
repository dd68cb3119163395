"""A key press in the interview changes only what it changes on screen (so each key stays cheap).

An answer adds its bubbles under the conversation (the bubbles above it are the same widgets, not mounted
again), going back removes from the end, and after any mix of answers, going back, help, refused answers and
picking an answer on the right the chat shows exactly the conversation the screen would draw from scratch.
A text question after a text question keeps the input widget, which then behaves as a new one: the proposal
selected and replaced by the first key typed, checked against the new question. The key bar is rebuilt only
when the keys it shows change (a several-of list's Space and Enter), not on every answer.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_tui_support import Keys, app_at, current_id, settle, shop_repo
from textual.widget import Widget
from textual.widgets import Input, Label, OptionList
from textual.widgets._footer import FooterKey

from wizard.tui.app import WizardApp
from wizard.tui.footer import KeysFooter
from wizard.tui.interview import KEY_HINT, InterviewScreen, WizardSays, YouSaid


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """The plain-folder fixture as a git repository named shop."""
    return shop_repo(tmp_path / "work")


def screen_of(app: WizardApp) -> InterviewScreen:
    """The interview screen (the test fails if another screen shows)."""
    screen = app.screen
    assert isinstance(screen, InterviewScreen), type(screen).__name__
    return screen


def bubbles(app: WizardApp) -> list[Widget]:
    """The chat's widgets, top to bottom."""
    return list(screen_of(app).query_one("#chat").children)


def assert_drawn_as_from_scratch(app: WizardApp) -> None:
    """The chat shows what the screen draws for this state from scratch: the same bubbles, in order, each with
    its text, its kind and (an answer) its question."""
    screen = screen_of(app)
    wanted = screen._bubbles(screen.interview.current() if screen.interview else None)
    shown = bubbles(app)
    assert len(shown) == len(wanted), [getattr(w, "source", w) for w in shown]
    for widget, bubble in zip(shown, wanted, strict=True):
        if bubble.who == "you":
            assert isinstance(widget, YouSaid) and widget.source == bubble.text, widget
            assert widget.question_id == bubble.question_id
        else:
            assert isinstance(widget, WizardSays) and widget.source == bubble.text, widget
            assert widget.has_class(bubble.kind), (bubble.kind, widget.classes)


async def test_an_answer_adds_its_bubbles_and_going_back_removes_them(repo: Path) -> None:
    app = app_at(repo, "environments")
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        keys = Keys(pilot)
        before = bubbles(app)
        assert isinstance(before[-1], WizardSays) and before[-1].has_class("current")

        await keys.press("enter")
        assert current_id(app) == "current"
        after = bubbles(app)
        assert all(a is b for a, b in zip(after, before[:-1], strict=False)), "a bubble above the answer was mounted again"
        new = after[len(before) - 1:]
        assert [type(b).__name__ for b in new] == ["WizardSays", "YouSaid", "WizardSays"]
        assert isinstance(new[1], YouSaid) and new[1].source == "staging, production"
        assert new[0].has_class("past") and new[2].has_class("current")
        assert_drawn_as_from_scratch(app)

        await keys.press("escape")  # back to environments: the answer's bubbles go, the ones above stay
        assert current_id(app) == "environments"
        back = bubbles(app)
        assert all(a is b for a, b in zip(back, before[:-1], strict=False))
        assert len(back) == len(before) + 1  # "Changing an earlier answer" above the question
        assert_drawn_as_from_scratch(app)


async def test_help_problems_and_edits_leave_the_chat_as_drawn_from_scratch(repo: Path) -> None:
    app = app_at(repo, "app")
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        keys = Keys(pilot)
        await keys.press("?")  # help under the question
        assert any(isinstance(b, WizardSays) and b.has_class("help") for b in bubbles(app))
        assert_drawn_as_from_scratch(app)
        await keys.type("Not_A_Name")
        await keys.press("enter")  # refused: the problem shows under the help
        assert current_id(app) == "app"
        assert any(isinstance(b, WizardSays) and b.has_class("problem") for b in bubbles(app))
        assert_drawn_as_from_scratch(app)
        await keys.press("ctrl+u")
        await keys.type("web")
        await keys.press("enter", "enter", "enter")  # app, environments, current
        assert current_id(app) == "namespaces"
        assert_drawn_as_from_scratch(app)

        known = screen_of(app).query_one("#known", OptionList)  # change the first answer from the side panel
        known.focus()
        known.highlighted = next(i for i in range(known.option_count) if known.get_option_at_index(i).id == "today")
        await keys.press("enter")
        assert current_id(app) == "today"
        assert_drawn_as_from_scratch(app)
        await keys.press("escape")  # left as it was
        assert current_id(app) == "namespaces"
        assert_drawn_as_from_scratch(app)


async def test_a_text_question_after_a_text_question_reuses_the_input_as_new(repo: Path) -> None:
    app = app_at(repo, "app")
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        keys = Keys(pilot)
        screen = screen_of(app)
        field = screen.query_one("#reply-input", Input)
        hint = screen.query_one("#hint", Label)
        assert field.value == "shop"

        await keys.press("enter")
        assert current_id(app) == "environments"
        assert screen.query_one("#reply-input") is field, "a new input for a text question after a text question"
        assert field.has_focus and field.value == "staging, production"
        assert field.selected_text == "staging, production", "the proposal is selected, as in a new input"
        await keys.type("q")  # the first key replaces the proposal
        assert field.value == "q"
        await keys.press("ctrl+u")
        await keys.type("Bad_Env")  # checked as an environment name now, not as the app's name
        message = app.interview.check("Bad_Env")
        assert message and str(hint.render()) == message[0]
        assert field.has_class("-invalid")

        await keys.press("escape")  # back to the app's name: the input shows its answer, nothing flagged
        assert current_id(app) == "app"
        assert screen.query_one("#reply-input") is field
        assert field.value == "shop" and not field.has_class("-invalid")
        assert str(hint.render()) == KEY_HINT
        await keys.type("x")
        assert field.value == "x", "typing over the proposal replaces it after going back too"
        await keys.press("enter")
        assert current_id(app) == "environments"
        assert app.interview.value("app") == "x"

        ask = app.interview.current()  # the same proposal again (the value does not change): checked all the same
        assert ask is not None and field.value == ask.shown_default()
        field.ask_next(ask, lambda value: [f"refused: {value}"])
        await settle(pilot)
        assert field.has_class("-invalid") and str(hint.render()) == "refused: staging, production"


async def test_the_key_bar_is_rebuilt_only_when_its_keys_change(repo: Path) -> None:
    app = app_at(repo, "one_cluster")
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        keys = Keys(pilot)
        footer = screen_of(app).query_one(KeysFooter)

        def shown() -> list[str]:
            return [key.description for key in footer.query(FooterKey)]

        assert "Back" in shown() and "Toggle" not in shown()
        await keys.press("enter")  # one_cluster -> differs, a several-of list: Space and Enter are its keys
        assert current_id(app) == "differs"
        assert "Toggle" in shown() and "Send" in shown()
        await keys.press("enter")  # differs -> replicas (per environment)
        assert current_id(app) == "replicas"
        assert "Toggle" not in shown() and "Back" in shown()
        before = list(footer.children)
        await keys.press("enter")  # replicas -> host: the same keys, the same key bar
        assert current_id(app) == "host"
        assert list(footer.children) == before and all(a is b for a, b in zip(footer.children, before, strict=True))


async def test_the_side_panel_is_redrawn_only_when_its_lines_change(repo: Path) -> None:
    app = app_at(repo, "environments")
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        keys = Keys(pilot)
        known = screen_of(app).query_one("#known", OptionList)
        before = list(known.options)
        assert [o.id for o in before if o.id] == ["today", "app"]
        known.focus()  # change the app's name from the panel, then leave it as it was: nothing known changed
        known.highlighted = next(i for i, o in enumerate(before) if o.id == "app")
        await keys.press("enter")
        assert current_id(app) == "app"
        await keys.press("escape")
        assert current_id(app) == "environments"
        assert all(a is b for a, b in zip(known.options, before, strict=True)), "the panel was rebuilt"
        assert known.highlighted == next(i for i, o in enumerate(before) if o.id == "app"), "the panel's cursor moved"

        screen_of(app).focus_reply()
        await keys.press("enter")  # environments answered: added under the others, the lines above kept
        assert current_id(app) == "current"
        assert [o.id for o in known.options if o.id] == ["today", "app", "environments"]
        assert str(known.get_option("environments").prompt) == "Environments: staging, production"
