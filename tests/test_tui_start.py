"""The app's own start (issue 12, time to the first question): what it loads and does before the first question.

`k8s-wizard` starts the app through `open_app`: the checks that need a fresh process (what is imported, the
garbage collector) run it in a subprocess, as the command line does, on a real repository. `prose` draws the
wizard's plain sentences without Rich's Markdown: it is checked to draw them segment for segment as Rich's
Markdown does, on every sentence of the interview and on generated texts.
"""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from rich.console import Console
from rich.markdown import Markdown
from rich.segment import Segment
from test_tui_support import FIXTURES, REAL, screen_of, settle, shop_repo
from textual.pilot import Pilot
from textual.widgets._footer import FooterKey

import wizard.core.facts as core_facts
import wizard.core.scan.candidates as candidates
import wizard.tui.app as tui_app
from wizard.interview.model import PROMPTS_DIR, compile_prompts, compiled_path, load_questions
from wizard.tui.app import make_app
from wizard.tui.footer import KeysFooter
from wizard.tui.interview import READING, InterviewScreen
from wizard.tui.prose import PlainProse, plain_paragraphs, prose
from wizard.tui.reader import READER_NICENESS, ForkedReader
from wizard.tui.startup import RESUMED, start_facts

CONSOLE = Console(width=80, force_terminal=True, color_system="truecolor")
WIDTHS = (9, 23, 40, 80, 117)


def drawn(renderable: object, width: int) -> list[list[Segment]]:
    return [list(Segment.simplify(line))
            for line in CONSOLE.render_lines(renderable, CONSOLE.options.update_width(width), pad=False)]


def assert_drawn_as_markdown(text: str) -> None:
    paragraphs = plain_paragraphs(text)
    assert paragraphs is not None, text
    for width in WIDTHS:
        assert drawn(PlainProse(paragraphs), width) == drawn(Markdown(text), width), (text, width)


def interview_sentences() -> list[str]:
    """Every wording and help of the interview, its placeholders filled, and what the screen itself says."""
    texts = [text for q in load_questions() for text in [*(v.text for v in q.texts), q.help or ""] if text]
    filled = [re.sub(r"\{[^}]*\}", "shop-web 7", text) for text in texts]
    return [*filled, READING, RESUMED, "Changing an earlier answer (esc leaves it as it was):",
            "I am reading `./manifests`; the next question follows.",
            "**I cannot plan with these answers:** a reason\n\nPick the answer to change on the right."]


def test_plain_prose_is_drawn_as_rich_markdown_draws_it() -> None:
    sentences = interview_sentences()
    plain = [text for text in sentences if plain_paragraphs(text) is not None]
    assert len(plain) >= 0.9 * len(sentences), "most sentences should be drawn without Rich's Markdown"
    first = [v.text for q in load_questions() if q.id in ("today", "pick_source") for v in q.texts]
    assert all(plain_paragraphs(re.sub(r"\{[^}]*\}", "x", text)) is not None for text in first)
    for text in plain:
        assert_drawn_as_markdown(text)


def test_generated_texts_drawn_here_are_drawn_as_rich_markdown_draws_them() -> None:
    pieces = ["word", "Word", "7", " ", " ", "`./x`", "`a b`", "**bold**", "**7 objects**", ",", ".", ":", "(", ")",
              '"', "'", "?", "!", "\n", "\n\n", "-", "/", "=", "{", "#", "1.", "*", "`", "_", "x_y", "**", "a**b",
              "(**c**)", "`x`.", "é", "日本", "https://a.b/c", "  ", "\\", "[", "<", "&", "~", "|"]
    generator = random.Random(12)
    drawn_here = 0
    for _ in range(4000):
        text = "".join(generator.choice(pieces) for _ in range(generator.randint(1, 12)))
        if plain_paragraphs(text) is not None:
            drawn_here += 1
            assert_drawn_as_markdown(text)
    assert drawn_here > 200


