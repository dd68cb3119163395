"""The tests' paint-on-demand (tests/frames.py) still fails a test whose last screen cannot be rendered."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult
from textual.widget import Widget


class Brittle(Widget):
    """Renders until told to break."""

    broken = False
    renders = 0

    def render(self) -> str:
        self.renders += 1
        if self.broken:
            raise RuntimeError("this widget cannot render")
        return "fine"


class OneWidget(App[None]):
    def compose(self) -> ComposeResult:
        yield Brittle()


async def test_a_screen_that_cannot_render_fails_the_test() -> None:
    app = OneWidget()
    with pytest.raises(RuntimeError, match="cannot render"):
        async with app.run_test(size=(40, 5)) as pilot:
            await pilot.pause()
            app.query_one(Brittle).broken = True
            app.query_one(Brittle).refresh()
            await pilot.pause()


async def test_the_last_screen_is_rendered_when_the_test_leaves() -> None:
    app = OneWidget()
    async with app.run_test(size=(40, 5)) as pilot:
        await pilot.pause()
        widget = app.query_one(Brittle)
        before = widget.renders
    assert widget.renders > before
