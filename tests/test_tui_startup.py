"""The app's first screen comes before the scan: the repository is read in a worker (issue 12).

The scan is held through the app's real seam (`make_app(scanner=...)`): the real `start_facts` runs, and the
test holds it between finding the folders that hold Kubernetes objects and reading them, with a
threading.Event. So the screen can be checked while the scan is still running, then the facts released.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
import yaml
from test_tui_support import HeldScan, answered, chat, known, screen_of, settle, shop_repo, tree_bytes
from textual.pilot import Pilot
from textual.widgets import Input, Label, OptionList

from wizard.core.errors import InputError
from wizard.tui.app import make_app
from wizard.tui.confirm import ConfirmScreen
from wizard.tui.interview import READING, InterviewScreen
from wizard.tui.startup import DraftStore, folder_facts


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return shop_repo(tmp_path)


async def until_started(pilot: Pilot[int], held: HeldFolder) -> None:
    """Wait (the workers are held) until the named folder's read has started, and the screen has said so."""
    for _ in range(200):
        if held.started.is_set():
            break
        await pilot.pause(0.05)
    await pilot.pause(0.1)


async def until_found(pilot: Pilot[int], held: HeldScan) -> None:
    """Wait (without waiting for the workers, which are held) until the found folders are on screen."""
    for _ in range(600):
        if held.found.is_set() and any("reading ./" in line for line in known(pilot.app)):  # type: ignore[arg-type]
            return
        await pilot.pause(0.05)
    raise AssertionError(f"the found folders never showed: {known(pilot.app)}")  # type: ignore[arg-type]


async def test_the_first_screen_is_up_while_the_scan_runs_and_the_question_follows_the_facts(repo: Path) -> None:
    held = HeldScan()
    app = make_app(repo, scanner=held)
    try:
        async with app.run_test(size=(100, 32)) as pilot:
            await until_found(pilot, held)
            screen = screen_of(app)
            assert app.screen is screen and screen.reading and app.interview is None
            assert not held.done.is_set(), "the scan finished before the screen was checked"
            assert chat(app) == [READING]
            assert str(screen.query_one("#reading", Label).render()).startswith("Reading the manifests…")
            assert not screen.query(Input)
            assert known(app) == ["reading ./manifests (7 objects: Service, ConfigMap, Deployment, Ingress)…"]

            held.release.set()
            await settle(pilot)
            assert held.done.is_set() and not screen.reading and app.interview is not None
            ask = app.interview.current()
            assert ask is not None and ask.id == "today"
            assert chat(app)[-1] == ask.text and "**7 objects** in `./manifests`" in ask.text
            assert known(app)[:3] == ["7 objects in ./manifests", "workloads: shop-migrate, postgres, shop-web",
                                      "namespace today: default"]
            assert not screen.query("#reading")
            assert app.facts is not None and app.facts["object_count"] == 7
            resolver = screen._resolver  # the side panel's: it works from the start's scan instead of reading again
            assert resolver is not None and resolver.scan("manifests") is app.scans["manifests"]
            await pilot.press("enter")  # the first answer goes to the facts' interview
            await settle(pilot)
            assert app.interview.value("today") is True and app.interview.current().id == "app"  # type: ignore[union-attr]
    finally:
        held.release.set()


async def test_a_resume_answered_while_reading_is_applied_when_the_facts_arrive(repo: Path, state_dir: Path) -> None:
    facts, draft = answered(repo, "replicas", {"environments": "dev, staging, production"})
    DraftStore(repo.resolve(), state_dir).save(draft)
    held = HeldScan()
    app = make_app(repo, scanner=held)
    try:
        async with app.run_test(size=(100, 32)) as pilot:
            await until_found(pilot, held)
            assert isinstance(app.screen, ConfirmScreen) and app.interview is None
            await pilot.press("enter")  # Resume, before the scan has read anything
            await pilot.pause(0.1)
            assert isinstance(app.screen, InterviewScreen) and app.screen.reading  # kept until the facts arrive
            held.release.set()
            await settle(pilot)
            ask = app.interview.current()  # type: ignore[union-attr]
            assert ask is not None and ask.id == "replicas"
            assert app.interview.value("environments") == ["dev", "staging", "production"]  # type: ignore[union-attr]
            assert chat(app)[0] == "Welcome back: here is where you left off."
            assert isinstance(app.screen.focused, Input)
    finally:
        held.release.set()