@pytest.mark.parametrize("text", [
    "a_b is emphasis-prone", "_em_", "*em*", "* item", "- item", "1. first", "# heading", "> quote", "a\\*b",
    "[link](https://x)", "<b>bold</b>", "&amp;", "~~gone~~", "a | b", "**a**b", "`` a ``", "`x``y`", "` x `",
    "line  \nbreak", "\tindented", "    code", "text\n===", "**a `b` c**", "a\n\n\nb", "", " lead", "trail ",
])
def test_markdown_beyond_plain_prose_goes_to_rich_markdown(text: str) -> None:
    assert plain_paragraphs(text) is None
    assert isinstance(prose(text), Markdown)


START = r"""
import asyncio, gc, json, sys
from pathlib import Path
from wizard.commands.interactive import open_app
from wizard.tui.startup import saved_answers

PARSERS = ("rich.markdown", "markdown_it", "pygments", "rich.syntax", "yaml")

async def main(repo):
    app = open_app(repo, saved_answers(repo))
    seen = {"held": not gc.isenabled()}
    from wizard.tui.interview import InterviewScreen

    def at_first_screen():
        seen["held_until_drawn"] = not gc.isenabled()
    app.when_drawn.insert(0, at_first_screen)
    try:
        async with app.run_test(size=(100, 32)) as pilot:
            while not (isinstance(app.screen, InterviewScreen) and app.screen.interview is not None
                       and app.screen.query("#reply-input")):
                await asyncio.sleep(0.005)
            done = asyncio.Event()
            app.call_after_refresh(done.set)
            await done.wait()
            seen["loaded"] = [name for name in PARSERS if name in sys.modules]
            seen["question"] = app.screen.interview.current().id
            seen["collecting"] = gc.isenabled()
            seen["frozen"] = gc.get_freeze_count()
    finally:
        app.release()
    print(json.dumps(seen))

asyncio.run(main(Path(sys.argv[1])))
"""


