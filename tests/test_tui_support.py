"""Support for the Textual tests (no tests here): fixture repos on disk, a counting key presser, waiting for workers."""

from __future__ import annotations

import shutil
import subprocess
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from kube import REAL_FIXTURES
from textual import events
from textual.pilot import Pilot
from textual.widgets import OptionList

from wizard.interview.engine import Interview
from wizard.interview.model import load_questions
from wizard.tui.app import WizardApp, make_app
from wizard.tui.confirm import ConfirmScreen
from wizard.tui.done import DoneScreen
from wizard.tui.interview import InterviewScreen, WizardSays
from wizard.tui.startup import First, Found, saved_answers, start_facts

FIXTURES = Path(__file__).resolve().parent / "fixtures"
REAL = REAL_FIXTURES


def git_repo(repo: Path) -> Path:
    """`git init -b main` with an https origin, so the Flux URL and branch defaults are real."""
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    subprocess.run(["git", "-C", str(repo), "remote", "add", "origin", "https://github.com/acme/x.git"], check=True)
    return repo


def shop_repo(root: Path) -> Path:
    """tests/fixtures/plain-folder as a repository named `shop` (its manifests in ./manifests)."""
    repo = root / "shop"
    shutil.copytree(FIXTURES / "plain-folder" / "manifests", repo / "manifests")
    return git_repo(repo)


def voting_repo(root: Path) -> Path | None:
    """The real example-voting-app manifests as a repository named `vote`; None when shared/ is absent."""
    source = REAL / "example-voting-app"
    if not source.is_dir():
        return None
    repo = root / "vote"
    shutil.copytree(source, repo / "manifests", ignore=shutil.ignore_patterns("SOURCE.txt"))
    return git_repo(repo)


def tree_bytes(repo: Path) -> dict[str, bytes]:
    """Every file under the repository (but .git) with its bytes: to prove nothing was written."""
    return {
        p.relative_to(repo).as_posix(): p.read_bytes()
        for p in sorted(repo.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(repo).parts[:1]
    }


class Keys:
    """Presses keys through the Pilot and counts them (the 25-key promise is counted here)."""

    def __init__(self, pilot: Pilot[int]) -> None:
        self.pilot = pilot
        self.count = 0

    async def press(self, *keys: str) -> None:
        """Press each key, then let the app and its workers settle."""
        for key in keys:
            self.count += 1
            await self.pilot.press(key)
            await settle(self.pilot)

    async def type(self, text: str) -> None:
        """Type text character by character (each counts as a key), as a person types: the app handles each key
        before the next arrives (Textual waits for idle between keys), and everything settles once at the end."""
        self.count += len(text)
        await self.pilot.press(*text)
        await settle(self.pilot)

    async def paste(self, text: str) -> None:
        """Paste text into the focused widget, one event as a terminal delivers a paste (one key): for a sentence
        whose reading a test checks, not its typing (typing costs a screen update per character)."""
        focused = self.pilot.app.focused
        assert focused is not None, "nothing to paste into"
        self.count += 1
        focused.post_message(events.Paste(text))
        await settle(self.pilot)


KEY_BUDGET = 25
"""Enter-only key presses from launch to written files (the interview's promise)."""


def current_id(app: WizardApp) -> str | None:
    """The id of the question being asked."""
    ask = app.interview.current()
    return ask.id if ask is not None else None


async def enter_until_done(app: WizardApp, keys: Keys, *, before_write: Any = None) -> None:
    """Enter until the done screen; `before_write(app)` runs when the confirmation shows."""
    for _ in range(KEY_BUDGET * 2):
        if isinstance(app.screen, DoneScreen):
            return
        if isinstance(app.screen, ConfirmScreen) and before_write is not None:
            before_write(app)
        await keys.press("enter")
    raise AssertionError(f"not done after {keys.count} keys: on {type(app.screen).__name__}, asking {current_id(app)}")


async def settle(pilot: Pilot[int]) -> None:
    """Wait for the screen to update and every worker (planning, kustomize builds, the write) to finish."""
    await pilot.pause()
    for _ in range(5):  # a worker's result may start another (plan -> builds): wait until none is left
        if not any(not w.is_finished for w in pilot.app.workers):
            await pilot.pause()  # a callback after the refresh may start one (the side panel's resolver)
            if not any(not w.is_finished for w in pilot.app.workers):
                break
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def answered(
    repo: Path, until: str | None = None, answers: dict[str, Any] | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(facts, draft) of the interview answered as Enter would answer it (the proposals), up to the question
    `until` (not answered), or to the end; `answers` gives other answers to some questions (by id).

    A test that checks one screen starts the app there (`make_app(repo, facts=facts, draft=draft)`) instead
    of pressing Enter through every question before it: the engine walks the same way, without the screens.
    """
    facts = start_facts(repo, saved_answers(repo))
    interview = Interview(load_questions(), facts)
    for _ in range(100):
        ask = interview.current()
        if ask is None or ask.id == until:
            break
        errors = interview.answer((answers or {}).get(ask.id))
        assert errors == [], f"{ask.id}: {errors}"
    if until is not None:
        assert interview.current() is not None and interview.current().id == until, f"{until} was never asked"  # type: ignore[union-attr]
    return facts, interview.draft()


def app_at(repo: Path, until: str | None = None, answers: dict[str, Any] | None = None) -> WizardApp:
    """The app resumed at question `until` (or with every question answered: Enter plans the migration)."""
    facts, draft = answered(repo, until, answers)
    return make_app(repo, facts=facts, draft=draft)


class HeldScan:
    """`start_facts` through the app's seam (`make_app(scanner=...)`), held until `release` is set: at `"found"`
    (the folders found, before the first facts) or at `"first"` (the first facts told, no folder read)."""

    def __init__(self, at: str = "found") -> None:
        assert at in ("found", "first")
        self.at = at
        self.found = threading.Event()
        self.first = threading.Event()
        self.release = threading.Event()
        self.done = threading.Event()

    def _hold(self, moment: threading.Event, name: str) -> None:
        moment.set()
        if name == self.at:
            assert self.release.wait(60), "the test never released the scan"

    def __call__(
        self, repo: Path, saved: Mapping[str, Any] | None, on_found: Found | None, scanned: dict[str, Any] | None,
        on_first: First | None = None,
    ) -> dict[str, Any]:
        def found(candidates: list[dict[str, str]]) -> None:
            if on_found is not None:
                on_found(candidates)
            self._hold(self.found, "found")

        def first(partial: dict[str, Any]) -> None:
            if on_first is not None:
                on_first(partial)
            self._hold(self.first, "first")

        try:
            return start_facts(repo, saved, found if on_found is not None or self.at == "found" else None, scanned,
                               first if on_first is not None or self.at == "first" else None)
        finally:
            self.done.set()


def screen_of(app: WizardApp) -> InterviewScreen:
    """The interview screen, under whatever is pushed on it."""
    return next(s for s in app.screen_stack if isinstance(s, InterviewScreen))


def chat(app: WizardApp) -> list[str]:
    """The wizard's bubbles, as their Markdown."""
    return [w.source for w in screen_of(app).query(WizardSays)]


def known(app: WizardApp) -> list[str]:
    """The side panel's lines."""
    panel = screen_of(app).query_one("#known", OptionList)
    return [str(panel.get_option_at_index(i).prompt) for i in range(panel.option_count)]
