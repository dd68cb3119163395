"""YAML in and out.

Reading today's manifests uses PyYAML's C-accelerated safe loader (a round-trip load of a thousand
documents costs seconds in pure Python). Everything the tool writes is emitted by ruamel.yaml from
plain data, so a user value with a colon, a quote, a `#`, a leading zero or a newline comes out
exactly as given: no value is ever pasted into YAML text.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Iterable, Mapping
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.scalarstring import LiteralScalarString, SingleQuotedScalarString

try:  # pragma: no cover - depends on how PyYAML was built
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Loader = yaml.SafeLoader


def load_all(text: str) -> list[Any]:
    """Every document of a YAML stream (safe load, anchors resolved)."""
    return list(yaml.load_all(text, Loader=_Loader))


def load(text: str) -> Any:
    """One YAML document (safe load)."""
    return yaml.load(text, Loader=_Loader)


_EMITTERS = threading.local()


def _emitter() -> YAML:
    """One configured emitter per thread: creating a YAML() instance globs for plug-ins, which cost
    more than the dump itself for the small documents the overlays are made of."""
    out: YAML | None = getattr(_EMITTERS, "yaml", None)
    if out is None:
        out = YAML(typ="rt")
        out.indent(mapping=2, sequence=4, offset=2)
        out.width = 4096  # never fold long values: a folded line is a changed line in a diff
        out.preserve_quotes = True
        _EMITTERS.yaml = out
    return out


_RESOLVER = yaml.resolver.Resolver()
_STR_TAG = "tag:yaml.org,2002:str"


def _ambiguous(value: str) -> bool:
    """True when a YAML 1.1 reader (kubectl, go-yaml v2) would read the plain scalar as something else.

    ruamel.yaml writes YAML 1.2, where `yes`, `on` or `0700` are plain strings; Kubernetes tools read
    YAML 1.1, where they are a bool and an octal int. Quoting them keeps the string a string.
    """
    return bool(_RESOLVER.resolve(yaml.ScalarNode, value, (True, False)) != _STR_TAG)  # type: ignore[no-untyped-call]


def _prepare(value: Any) -> Any:
    """Literal blocks for multi-line strings, quotes for YAML 1.1-ambiguous ones, recursively."""
    if isinstance(value, str):
        if "\n" in value and not value.endswith((" ", "\t")) and "\r" not in value:
            return LiteralScalarString(value)
        if _ambiguous(value):
            return SingleQuotedScalarString(value)
        return value
    if isinstance(value, Mapping):
        return {k: _prepare(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_prepare(v) for v in value]
    return value


def dump(data: Any, *, header: str | None = None) -> str:
    """One document as YAML text, with an optional comment header (each line prefixed with '# ')."""
    stream = io.StringIO()
    _emitter().dump(_prepare(data), stream)
    body = stream.getvalue()
    if isinstance(data, list | tuple) and data:
        # ruamel indents a top-level sequence like a nested one; kubectl style starts it at column 0.
        body = "".join(line[2:] if line.startswith("  ") else line for line in body.splitlines(keepends=True))
    if header:
        lines = "".join(f"# {line}".rstrip() + "\n" for line in header.splitlines())
        body = lines + body
    return body


def dump_all(documents: Iterable[Any], *, header: str | None = None) -> str:
    """Several documents separated by '---'."""
    parts = [dump(doc) for doc in documents]
    text = "---\n".join(parts)
    if header:
        text = "".join(f"# {line}".rstrip() + "\n" for line in header.splitlines()) + text
    return text