async def test_start_over_while_reading_starts_at_the_first_question(repo: Path, state_dir: Path) -> None:
    _, draft = answered(repo, "replicas")
    DraftStore(repo.resolve(), state_dir).save(draft)
    held = HeldScan()
    app = make_app(repo, scanner=held)
    try:
        async with app.run_test(size=(100, 32)) as pilot:
            await until_found(pilot, held)
            await pilot.press("n")  # Start over
            held.release.set()
            await settle(pilot)
            assert app.interview is not None and app.interview.current().id == "today"  # type: ignore[union-attr]
            assert app.interview.draft()["answers"] == {}
            assert isinstance(app.screen.focused, OptionList) and app.screen.focused.id == "reply-input"
    finally:
        held.release.set()


@pytest.mark.parametrize(("key", "question"), [("enter", "differs"), ("n", "today")], ids=["resume", "start-over"])
async def test_the_offer_still_open_when_the_facts_arrive_is_answered_after(
    repo: Path, state_dir: Path, key: str, question: str,
) -> None:
    _, draft = answered(repo, "differs")
    DraftStore(repo.resolve(), state_dir).save(draft)
    held = HeldScan()
    app = make_app(repo, scanner=held)
    try:
        async with app.run_test(size=(100, 32)) as pilot:
            await until_found(pilot, held)
            held.release.set()
            await settle(pilot)
            assert isinstance(app.screen, ConfirmScreen)  # the facts came in underneath the question
            assert screen_of(app).interview is app.interview and app.interview is not None
            await pilot.press(key)
            await settle(pilot)
            assert app.interview.current().id == question  # type: ignore[union-attr]
            focused = app.screen.focused  # the question came in under the offer: ready for typing once it closes
            assert focused is not None and focused.id == "reply-input"
    finally:
        held.release.set()


async def test_quitting_while_reading_writes_nothing_and_keeps_no_draft(repo: Path, state_dir: Path) -> None:
    before = tree_bytes(repo)
    held = HeldScan()
    app = make_app(repo, scanner=held)
    try:
        async with app.run_test(size=(100, 32)) as pilot:
            await until_found(pilot, held)
            await pilot.press("escape", "f1", "f2")  # nothing to go back to, to explain or to change yet
            assert screen_of(app).reading
            await pilot.press("ctrl+q")
        assert app.return_value == 1
        assert not held.done.is_set(), "the app waited for the scan before closing"
    finally:
        held.release.set()
    assert held.done.wait(30)
    assert tree_bytes(repo) == before
    assert not any(state_dir.glob("*.json"))


async def test_a_folder_that_cannot_be_read_closes_the_app_with_the_error(repo: Path) -> None:
    (repo / ".k8s-wizard.yaml").write_text(yaml.safe_dump({"version": 1, "source": "gone"}))
    app = make_app(repo)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
    assert app.return_value == 2
    assert isinstance(app.failure, InputError) and "'gone' not found" in str(app.failure)


async def test_saved_answers_are_the_start_once_read(repo: Path) -> None:
    facts, draft = answered(repo)
    from wizard.interview.engine import Interview
    from wizard.interview.model import load_questions

    answers = Interview.from_draft(load_questions(), facts, draft).answers()
    (repo / ".k8s-wizard.yaml").write_text(yaml.safe_dump(answers))
    held = HeldScan()
    app = make_app(repo, scanner=held)
    try:
        async with app.run_test(size=(100, 32)) as pilot:
            await until_found(pilot, held)
            assert known(app) == ["reading ./manifests (the folder your saved answers name)…"]
            held.release.set()
            await settle(pilot)
            assert chat(app)[0] == "I started from your saved answers in `.k8s-wizard.yaml`."
            assert app.interview is not None and app.interview.done
    finally:
        held.release.set()


class HeldFolder:
    """`folder_facts` (the folder the person names), held until `release` is set."""

    def __init__(self) -> None:
        self.started = threading.Event()
        self.release = threading.Event()
        self.sources: list[str] = []

    def __call__(self, repo: Path, source: str, candidates: list[dict[str, str]] | None) -> dict[str, Any]:
        self.sources.append(source)
        self.started.set()
        assert self.release.wait(60), "the test never released the scan"
        return folder_facts(repo, source, candidates)


