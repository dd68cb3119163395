"""The wizard's Markdown, drawn without loading a Markdown parser when the text is plain prose.

Rich's Markdown loads markdown-it and, through rich.syntax, Pygments (~40 ms at start on this project's machine,
before the first question can be drawn) and parses every bubble. The wizard's sentences are nearly all plain
paragraphs with `code` and **bold**: `prose` draws those itself, segment for segment as Rich's Markdown draws
them (tests/test_tui_start.py compares both on every sentence of the interview), and hands anything else
(lists, links, emphasis with `_`, escapes, HTML, ...) to Rich's Markdown, loaded then.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from rich.segment import Segment
from rich.text import Text

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderableType, RenderResult

_CODE = re.compile(r"(?<!`)`([^`\s](?:[^`\n]*[^`\s])?)`(?!`)")
"""A code span: one backtick each side (no other next to it), no space at either end of its content, on one line."""
_STRONG = re.compile(r"(?:^|(?<=[\s(]))\*\*([A-Za-z0-9][^*`\n]*[A-Za-z0-9]|[A-Za-z0-9])\*\*(?=[\s.,:;!?)]|$)")
"""**Bold**: opened after a space or a parenthesis, closed before one or a punctuation mark, a letter or digit
inside at each end (so both delimiter runs flank as CommonMark says)."""
_PLAIN_REFUSED = re.compile(r"[\\`*_\[\]<>&~|\t]")
"""Outside code and bold: a character that could start Markdown syntax inline (an escape, a code span or emphasis
left unpaired, a link or image, HTML or an entity, strikethrough, a table)."""
_LINE_START = re.compile(r"[A-Za-z(\"'`]|\*\*")
"""How each line must begin: a block marker (heading, list, quote, rule, setext line, indented code, HTML) never does."""

Piece = tuple[str, str]
"""A run of text and its Markdown style ("" for the paragraph's own, "strong" or "code")."""


def prose(markdown: str) -> RenderableType:
    """The wizard's `markdown` as a renderable: drawn here when it is plain prose, else by Rich's Markdown."""
    paragraphs = plain_paragraphs(markdown)
    if paragraphs is not None:
        return PlainProse(paragraphs)
    from rich.markdown import Markdown  # markdown-it and Pygments: loaded by the first text that needs them

    return Markdown(markdown)


def plain_paragraphs(markdown: str) -> list[list[Piece]] | None:
    """The paragraphs of `markdown` as styled runs, or None when it is more than paragraphs of text, `code` and
    **bold** (a line break inside a paragraph is a space, as in Markdown)."""
    paragraphs: list[list[Piece]] = []
    for block in markdown.split("\n\n"):
        lines = block.split("\n")
        if any(not line or line != line.strip() or not _LINE_START.match(line) for line in lines):
            return None
        pieces = _inline(" ".join(lines))
        if pieces is None:
            return None
        paragraphs.append(pieces)
    return paragraphs


def _inline(text: str) -> list[Piece] | None:
    pieces: list[Piece] = []
    at = 0
    for code in _CODE.finditer(text):
        outside = _strong(text[at:code.start()])
        if outside is None:
            return None
        pieces += [*outside, (code.group(1), "code")]
        at = code.end()
    rest = _strong(text[at:])
    return None if rest is None else [piece for piece in pieces + rest if piece[0]]


def _strong(text: str) -> list[Piece] | None:
    pieces: list[Piece] = []
    at = 0
    for bold in _STRONG.finditer(text):
        pieces += [(text[at:bold.start()], ""), (bold.group(1), "strong")]
        at = bold.end()
    pieces.append((text[at:], ""))
    if any(style == "" and _PLAIN_REFUSED.search(part) for part, style in pieces):
        return None
    return pieces


class PlainProse:
    """Paragraphs of text, `code` and **bold**, rendered with the styles and breaks of Rich's Markdown."""

    def __init__(self, paragraphs: list[list[Piece]]) -> None:
        """`paragraphs` from `plain_paragraphs`."""
        self.paragraphs = paragraphs

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        """As `rich.markdown.Markdown(text)` renders it: each paragraph a left-justified Text in the styles of
        the console's theme ("markdown.paragraph", plus "markdown.strong" or "markdown.code"), a blank line
        between paragraphs."""
        paragraph = console.get_style("none", default="none") + console.get_style("markdown.paragraph", default="none")
        styles = {style: paragraph + console.get_style(f"markdown.{style}", default="none") for style in ("strong", "code")}
        styles[""] = paragraph
        options = options.update(height=None)
        for index, pieces in enumerate(self.paragraphs):
            if index:
                yield Segment.line()
            text = Text(justify="left")
            for part, style in pieces:
                text.append(part, styles[style])
            yield from console.render(text, options)
