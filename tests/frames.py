"""Headless Textual apps paint a frame when a test asks for one, not on every refresh.

Textual's headless driver (what `App.run_test` uses) throws every frame away, yet the compositor still renders
each dirty region of each refresh: two fifths of a Pilot test's CPU went into frames nobody saw. The tests read
the widgets (the chat, the panel, the focused input), and the screens they compare as pictures are rendered on
demand (`export_screenshot`, pytest-textual-snapshot). So a headless app skips the per-refresh paint, and when
the test leaves `run_test` the screen it ended on is rendered in full once: a widget that cannot render still
fails the test that showed it.

Layout, compose, mount, focus and message handling run exactly as before; only the discarded paint is skipped.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from textual.app import App
from textual.screen import Screen

__all__ = ["paint_on_demand", "shorter_idle_slices"]


def shorter_idle_slices(seconds: float = 1 / 200) -> None:
    """Textual's Pilot decides that an app is idle by sleeping in slices (1/50 s) until a slice passes with almost
    no CPU used, so every key pressed and every pause costs at least one slice of wall time: ~8 s of idle in a
    serial run of the Pilot tests. The tests wait for the app's workers themselves (`test_tui_support.settle`), so
    a 5 ms slice is as good a sign of idle; the idle rule (under 1/20 of the slice in CPU) is kept."""
    import textual._wait as wait

    wait.SLEEP_GRANULARITY = seconds
    wait.SLEEP_IDLE = seconds / 20.0


def paint_on_demand() -> None:
    """Patch Textual (in this test process only) so that headless screens paint when asked."""
    refresh = Screen._compositor_refresh

    def compositor_refresh(self: Screen[Any]) -> None:
        app = self.app
        if not (app.is_headless and not app.is_inline and self is app.screen):
            refresh(self)
            return
        # what the real refresh does besides painting: forget what was dirty, keep hover state right
        self._compositor._dirty_regions.clear()
        self._dirty_widgets.clear()
        app._update_mouse_over(self)

    run_test = App.run_test

    @contextlib.asynccontextmanager
    async def run_test_painting_last_screen(self: App[Any], *args: Any, **kwargs: Any) -> AsyncIterator[Any]:
        async with run_test(self, *args, **kwargs) as pilot:
            yield pilot
            if self._running and self.screen_stack:
                self.screen._compositor.render_update(full=True).render_segments(self.console)

    Screen._compositor_refresh = compositor_refresh  # type: ignore[method-assign]
    App.run_test = run_test_painting_last_screen  # type: ignore[method-assign,assignment]