def two_folders(tmp_path: Path) -> Path:
    """`deploy/` with the plain-folder fixture's 7 objects, `old/` with 5 of them (no ingress, no migrate job)."""
    repo = shop_repo(tmp_path)
    (repo / "manifests").rename(repo / "deploy")
    old = repo / "old"
    old.mkdir()
    for name in ("config.yaml", "postgres.yaml", "web.yaml"):
        (old / name).write_bytes((repo / "deploy" / name).read_bytes())
    return repo


async def test_a_named_folder_is_read_in_a_worker_and_the_answers_given_survive(tmp_path: Path) -> None:
    repo = two_folders(tmp_path)
    held = HeldFolder()
    app = make_app(repo, rescanner=held)
    try:
        async with app.run_test(size=(100, 32)) as pilot:
            await settle(pilot)
            assert app.interview is not None and app.interview.current().id == "pick_source"  # type: ignore[union-attr]
            assert app.facts is not None and app.facts["source"] == "deploy"
            await pilot.press(*"old", "enter")
            await until_started(pilot, held)
            screen = screen_of(app)
            assert held.sources == ["old"] and screen.reading
            assert chat(app)[-1] == "I am reading `./old`; the next question follows."
            assert not screen.query(Input) and not screen.query("#reply-input")  # nothing proposed from stale facts
            assert "reading ./old…" in known(app) and "Manifests: old" in known(app)  # the answer given is listed
            await pilot.press("escape", "f1")  # no going back while the folder is read
            assert app.interview.value("pick_source") == "old" and app.facts["source"] == "deploy"

            held.release.set()
            await settle(pilot)
            assert not screen.reading and app.facts["source"] == "old"
            assert app.interview.value("pick_source") == "old" and app.interview.value("source") == "old"
            ask = app.interview.current()
            assert ask is not None and ask.id == "app"
            assert [w["name"] for w in app.facts["workloads"]] == ["postgres", "shop-web"]
            assert "5 objects in ./old" in known(app)
            assert isinstance(app.screen.focused, Input)
    finally:
        held.release.set()


async def test_a_named_folder_that_cannot_be_read_is_asked_again(tmp_path: Path) -> None:
    repo = two_folders(tmp_path)
    app = make_app(repo)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await pilot.press("down", "down", "enter")  # other
        await settle(pilot)
        assert app.interview is not None and app.interview.current().id == "source"  # type: ignore[union-attr]
        await pilot.press(*"nowhere", "enter")
        await settle(pilot)
        ask = app.interview.current()
        assert ask is not None and ask.id == "source" and not screen_of(app).reading
        assert "I could not read `nowhere`" in chat(app)[-1]
        assert app.facts is not None and app.facts["source"] == "deploy"


async def test_resuming_a_draft_on_another_folder_reads_it_in_a_worker(tmp_path: Path, state_dir: Path) -> None:
    repo = two_folders(tmp_path)
    _, draft = answered(repo, "environments", {"pick_source": "old"})
    DraftStore(repo.resolve(), state_dir).save(draft)
    held = HeldFolder()
    app = make_app(repo, rescanner=held)
    try:
        async with app.run_test(size=(100, 32)) as pilot:
            for _ in range(200):  # the start's own scan (not held) finishes under the resume question
                if app.interview is not None:
                    break
                await pilot.pause(0.05)
            assert isinstance(app.screen, ConfirmScreen) and app.facts is not None and app.facts["source"] == "deploy"
            await pilot.press("enter")  # Resume: the draft chose ./old
            await until_started(pilot, held)
            screen = screen_of(app)
            assert held.sources == ["old"] and screen.reading and not screen.query("#reply-input")
            assert chat(app)[-1] == "I am reading `./old`; the next question follows."
            held.release.set()
            await settle(pilot)
            assert not screen.reading and app.facts["source"] == "old"
            assert app.interview is not None and app.interview.current().id == "environments"  # type: ignore[union-attr]
            assert app.interview.value("pick_source") == "old"
            assert chat(app)[0] == "Welcome back: here is where you left off."
    finally:
        held.release.set()
