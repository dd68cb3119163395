"""Object-by-object differences between two normalized builds.

A difference sits at the highest level where the two sides part: a field present on one side only is
one difference carrying the whole subtree (an added env var, a removed object), two different
scalars are one difference at their path.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from wizard.core.drift.normalize import ObjectKey

MISSING: Any = object()
"""The value of a path that does not exist on one side."""

FieldPath = tuple[str, ...]


@dataclass(frozen=True)
class RawDifference:
    """One place where the two builds differ: the object, the field path ('' for the whole object) and both values."""

    key: ObjectKey
    path: FieldPath
    a: Any
    b: Any


def field_text(path: FieldPath) -> str:
    """A path as people read it: `spec.template.spec.containers[web].env[LOG_LEVEL]`, `data["app.properties"]`."""
    out = ""
    for part in path:
        if part.startswith("[") and part.endswith("]"):
            out += part
        elif part.isidentifier() or all(c.isalnum() or c in "_-" for c in part):
            out += ("." if out else "") + part
        else:
            out += f'["{part}"]'
    return out


def value_at(objects: Mapping[ObjectKey, Any], key: ObjectKey, path: FieldPath) -> Any:
    """The value at a path of an object, MISSING when the object or the path is absent."""
    node: Any = objects.get(key, MISSING)
    for part in path:
        if isinstance(node, Mapping) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.startswith("[") and part[1:-1].isdigit() and int(part[1:-1]) < len(node):
            node = node[int(part[1:-1])]
        else:
            return MISSING
    return node


def differences(a: Mapping[ObjectKey, Any], b: Mapping[ObjectKey, Any]) -> list[RawDifference]:
    """Every difference between two builds, sorted by object and field."""
    found: list[RawDifference] = []
    for key in sorted(set(a) | set(b)):
        _walk(key, (), a.get(key, MISSING), b.get(key, MISSING), found)
    return found


def _walk(key: ObjectKey, path: FieldPath, a: Any, b: Any, found: list[RawDifference]) -> None:
    if a == b and a is not MISSING:
        return
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        for k in _ordered(a, b):
            _walk(key, (*path, k), a.get(k, MISSING), b.get(k, MISSING), found)
        return
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _walk(key, (*path, f"[{i}]"), x, y, found)
        return
    found.append(RawDifference(key, path, a, b))


def _ordered(a: Mapping[str, Any], b: Mapping[str, Any]) -> list[str]:
    """Keys of both sides: a's order first, then b's extra keys (stable, readable)."""
    return [*a.keys(), *(k for k in b if k not in a)]
