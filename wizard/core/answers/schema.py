"""Answers schema version 1: the one definition of what an answers file may say.

`schema.json` (shipped in the package, printed by `k8s-wizard schema`, copied next to the answers file as
`.k8s-wizard/schema.json` for editors) is a JSON Schema (draft-07, which editors' YAML language servers read).
The core checks raw answers against it before anything else (`check`), and the core's parser and the
interview's validators take their patterns, lengths and ranges from its definitions (`pattern`, `limits`), so
a value is accepted or refused the same way everywhere. Rules that relate several values (duplicate names,
one current environment, max >= min) live in `wizard.core.answers.parse`.

Error messages name the key path and what is wrong; a value is echoed only for a pattern, enum or range
error (names, hosts, quantities: never a secret), with any user:password in a URL masked.
"""

from __future__ import annotations

import functools
import json
import pickle
import re
from collections.abc import Iterator, Mapping, Sequence
from importlib import resources
from typing import Any

from wizard.core.errors import InputError

SCHEMA_RESOURCE = "schema.json"
SCHEMA_FILE = ".k8s-wizard/schema.json"
"""Where the schema is written in a repository, beside the generated-files record (editors read it offline)."""
MODELINE = f"yaml-language-server: $schema={SCHEMA_FILE}"
"""The comment that points YAML editors at the schema (relative to the answers file, so it works offline)."""

_TYPE_NAMES = {
    "object": "a mapping", "array": "a list", "string": "a string", "integer": "a whole number",
    "number": "a number", "boolean": "true or false", "null": "nothing",
}
_PYTHON_TYPES = {
    "dict": "a mapping", "CommentedMap": "a mapping", "list": "a list", "CommentedSeq": "a list",
    "bool": "true or false", "int": "a whole number", "float": "a number", "NoneType": "nothing",
}
_USERINFO = re.compile(r"(?<=//)[^/@\s]+@")
# Keyword order for errors on the same value: the type first, then unknown and missing keys.
_KEYWORD_ORDER = {"type": 0, "additionalProperties": 1, "required": 2}


@functools.cache
def schema_text() -> str:
    """The schema as shipped (the exact bytes of the package's schema.json)."""
    return resources.files(__package__).joinpath(SCHEMA_RESOURCE).read_text(encoding="utf-8")


@functools.cache
def schema() -> dict[str, Any]:
    """The schema as a mapping."""
    loaded: dict[str, Any] = json.loads(schema_text())
    return loaded


def definition(name: str) -> dict[str, Any]:
    """One of the schema's definitions (`dnsLabel`, `hostName`, `quantity`, ...)."""
    found: dict[str, Any] = schema()["definitions"][name]
    return found


@functools.cache
def pattern(name: str) -> re.Pattern[str]:
    """The compiled pattern of a definition."""
    return re.compile(str(definition(name)["pattern"]))


def limits(name: str) -> tuple[int, int]:
    """(minimum, maximum) of an integer definition (`replicaCount`, `port`, ...)."""
    d = definition(name)
    return int(d["minimum"]), int(d["maximum"])


def refusal(name: str, value: str) -> str | None:
    """Why a text is not a valid `name` (a pattern definition), or None when it is: the schema's own words."""
    d = definition(name)
    if "maxLength" in d and len(value) > int(d["maxLength"]):
        return f"is {len(value)} characters long: at most {d['maxLength']}"
    if "pattern" in d and not pattern(name).match(value):
        return str(d.get("patternErrorMessage") or f"does not match {d['pattern']}")
    return None


@functools.cache
def _validator() -> Any:
    import jsonschema  # imported on first use: `k8s-wizard --help` stays fast

    def is_integer(_checker: Any, instance: Any) -> bool:
        # YAML 2.0 is a float: a replica count must be written as a whole number, as the parser requires.
        return isinstance(instance, int) and not isinstance(instance, bool)

    checker = jsonschema.Draft7Validator.TYPE_CHECKER.redefine("integer", is_integer)
    cls = jsonschema.validators.extend(jsonschema.Draft7Validator, type_checker=checker)
    return cls(schema())


def key_path(parts: Sequence[str | int]) -> str:
    """`environments[0].resources.requests.cpu` from ['environments', 0, 'resources', 'requests', 'cpu']."""
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _shown(value: Any) -> str:
    """A value as an error message shows it: quoted, with any user:password in a URL masked."""
    return _USERINFO.sub("***@", repr(value)) if isinstance(value, str) else repr(value)


def _type_name(value: Any) -> str:
    return _PYTHON_TYPES.get(type(value).__name__, "a string" if isinstance(value, str) else type(value).__name__)