def test_the_first_question_is_drawn_without_markdown_or_yaml_parsers_and_the_collector_held(tmp_path: Path) -> None:
    repo = shop_repo(tmp_path)
    env = {**os.environ, "K8S_WIZARD_STATE_DIR": str(tmp_path / "state")}
    proc = subprocess.run([sys.executable, "-c", START, str(repo)], env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    seen = json.loads(proc.stdout.strip().splitlines()[-1])
    assert seen["question"] == "today"
    assert seen["loaded"] == [], "a Markdown or YAML parser was loaded before the first question was drawn"
    assert seen["held"] and seen["held_until_drawn"], "the collector ran during the start"
    assert seen["collecting"] and seen["frozen"] > 10_000, "the collector is not back on, the start's objects frozen"


# -- the forked reader's search and the first screen -------------------------------------------------------------


def test_the_forked_reader_searches_at_the_apps_niceness_and_scans_below_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The first question is asked from the search: it runs at the app's niceness; the scan after it yields."""
    repo = shop_repo(tmp_path)
    search, scan = candidates.find_candidates, core_facts.candidate_facts

    def searching(*args: Any, **kwargs: Any) -> Any:  # runs in the child (forked after the patch)
        (tmp_path / "search-nice").write_text(str(os.nice(0)))
        return search(*args, **kwargs)

    def scanning(*args: Any, **kwargs: Any) -> Any:
        (tmp_path / "scan-nice").write_text(str(os.nice(0)))
        return scan(*args, **kwargs)

    monkeypatch.setattr(candidates, "find_candidates", searching)
    monkeypatch.setattr(core_facts, "candidate_facts", scanning)
    reader = ForkedReader.start(repo, None, threads_ok=True)
    assert reader is not None
    try:
        assert reader(repo, None)["object_count"] == 7
    finally:
        reader.close()
    here = os.nice(0)
    assert int((tmp_path / "search-nice").read_text()) == here
    assert int((tmp_path / "scan-nice").read_text()) == min(19, here + READER_NICENESS)


def first_screens(monkeypatch: pytest.MonkeyPatch) -> list[tuple[bool, str | None]]:
    """What each `show` of the interview screen showed: (asking from the first facts, the question's text)."""
    shown: list[tuple[bool, str | None]] = []
    show = InterviewScreen.show

    async def recorded(self: InterviewScreen, *, focus: bool = True) -> None:
        await show(self, focus=focus)
        ask = self.interview.current() if self.interview is not None else None
        shown.append((self.partial, ask.text if ask is not None else None))

    monkeypatch.setattr(InterviewScreen, "show", recorded)
    return shown


def held_search(monkeypatch: pytest.MonkeyPatch) -> int:
    """The forked reader's search waits for a byte on the returned pipe end (the child is forked after this)."""
    held, release = os.pipe()
    search = candidates.find_candidates

    def searching(*args: Any, **kwargs: Any) -> Any:
        os.read(held, 1)
        return search(*args, **kwargs)

    monkeypatch.setattr(candidates, "find_candidates", searching)
    return release


async def until_read(pilot: Pilot[int]) -> None:
    app = pilot.app
    for _ in range(600):
        if app.interview is not None and not screen_of(app).partial:  # type: ignore[arg-type]
            return
        await pilot.pause(0.05)
    raise AssertionError("the facts never came")


async def test_the_first_screen_waits_for_the_folders_found_and_asks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The child's search only starts once the app is about to draw its first screen (as when the app's start is
    faster than the search): the screen waits for the first facts, and its first drawing asks."""
    repo = shop_repo(tmp_path)
    release = held_search(monkeypatch)
    monkeypatch.setattr(tui_app, "FIRST_WAIT", 30.0)  # the search's time here is the machine's, not bounded by a test
    waited = ForkedReader.first_facts

    def first_facts(self: ForkedReader, wait: float = 0.0) -> dict[str, Any] | None:
        if wait:
            os.write(release, b"go")  # the app waits now: the child may search
        return waited(self, wait)

    monkeypatch.setattr(ForkedReader, "first_facts", first_facts)
    shown = first_screens(monkeypatch)
    reader = ForkedReader.start(repo, None, threads_ok=True)
    assert reader is not None
    app = make_app(repo, scanner=reader)
    try:
        async with app.run_test(size=(100, 32)) as pilot:
            await until_read(pilot)
            await settle(pilot)
    finally:
        app.release()
    assert shown[0][0] is True and "am reading them now" in str(shown[0][1])  # no reading screen before it
    assert shown[-1][0] is False and "**7 objects**" in str(shown[-1][1])


async def test_the_first_screen_waits_for_the_search_a_bounded_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A search longer than the wait: the reading screen is drawn, then the question once the folders are found."""
    repo = shop_repo(tmp_path)
    release = held_search(monkeypatch)
    monkeypatch.setattr(tui_app, "FIRST_WAIT", 0.05)
    shown = first_screens(monkeypatch)
    reader = ForkedReader.start(repo, None, threads_ok=True)
    assert reader is not None
    app = make_app(repo, scanner=reader)
    try:
        async with app.run_test(size=(100, 32)) as pilot:
            for _ in range(400):  # the first state shown (after the wait of 0.05 s)
                if shown:
                    break
                await pilot.pause(0.025)
            assert shown and shown[0] == (False, None) and screen_of(app).reading  # the reading screen
            os.write(release, b"go")
            await until_read(pilot)
            await settle(pilot)
    finally:
        app.release()
    assert shown[-1][0] is False and "**7 objects**" in str(shown[-1][1])


