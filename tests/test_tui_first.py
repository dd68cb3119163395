"""The first question before the scan (issue 12): asked from the folders found, answered once the facts are in;
the repository read by a forked child (the command line's `ForkedReader`).

The scan is held through the app's real seam (`make_app(scanner=...)`) after the first facts are told, with a
threading.Event; the forked reader is held by stopping it (SIGSTOP).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from test_tui_support import FIXTURES, REAL, HeldScan, chat, git_repo, known, screen_of, settle, shop_repo, tree_bytes
from textual.pilot import Pilot
from textual.widgets import Label, OptionList

from wizard.core.errors import InputError
from wizard.core.facts import first_facts
from wizard.core.scan.candidates import _constructed_kinds, _kinds_in, find_candidates
from wizard.core.yamlio import read_text
from wizard.tui.app import WizardApp, make_app
from wizard.tui.interview import STILL_READING, InterviewScreen
from wizard.tui.reader import ForkedReader
from wizard.tui.startup import folder_facts, saved_answers, start_facts

TODAY_WHILE_READING = ("I found Kubernetes objects in `./manifests` and am reading them now (how many, in which "
                       "namespaces): one environment, right?")


def choices(app: WizardApp) -> list[str]:
    reply = screen_of(app).query_one("#reply-input", OptionList)
    return [str(reply.get_option_at_index(i).id) for i in range(reply.option_count)]


async def until(pilot: Pilot[int], condition: Any, what: str) -> None:
    """Wait without waiting for the workers (they are held, or read in a child)."""
    for _ in range(600):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"{what} never happened: {chat(pilot.app)}")  # type: ignore[arg-type]


def asked(app: WizardApp) -> bool:
    screens = [s for s in app.screen_stack if isinstance(s, InterviewScreen)]
    return bool(screens) and screens[0].interview is not None and bool(screens[0].query("#reply-input"))


async def test_the_first_question_shows_from_the_folders_found_and_waits_for_the_facts(tmp_path: Path) -> None:
    repo = shop_repo(tmp_path)
    held = HeldScan("first")
    app = make_app(repo, scanner=held)
    try:
        async with app.run_test(size=(100, 32)) as pilot:
            await until(pilot, lambda: held.first.is_set() and asked(app), "the first question")
            screen = screen_of(app)
            assert screen.partial and screen.reading and app.interview is None and not held.done.is_set()
            # Only what the search for manifests knows: no count, no namespace (the scan has not read them).
            assert chat(app) == [TODAY_WHILE_READING]
            assert known(app) == ["reading ./manifests (7 objects: Service, ConfigMap, Deployment, Ingress)…"]
            assert str(screen.query_one("#hint", Label).render()) == STILL_READING
            await pilot.press("down", "enter", "escape", "f2")  # "No" and Enter: it waits for the facts
            await pilot.pause(0.1)
            assert screen.partial and app.interview is None and chat(app) == [TODAY_WHILE_READING]

            held.release.set()
            await settle(pilot)
            assert not screen.partial and app.interview is not None
            ask = app.interview.current()
            assert ask is not None and ask.id == "today" and not app.interview.transcript()  # nothing answered early
            assert chat(app) == [ask.text] and "**7 objects** in `./manifests`" in ask.text
            assert known(app)[0] == "7 objects in ./manifests"
            await pilot.press("enter")
            await settle(pilot)
            assert app.interview.value("today") is True and app.interview.current().id == "app"  # type: ignore[union-attr]
    finally:
        held.release.set()


def several_folders(root: Path) -> Path:
    """Two folders of objects (and one of tests) plus a folder whose YAML the scan refuses (a duplicate key)."""
    repo = root / "multi"
    shutil.copytree(FIXTURES / "plain-folder" / "manifests", repo / "deploy" / "web")
    shutil.copytree(FIXTURES / "plain-folder" / "manifests", repo / "deploy" / "api")
    (repo / "broken").mkdir()
    for n in range(20):  # the most objects: ranked first, and refused by the scan
        (repo / "broken" / f"cm{n}.yaml").write_text(
            f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c{n}}}\ndata: {{a: '1', a: '2'}}\n")
    return git_repo(repo)


async def test_a_choice_of_folders_offered_early_follows_the_folders_that_read(tmp_path: Path) -> None:
    repo = several_folders(tmp_path)
    held = HeldScan("first")
    app = make_app(repo, scanner=held)
    try:
        async with app.run_test(size=(100, 32)) as pilot:
            await until(pilot, lambda: held.first.is_set() and asked(app), "the first question")
            assert screen_of(app).partial and screen_of(app).interview.current().id == "pick_source"  # type: ignore[union-attr]
            assert choices(app)[0] == "broken"  # found by content; not read yet
            held.release.set()
            await settle(pilot)
            ask = app.interview.current()  # type: ignore[union-attr]
            assert ask is not None and ask.id == "pick_source" and not screen_of(app).partial
            offered = [c["value"] for c in start_facts(repo)["candidates"]]
            assert choices(app) == [*offered, "other"] and "broken" not in offered  # the refused folder is gone
    finally:
        held.release.set()


def test_the_first_facts_offer_what_the_facts_offer_when_every_folder_reads(tmp_path: Path) -> None:
    real = sorted(p for p in REAL.iterdir() if p.is_dir()) if REAL.is_dir() else []
    repos = [shop_repo(tmp_path), *(p for p in sorted(FIXTURES.iterdir()) if p.is_dir()), *real]
    for repo in repos:
        told: list[dict[str, Any]] = []
        facts = start_facts(repo, None, None, None, told.append)
        first = first_facts(find_candidates(repo))
        assert told == ([first] if first is not None else []), repo.name
        if first is not None:
            assert first["candidates"] == facts["candidates"] and first["source"] == facts["source"], repo.name
            assert set(first) == {"source", "candidates", "reading"}  # nothing the scan has not read


@pytest.mark.parametrize("text", [
    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: Service\n",
    "apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Secret}\n- {apiVersion: v1, kind: List, items: []}\n",
    "apiVersion: v1\nkind: List\nitems: {apiVersion: v1, kind: Secret}\n",
    "apiVersion: 1\nkind: ConfigMap\n---\napiVersion: v1\nkind: [a]\n---\n[1, 2]\n---\nplain\n",
    "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n",
    "base: &b {apiVersion: v1, kind: ConfigMap}\n---\n<<: *b\nmetadata: {name: a}\n",
    "apiVersion: v1\nkind: List\nitems:\n- <<: {apiVersion: v1, kind: Pod}\n",
    "apiVersion: v1\nkind: Secret\ndata: !!binary notbase64!\n",
    "apiVersion: v1\nkind: ConfigMap\nkind: Secret\n",
    "apiVersion: !!str v1\nkind: \"Service\"\n",
    "apiVersion: v1\nkind: ConfigMap\ndata: {when: 2001-13-45}\n",
    "{apiVersion: v1, kind: ConfigMap\n",
])
def test_the_search_reads_the_kinds_it_would_read_constructed(tmp_path: Path, text: str) -> None:
    path = tmp_path / "a.yaml"
    path.write_text(text)
    assert _kinds_in(path) == _constructed_kinds(text)


# -- the forked reader ----------------------------------------------------------------------------------------


def test_the_forked_reader_hands_over_what_start_facts_gives(tmp_path: Path) -> None:
    repo = several_folders(tmp_path)
    reader = ForkedReader.start(repo, None, threads_ok=True)
    assert reader is not None
    found: list[Any] = []
    first: list[Any] = []
    scanned: dict[str, Any] = {}
    try:
        facts = reader(repo, None, found.append, scanned, first.append)
    finally:
        reader.close()
    here_found: list[Any] = []
    here_first: list[Any] = []
    here_scanned: dict[str, Any] = {}
    expected = start_facts(repo, None, here_found.append, here_scanned, here_first.append)
    assert facts == json.loads(json.dumps(expected)) and (found, first) == (here_found, here_first)
    assert sorted(scanned) == sorted(here_scanned) == ["deploy/api", "deploy/web"]  # `deploy` defines each twice
    for folder in scanned:
        assert [o.obj for o in scanned[folder].objects] == [o.obj for o in here_scanned[folder].objects]
    with pytest.raises(ProcessLookupError):
        os.kill(reader.pid, 0)  # reaped


def test_an_error_in_the_forked_reader_is_the_same_error(tmp_path: Path) -> None:
    repo = shop_repo(tmp_path)
    (repo / ".k8s-wizard.yaml").write_text(yaml.safe_dump({"version": 1, "source": "gone"}))
    saved = saved_answers(repo)
    reader = ForkedReader.start(repo, saved, threads_ok=True)
    assert reader is not None
    with pytest.raises(InputError) as forked:
        reader(repo, saved)
    with pytest.raises(InputError) as here:
        start_facts(repo, saved)
    assert str(forked.value) == str(here.value) and "'gone' not found" in str(forked.value)


async def test_the_app_on_a_forked_reader_asks_and_answers(tmp_path: Path) -> None:
    repo = shop_repo(tmp_path)
    reader = ForkedReader.start(repo, None, threads_ok=True)
    app = make_app(repo, scanner=reader or start_facts)
    try:
        async with app.run_test(size=(100, 32)) as pilot:
            await until(pilot, lambda: app.interview is not None and not screen_of(app).partial, "the facts")
            await settle(pilot)
            ask = app.interview.current()  # type: ignore[union-attr]
            assert ask is not None and ask.id == "today" and "**7 objects**" in ask.text and chat(app) == [ask.text]
            assert app.scans["manifests"].source == "manifests"  # the child's inventory, for the side panel
            await pilot.press("enter")
            await settle(pilot)
            assert app.interview.current().id == "app"  # type: ignore[union-attr]
    finally:
        app.release()


async def test_quitting_while_the_forked_reader_reads_waits_for_nothing(tmp_path: Path, state_dir: Path) -> None:
    repo = shop_repo(tmp_path)
    before = tree_bytes(repo)
    reader = ForkedReader.start(repo, None, threads_ok=True)
    assert reader is not None
    os.kill(reader.pid, signal.SIGSTOP)  # the child is still reading when the person quits
    app = make_app(repo, scanner=reader)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause(0.3)
        assert screen_of(app).reading and app.interview is None
        await pilot.press("ctrl+q")
    started = time.monotonic()
    app.release()
    assert time.monotonic() - started < 2
    assert app.return_value == 1 and app.failure is None
    with pytest.raises(ProcessLookupError):
        os.kill(reader.pid, 0)  # killed and reaped
    assert tree_bytes(repo) == before and not any(state_dir.glob("*.json"))


def test_the_forked_reader_reads_here_for_another_repository(tmp_path: Path) -> None:
    repo = shop_repo(tmp_path)
    other = several_folders(tmp_path)
    reader = ForkedReader.start(repo, None, threads_ok=True)
    assert reader is not None
    assert reader(other, None)["candidates"] == start_facts(other, None)["candidates"]
    with pytest.raises(ProcessLookupError):
        os.kill(reader.pid, 0)


def test_a_fifo_among_the_yaml_files_is_not_waited_for(tmp_path: Path) -> None:
    repo = shop_repo(tmp_path)
    os.mkfifo(repo / "manifests" / "held.yaml")  # opening it would wait for a writer that never comes
    facts = start_facts(repo)  # the search skips it
    assert facts["source"] == "manifests" and facts["object_count"] == 7
    assert folder_facts(repo, "manifests", None)["object_count"] == 7  # the scan reads regular files only
    with pytest.raises(InputError, match="manifests/held.yaml: not a regular file"):
        read_text(repo / "manifests" / "held.yaml", "manifests/held.yaml")  # refused, not waited for


async def test_a_question_found_before_the_app_starts_is_on_its_first_screen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    repo = shop_repo(tmp_path)
    reader = ForkedReader.start(repo, None, threads_ok=True)
    assert reader is not None
    for _ in range(500):  # the child finds the folders before the app is up (as on a second core)
        if reader.first_facts() is not None:
            break
        time.sleep(0.01)
    shown: list[tuple[bool, str | None]] = []
    show = InterviewScreen.show

    async def recorded(self: InterviewScreen, *, focus: bool = True) -> None:
        await show(self, focus=focus)
        shown.append((self.partial, self.interview.current().text if self.interview and self.interview.current() else None))

    monkeypatch.setattr(InterviewScreen, "show", recorded)
    app = make_app(repo, scanner=reader)
    try:
        async with app.run_test(size=(100, 32)) as pilot:
            await until(pilot, lambda: app.interview is not None and not screen_of(app).partial, "the facts")
            await settle(pilot)
    finally:
        app.release()
    assert shown[0] == (True, TODAY_WHILE_READING)  # the first screen drawn asks, no reading screen before it
    assert shown[-1][0] is False and "**7 objects**" in str(shown[-1][1])