def _leaf(error: Any) -> Any:
    """The error to report for an anyOf/oneOf failure: the branch whose type fits, deepest first."""
    while error.validator in ("anyOf", "oneOf") and error.context:
        fitting = [e for e in error.context if e.validator != "type"] or list(error.context)
        error = max(fitting, key=lambda e: len(e.absolute_path))
    return error


def _explain(error: Any) -> tuple[list[str | int], str]:
    """(key path, reason) for one schema error, in the words the rest of the tool uses."""
    error = _leaf(error)
    path: list[str | int] = list(error.absolute_path)
    sub: Mapping[str, Any] = error.schema if isinstance(error.schema, Mapping) else {}
    value = error.instance
    keyword = error.validator
    if keyword == "additionalProperties" and isinstance(value, Mapping):
        allowed = list((sub.get("properties") or {}).keys())
        extra = next(str(k) for k in value if k not in allowed)
        return [*path, extra], f"unknown key (allowed: {', '.join(allowed)})"
    if keyword == "required":
        missing = next(k for k in error.validator_value if not isinstance(value, Mapping) or k not in value)
        message = str(((sub.get("properties") or {}).get(missing) or {}).get("errorMessage") or "")
        return [*path, missing], message if message.startswith("required") else "required"
    if keyword == "type":
        if sub.get("errorMessage"):
            return path, str(sub["errorMessage"])
        wanted = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        names = [_TYPE_NAMES.get(str(t), str(t)) for t in wanted if t != "null"]
        return path, f"expected {' or '.join(names)}, got {_type_name(value)}"
    if keyword in ("pattern", "maxLength", "minLength"):
        reason = str(sub.get("patternErrorMessage") or "is not valid")
        # A URL may carry a token: its definition asks not to be quoted (x-quote-value: false).
        return path, reason if sub.get("x-quote-value") is False else f"{_shown(value)} {reason}"
    if keyword in ("minimum", "maximum"):
        return path, f"{value} is out of range {sub.get('minimum')}..{sub.get('maximum')}"
    if keyword == "enum":
        return path, f"{_shown(value)} is not one of {', '.join(str(v) for v in error.validator_value)}"
    if keyword == "const":
        return path, f"{_shown(value)}: {sub.get('errorMessage') or f'expected {error.validator_value!r}'}"
    if keyword == "minItems":
        return path, str(sub.get("errorMessage") or f"at least {error.validator_value} item(s) needed")
    if keyword == "uniqueItems":
        return path, "an item is listed twice"
    if keyword == "propertyNames":
        return path, "a key is not valid"
    return path, str(sub.get("errorMessage") or error.message)


def _document_order(data: Any, path: Sequence[str | int]) -> tuple[int, ...]:
    """Where a key path is in the document: earlier keys and items first, a missing key last."""
    order: list[int] = []
    node = data
    for part in path:
        if isinstance(node, Mapping):
            keys = list(node)
            order.append(keys.index(part) if part in keys else len(keys))
            node = node.get(part) if part in keys else None
        elif isinstance(node, list) and isinstance(part, int):
            order.append(part)
            node = node[part] if 0 <= part < len(node) else None
        else:
            order.append(0)
            node = None
    return tuple(order)


_FOUND: dict[bytes, tuple[tuple[str, str], ...]] = {}
"""What `problems` found, by the pickled answers: equal data pickles to the same bytes (types included: True is
not 1), and the same answers are checked again and again in one process (each command reads the saved answers,
the preview normalizes them, the interview checks them after every answer). At most `_FOUND_MAX` kept."""
_FOUND_MAX = 256


def problems(data: Any) -> Iterator[tuple[str, str]]:
    """Every (key path, reason) the schema finds in raw answers, in document order."""
    try:
        key: bytes | None = pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError, ValueError, RecursionError):
        key = None  # not plain data: checked every time
    found = _FOUND.get(key) if key is not None else None
    if found is None:
        found = tuple(_problems(data))
        if key is not None:
            if len(_FOUND) >= _FOUND_MAX:
                _FOUND.clear()
            _FOUND[key] = found
    yield from found


def _problems(data: Any) -> Iterator[tuple[str, str]]:
    found = []
    for error in _validator().iter_errors(data):
        path, reason = _explain(error)
        found.append((_document_order(data, path), _KEYWORD_ORDER.get(_leaf(error).validator, 9), key_path(path), reason))
    for _, _, where, reason in sorted(found, key=lambda f: (f[0], f[1], f[2], f[3])):
        yield where, reason


def check(data: Any, origin: str) -> None:
    """Raise an InputError naming the first problem (`origin: key.path: reason`) when raw answers break the schema."""
    for where, reason in problems(data):
        raise InputError(f"{origin}: {where}: {reason}" if where else f"{origin}: {reason}")