async def test_the_key_bar_is_in_the_first_drawing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The keys are composed with the screen (Textual's Footer composes empty and again after the first drawing)."""
    repo = shop_repo(tmp_path)
    recomposed: list[list[str]] = []
    recompose = KeysFooter.recompose

    async def counted(self: KeysFooter) -> None:
        recomposed.append([key.description for key in self.query(FooterKey)])
        await recompose(self)

    monkeypatch.setattr(KeysFooter, "recompose", counted)
    first: list[list[str]] = []
    app = make_app(repo, facts=start_facts(repo))
    app.when_drawn.append(lambda: first.append([key.description for key in app.screen.query(FooterKey)]))
    async with app.run_test(size=(100, 32)) as pilot:
        for _ in range(400):
            if first:
                break
            await pilot.pause(0.025)
        await settle(pilot)
        footer = screen_of(app).query_one(KeysFooter)
        assert [key.description for key in footer.query(FooterKey)] == first[0]
        assert footer.shown() == footer._shown
    assert {"Back", "Why I ask", "Edit an answer", "Quit"} <= set(first[0]), first
    assert recomposed == []


# -- the search's YAML reading -------------------------------------------------------------------------------------


def _tags(node: yaml.Node) -> list[str]:
    if isinstance(node, yaml.ScalarNode):
        return [node.tag]
    children = [n for pair in node.value for n in pair] if isinstance(node, yaml.MappingNode) else node.value
    return [node.tag, *(tag for child in children for tag in _tags(child))]


def test_the_searchs_remembered_tags_are_the_tags_pyyaml_resolves(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every YAML file of the fixtures (ours and the real ones), composed by the search's loader with its remembered
    tags and without: the same tag on every node (values long and short, quoted and plain, repeated)."""
    texts = [path.read_text(encoding="utf-8") for root in (FIXTURES, REAL) if root.is_dir()
             for path in sorted(root.rglob("*.y*ml")) if "{{" not in path.read_text(encoding="utf-8")]
    texts.append("a: [1, '1', 1.0, true, 'true', yes, ~, null, 2026-12-01, 0x1f, .inf, '', x]\nb: {1: 1}\n" * 3)

    def composed() -> list[list[str]]:
        out = []
        for text in texts:
            try:
                out.append([tag for node in yaml.compose_all(text, Loader=candidates._KindsLoader) for tag in _tags(node)])
            except yaml.YAMLError:
                out.append(["refused"])
        return out

    assert not candidates._KindsLoader.yaml_path_resolvers  # its descend/ascend_resolver do nothing: none to track
    candidates._RESOLVED.clear()
    remembered = composed()
    assert len(candidates._RESOLVED) > 100
    monkeypatch.setattr(candidates, "_RESOLVED_LENGTH", -1)  # resolved by PyYAML every time
    assert composed() == remembered and len(texts) > 50


# -- the compiled prompts ------------------------------------------------------------------------------------------


def test_the_compiled_prompts_are_the_prompts_file() -> None:
    source = PROMPTS_DIR / "interview.yaml"
    assert compiled_path(source).read_text(encoding="utf-8") == compile_prompts(source.read_text(encoding="utf-8")), (
        "prompts/interview.json is stale: run `python scripts/compile_prompts.py`")


def test_compiled_prompts_are_read_only_for_the_text_they_were_compiled_from(tmp_path: Path) -> None:
    text = (PROMPTS_DIR / "interview.yaml").read_text(encoding="utf-8")
    edited = text.replace("label: Manifests", "label: Folders", 1)
    assert edited != text
    prompts = tmp_path / "interview.yaml"
    prompts.write_text(text, encoding="utf-8")
    labels = {q.id: q.label for q in load_questions(prompts)}
    assert labels["pick_source"] == "Manifests"  # no compiled form: the YAML

    compiled = json.loads(compile_prompts(edited))
    compiled["sha256"] = json.loads(compile_prompts(text))["sha256"]  # said to be compiled from this text
    compiled_path(prompts).write_text(json.dumps(compiled), encoding="utf-8")
    assert {q.id: q.label for q in load_questions(prompts)}["pick_source"] == "Folders"  # so it is what is read

    compiled_path(prompts).write_text(compile_prompts(edited), encoding="utf-8")  # compiled from another text
    assert {q.id: q.label for q in load_questions(prompts)} == labels
    compiled_path(prompts).write_text("{not json", encoding="utf-8")
    assert {q.id: q.label for q in load_questions(prompts)} == labels
