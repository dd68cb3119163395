"""YAML in and out.

Reading today's manifests uses PyYAML's C-accelerated safe loader (a round-trip load of a thousand
documents costs seconds in pure Python). Everything the tool writes is emitted by ruamel.yaml from
plain data, so a user value with a colon, a quote, a `#`, a leading zero or a newline comes out
exactly as given: no value is ever pasted into YAML text.
"""

from __future__ import annotations

import io
import os
import pickle
import re
import stat
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from wizard.core.errors import InputError

if TYPE_CHECKING:  # ruamel is loaded by the first dump: reading (the scan, the interview's prompts) never needs it
    from ruamel.yaml import YAML

try:  # pragma: no cover - depends on how PyYAML was built
    _Base: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Base = yaml.SafeLoader

# Limits on what one document may expand to. Aliases share nodes, so a few hundred bytes of nested
# aliases stand for billions of nodes (a "billion laughs"): anything that walks the data would never
# finish. Real manifests stay far below these (a large CRD has some 50,000 nodes, 30 levels).
MAX_NODES = 1_000_000  # nodes of a document with every alias expanded
MAX_DEPTH = 200  # nesting levels of a document
MAX_FILE_BYTES = 32 * 1024 * 1024  # one input file


class LimitError(yaml.YAMLError):
    """A document that is too large, too deep or has a duplicate key (a YAMLError, with a position)."""

    def __init__(self, problem: str, mark: Any = None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.problem_mark = mark


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def _check_size(root: yaml.Node) -> None:
    """Refuse a document whose alias-expanded size or depth is beyond the limits (iterative: no recursion)."""
    sizes: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, int, bool]] = [(root, 1, False)]
    while stack:
        node, depth, done = stack.pop()
        key = id(node)
        if done:
            on_path.discard(key)
            total = 1 + sum(sizes[id(c)] for c in _children(node))
            if total > MAX_NODES:
                raise LimitError(f"expands to more than {MAX_NODES:,} nodes (aliases of aliases?): refused", node.start_mark)
            sizes[key] = total
            continue
        if key in sizes:
            continue
        if key in on_path:
            raise LimitError("an alias refers to a node that contains it (a recursive structure): refused", node.start_mark)
        if depth > MAX_DEPTH:
            raise LimitError(f"nested more than {MAX_DEPTH} levels deep: refused", node.start_mark)
        on_path.add(key)
        stack.append((node, depth, True))
        stack.extend((c, depth + 1, False) for c in _children(node))


def _check_plain(root: yaml.Node) -> None:
    """`_check_size` for a document without aliases (no node is reached twice): its depth as `_check_size` walks
    it, and its nodes counted (past the limit, `_check_size` says where). A tenth of its cost."""
    mapping, sequence = yaml.MappingNode, yaml.SequenceNode
    stack: list[tuple[yaml.Node, int]] = [(root, 1)]
    pop, push = stack.pop, stack.append
    count = 0
    while stack:
        node, depth = pop()
        if depth > MAX_DEPTH:
            raise LimitError(f"nested more than {MAX_DEPTH} levels deep: refused", node.start_mark)
        count += 1
        if isinstance(node, mapping):
            depth += 1
            for key, value in node.value:
                push((key, depth))
                push((value, depth))
        elif isinstance(node, sequence):
            depth += 1
            for item in node.value:
                push((item, depth))
    if count > MAX_NODES:
        _check_size(root)


_STR = "tag:yaml.org,2002:str"
_MERGE = "tag:yaml.org,2002:merge"


class _Loader(_Base):  # type: ignore[misc]
    """The safe loader, bounded: alias bombs, absurd nesting and duplicate keys are errors with a position.

    Dates stay strings: Kubernetes reads `2024-01-01` as a string, and an impossible date (`2001-13-45`)
    must not crash the reader.
    """

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self.aliased = not isinstance(stream, str) or "&" in stream
        """False when the text has no `&`: no anchor, so no alias (an alias names an anchor), no shared node."""

    def construct_document(self, node: yaml.Node) -> Any:
        (_check_size if self.aliased else _check_plain)(node)
        return super().construct_document(node)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> Any:
        if isinstance(node, yaml.MappingNode):
            seen: set[Any] = set()
            for key_node, _ in node.value:
                tag = key_node.tag
                if tag == _MERGE:
                    continue
                if tag == _STR and isinstance(key_node, yaml.ScalarNode):
                    key = key_node.value  # what the constructor makes of a string key, without the call
                else:
                    key = self.construct_object(key_node, deep=True)
                try:
                    duplicate = key in seen
                    seen.add(key)
                except TypeError:  # unhashable: the constructor reports it
                    continue
                if duplicate:
                    shown = f" {key!r}" if isinstance(key, str) and _NAME.match(key) else ""
                    raise LimitError(f"duplicate key{shown} (a mapping may set each key once)", key_node.start_mark)
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_timestamp(self, node: yaml.Node) -> Any:
        return self.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)
_NAME = re.compile(r"^[A-Za-z0-9_.\-/]{1,100}$")  # a key shown in a message: a name, not a value-like text


