"""Parse ``.env`` files holding Secret values (never committed; read only to seal them).

Supported: ``KEY=value``, ``export KEY=value``, blank lines, ``#`` comment lines, an unquoted value's
trailing `` # comment``, single-quoted values (literal) and double-quoted values (escapes ``\\n``,
``\\r``, ``\\t``, ``\\"``, ``\\\\``, ``\\$``); quoted values may span lines (a PEM key, say). No variable
expansion: ``$OTHER`` stays as written. Error messages name the source and line only: a malformed line
may be a pasted value (a wrapped base64 line, a token), so none of its text is ever quoted, not even
what looks like its key.
"""

from __future__ import annotations

import re

from wizard.core.errors import InputError

_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")
_EXPORT = re.compile(r"export[ \t]+")
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\", "$": "$"}


class _Reader:
    """A cursor over the text that knows its line number."""

    def __init__(self, text: str) -> None:
        """Start at the beginning of ``text``."""
        self.text = text
        self.pos = 0
        self.line = 1

    def peek(self) -> str:
        """The next character, or '' at the end."""
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def take(self) -> str:
        """Consume and return the next character."""
        char = self.peek()
        self.pos += 1
        if char == "\n":
            self.line += 1
        return char

    def rest_of_line(self) -> str:
        """Consume up to (not including) the next newline."""
        end = self.text.find("\n", self.pos)
        end = len(self.text) if end < 0 else end
        chunk = self.text[self.pos : end]
        self.pos = end
        return chunk

    def skip_blanks(self) -> None:
        """Skip spaces and tabs."""
        while self.peek() in (" ", "\t") and self.peek():
            self.pos += 1


def _quoted(reader: _Reader, quote: str, where: str) -> str:
    """Read a quoted value; the opening quote has been consumed."""
    start_line = reader.line
    out: list[str] = []
    while True:
        char = reader.take()
        if char == "":
            raise InputError(f"{where}: the {quote}-quoted value opened on line {start_line} is never closed")
        if char == quote:
            return "".join(out)
        if quote == '"' and char == "\\":
            nxt = reader.peek()
            if nxt in _ESCAPES:
                reader.take()
                out.append(_ESCAPES[nxt])
                continue
        out.append(char)


def parse_dotenv(text: str, *, source: str) -> dict[str, str]:
    """Return the KEY -> value pairs of a dotenv file; InputError (naming ``source``:line) if malformed."""
    return parse_dotenv_lines(text, source=source)[0]


def parse_dotenv_lines(text: str, *, source: str) -> tuple[dict[str, str], dict[str, int]]:
    """The KEY -> value pairs of a dotenv file and the line each key is on."""
    reader = _Reader(text.removeprefix("\ufeff").replace("\r\n", "\n"))
    result: dict[str, str] = {}
    first_line: dict[str, int] = {}
    while reader.peek():
        line_no = reader.line
        reader.skip_blanks()
        char = reader.peek()
        if char == "\n":
            reader.take()
            continue
        if char == "#":
            reader.rest_of_line()
            continue
        export = _EXPORT.match(reader.text, reader.pos)
        if export:
            reader.pos = export.end()
        key_match = _KEY.match(reader.text, reader.pos)
        if key_match is None:
            raise InputError(
                f"{source}, line {line_no}: expected KEY=value with a key made of letters, digits, "
                "'_', '.' and '-', not starting with a digit"
            )
        key = key_match.group(0)
        reader.pos = key_match.end()
        where = f"{source}, line {line_no}"
        reader.skip_blanks()
        if reader.peek() != "=":
            # A line without '=' may be a pasted value: never echo any of it.
            line_text = key + reader.text[key_match.end() : reader.pos] + reader.rest_of_line()
            if "=" not in line_text:
                raise InputError(f"{source}, line {line_no}: missing '=' (expected KEY=value)")
            raise InputError(
                f"{source}, line {line_no}: invalid key name before '=' "
                "(letters, digits, '_', '.' and '-' only, not starting with a digit)"
            )
        reader.take()
        reader.skip_blanks()
        opening = reader.peek()
        if opening in ("'", '"'):
            reader.take()
            value = _quoted(reader, opening, where)
            trailing = reader.rest_of_line().strip()
            if trailing and not trailing.startswith("#"):
                raise InputError(f"{where}: unexpected text after the closing quote")
        else:
            raw = reader.rest_of_line()
            value = re.split(r"[ \t]+#", raw, maxsplit=1)[0].strip()
        if key in first_line:
            raise InputError(f"{where}: the same key is already set on line {first_line[key]}")
        first_line[key] = line_no
        result[key] = value
        if reader.peek() == "\n":
            reader.take()
    return result, first_line
