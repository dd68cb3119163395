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

import pytest
from rich.console import Console
from rich.markdown import Markdown
from rich.segment import Segment
from test_tui_support import shop_repo

from wizard.interview.model import load_questions
from wizard.tui.interview import READING
from wizard.tui.prose import PlainProse, plain_paragraphs, prose
from wizard.tui.startup import RESUMED

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

PARSERS = ("rich.markdown", "markdown_it", "pygments", "rich.syntax")

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


def test_the_first_question_is_drawn_without_a_markdown_parser_and_the_collector_held(tmp_path: Path) -> None:
    repo = shop_repo(tmp_path)
    env = {**os.environ, "K8S_WIZARD_STATE_DIR": str(tmp_path / "state")}
    proc = subprocess.run([sys.executable, "-c", START, str(repo)], env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    seen = json.loads(proc.stdout.strip().splitlines()[-1])
    assert seen["question"] == "today"
    assert seen["loaded"] == [], "a Markdown parser was loaded before the first question was drawn"
    assert seen["held"] and seen["held_until_drawn"], "the collector ran during the start"
    assert seen["collecting"] and seen["frozen"] > 10_000, "the collector is not back on, the start's objects frozen"
