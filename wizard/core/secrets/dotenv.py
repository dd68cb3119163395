"""Parse ``.env`` files holding Secret values (never committed; read only to seal them).

The parsing is python-dotenv's (`dotenv.parser.parse_stream`), without interpolation: ``KEY=value``,
``export KEY=value``, blank and ``#`` comment lines, an unquoted value's trailing `` # comment``,
single-quoted values (literal but ``\\'`` and ``\\\\``) and double-quoted values (escapes such as ``\\n``,
``\\t``, ``\\"``, ``\\\\``); quoted values may span lines (a PEM key, say). ``$OTHER`` stays as written.

What is added here: a key must be a name (letters, digits, '_', '.' and '-', not starting with a digit), a
line without '=' is an error (python-dotenv reads it as a key without a value), a key may appear once, and
every error names the source and line only: a malformed line may be a pasted value (a wrapped base64 line,
a token), so none of its text is ever quoted, not even what looks like its key. python-dotenv's own
logging is never used (`dotenv_values` would log malformed lines).
"""

from __future__ import annotations

import io
import re

from dotenv.parser import parse_stream

from wizard.core.errors import InputError

_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")
_EXPORT = re.compile(r"^[ \t]*(export[ \t]+)?")
_NAME_RULE = "letters, digits, '_', '.' and '-', not starting with a digit"


def parse_dotenv(text: str, *, source: str) -> dict[str, str]:
    """Return the KEY -> value pairs of a dotenv file; InputError (naming ``source``:line) if malformed."""
    return parse_dotenv_lines(text, source=source)[0]


def _line_of(original: str, first: int) -> int:
    """The line of a binding's first non-blank character (its original text starts with blank lines)."""
    blank = original[: len(original) - len(original.lstrip())]
    return first + blank.count("\n")


def _malformed(statement: str, where: str, line_no: int) -> InputError:
    """Why a statement python-dotenv could not read is wrong, without quoting any of it."""
    body = _EXPORT.sub("", statement.lstrip("\n"), count=1)
    key, equals, value = body.partition("=")
    if not equals:
        return InputError(f"{where}: missing '=' (expected KEY=value)")
    if not _KEY.fullmatch(key.strip()):
        return InputError(f"{where}: invalid key name before '=' ({_NAME_RULE} only)")
    value = value.lstrip(" \t")
    if value[:1] in ("'", '"') and value[0] not in value[1:]:
        return InputError(f"{where}: the {value[0]}-quoted value opened on line {line_no} is never closed")
    return InputError(f"{where}: unexpected text after the closing quote")


def parse_dotenv_lines(text: str, *, source: str) -> tuple[dict[str, str], dict[str, int]]:
    """The KEY -> value pairs of a dotenv file and the line each key is on."""
    result: dict[str, str] = {}
    first_line: dict[str, int] = {}
    stream = io.StringIO(text.removeprefix("\ufeff").replace("\r\n", "\n"))
    for binding in parse_stream(stream):
        line_no = _line_of(binding.original.string, binding.original.line)
        where = f"{source}, line {line_no}"
        if binding.error:
            raise _malformed(binding.original.string, where, line_no)
        key = binding.key
        if key is None:
            continue  # a blank or comment line
        if not _KEY.fullmatch(key):
            raise InputError(f"{where}: expected KEY=value with a key made of {_NAME_RULE}")
        if binding.value is None:
            raise InputError(f"{where}: missing '=' (expected KEY=value)")  # a pasted value, read as a key
        if key in first_line:
            raise InputError(f"{where}: the same key is already set on line {first_line[key]}")
        first_line[key] = line_no
        result[key] = binding.value
    return result, first_line