def load_all(text: str) -> list[Any]:
    """Every document of a YAML stream (safe load, anchors resolved, bounded; see _Loader)."""
    return list(yaml.load_all(text, Loader=_Loader))


def load(text: str) -> Any:
    """One YAML document (safe load, bounded)."""
    return yaml.load(text, Loader=_Loader)


_QUOTED = re.compile(r"""\s*(['"])(?!<)(?:\\.|(?!\1).)*\1""")


def _hide(match: re.Match[str]) -> str:
    """A quoted token with a letter or digit in it is left out; punctuation (`','`) is kept."""
    return "" if any(ch.isalnum() for ch in match.group(0)) else match.group(0)


def error_message(exc: yaml.YAMLError, base_line: int = 0) -> str:
    """':LINE: problem' for a YAML error: the position and the problem, never the offending text.

    PyYAML quotes the token it stumbled on ("could not determine a constructor for the tag '!s3cr3t'");
    that token can be a value (a password after an unquoted `!`), so quoted parts are left out.
    """
    mark = getattr(exc, "problem_mark", None)
    line = f":{base_line + mark.line + 1}" if mark is not None else ""
    problem = str(getattr(exc, "problem", None) or "not valid YAML")
    if not isinstance(exc, LimitError):
        problem = _QUOTED.sub(_hide, problem)
    context = str(getattr(exc, "context", None) or "")
    if context and not isinstance(exc, LimitError) and _QUOTED.sub(_hide, context) == context:
        problem = f"{problem} ({context})"
    return f"{line}: {problem}"


def read_text(path: Path, shown: str, limit: int = MAX_FILE_BYTES) -> str:
    """A regular file's UTF-8 text, refusing (without reading them) devices, FIFOs and oversized files."""
    try:
        # O_NONBLOCK: opening a FIFO no process writes to would wait forever (for a regular file it changes nothing)
        with open(os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)), "rb") as fh:
            info = os.fstat(fh.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise InputError(f"{shown}: not a regular file")
            data = fh.read(limit + 1)
    except FileNotFoundError:
        raise InputError(f"{shown}: not found") from None
    except IsADirectoryError:
        raise InputError(f"{shown}: is a folder, not a file") from None
    except OSError as exc:
        raise InputError(f"{shown}: cannot read ({exc.strerror or exc.__class__.__name__})") from None
    if len(data) > limit:
        raise InputError(f"{shown}: larger than {limit // (1024 * 1024)} MiB: refused")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{shown}: not UTF-8 text") from None


_EMITTERS = threading.local()


def _emitter() -> YAML:
    """One configured emitter per thread: creating a YAML() instance globs for plug-ins, which cost
    more than the dump itself for the small documents the overlays are made of."""
    out: YAML | None = getattr(_EMITTERS, "yaml", None)
    if out is None:
        from ruamel.yaml import YAML

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
    from ruamel.yaml.scalarstring import LiteralScalarString, SingleQuotedScalarString

    return _prepared(value, LiteralScalarString, SingleQuotedScalarString)


def _prepared(value: Any, literal: type[str], quoted: type[str]) -> Any:
    if isinstance(value, str):
        if "\n" in value and not value.endswith((" ", "\t")) and "\r" not in value:
            return literal(value)
        if _ambiguous(value):
            return quoted(value)
        return value
    if isinstance(value, Mapping):
        return {k: _prepared(v, literal, quoted) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_prepared(v, literal, quoted) for v in value]
    return value


_DUMPED: dict[bytes, str] = {}
"""Documents emitted in this process, by their pickled form: ruamel's emitter is a third of an `apply`, and a
run renders the same documents again and again (the preview, its build check, the write; the interview's plan
after each change). Equal data pickles to the same bytes (types included: True is not 1, a quoted string not a
plain one), so a hit is the text the emitter would write; data that pickles differently only misses."""
_DUMPED_MAX_CHARS = 64 * 1024 * 1024  # the texts kept, keys about as much again: emptied when past it
_DUMPED_LOCK = threading.Lock()
_dumped_chars = 0


def _remember(key: bytes, body: str) -> None:
    global _dumped_chars
    with _DUMPED_LOCK:
        if _dumped_chars + len(body) > _DUMPED_MAX_CHARS:
            _DUMPED.clear()
            _dumped_chars = 0
        _DUMPED[key] = body
        _dumped_chars += len(body)


def _emit(data: Any) -> str:
    stream = io.StringIO()
    _emitter().dump(_prepare(data), stream)
    body = stream.getvalue()
    if isinstance(data, list | tuple) and data:
        # ruamel indents a top-level sequence like a nested one; kubectl style starts it at column 0.
        body = "".join(line[2:] if line.startswith("  ") else line for line in body.splitlines(keepends=True))
    return body


def dump(data: Any, *, header: str | None = None) -> str:
    """One document as YAML text, with an optional comment header (each line prefixed with '# ')."""
    try:
        key: bytes | None = pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError, RecursionError):
        key = None
    body = _DUMPED.get(key) if key is not None else None
    if body is None:
        body = _emit(data)
        if key is not None:
            _remember(key, body)
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
