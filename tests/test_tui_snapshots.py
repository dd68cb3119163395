"""Snapshots of the main screens at fixed sizes (pytest-textual-snapshot; `--snapshot-update` to accept changes).

The repository is the plain-folder fixture copied to a folder named `shop` with a fixed git remote, so
nothing that varies between runs (temporary paths, times) reaches the screen. The interview screens are
reached by pressing Enter; the plan, preview and done screens start from the interview answered with its
proposals (`app_at`), which is what pressing Enter through it gives.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from test_tui_support import app_at, settle, shop_repo
from textual.pilot import Pilot
from textual.widgets import Input

from wizard.tui.app import make_app
from wizard.tui.done import DoneScreen
from wizard.tui.plan import PlanScreen
from wizard.tui.preview import PreviewScreen


def until(question: str | None = None, screen: type | None = None) -> Any:
    """A run_before that presses Enter until the question is asked or the screen shows."""

    async def run(pilot: Pilot[int]) -> None:
        app: Any = pilot.app
        await settle(pilot)
        for _ in range(40):
            ask = app.interview.current()
            if (question and ask is not None and ask.id == question) or (screen and isinstance(app.screen, screen)):
                break
            await pilot.press("enter")
            await settle(pilot)
        await settle(pilot)
        for field in app.screen.query(Input):  # a blinking cursor is drawn or not depending on the machine's load
            field.cursor_blink = False
        await settle(pilot)

    return run


def test_interview_screen(tmp_path: Path, snap_compare: Any) -> None:
    app = make_app(shop_repo(tmp_path))
    assert snap_compare(app, terminal_size=(100, 32), run_before=until(question="replicas"))


def test_interview_screen_at_80x24(tmp_path: Path, snap_compare: Any) -> None:
    app = make_app(shop_repo(tmp_path))
    assert snap_compare(app, terminal_size=(80, 24), run_before=until(question="differs"))


def test_plan_screen(tmp_path: Path, snap_compare: Any) -> None:
    app = app_at(shop_repo(tmp_path))
    assert snap_compare(app, terminal_size=(100, 32), run_before=until(screen=PlanScreen))


def test_preview_screen(tmp_path: Path, snap_compare: Any) -> None:
    app = app_at(shop_repo(tmp_path))
    assert snap_compare(app, terminal_size=(100, 32), run_before=until(screen=PreviewScreen))


def test_done_screen(tmp_path: Path, snap_compare: Any) -> None:
    app = app_at(shop_repo(tmp_path))
    assert snap_compare(app, terminal_size=(100, 32), run_before=until(screen=DoneScreen))
