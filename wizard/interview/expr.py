"""The tiny expression language of the prompts file: references, templates and conditions. No eval.

Paths start at a root: `facts.` (what the scan found, plus `derive()`d values), `answers.` (the
answers to earlier questions, by question id), `env.` (inside a per-environment question: `name`,
`current`, `index`, `role`), `item` (inside `each`/`to_map`) and `roles.` (`roles.production`: the
environment that plays that role, whatever it is called: `prod`, `live`). Templates (`text`, `help`, `format:`) also
accept bare names, `{app}`: an earlier answer of that id, else the fact.

Expressions (a `default`, `implied`, `choices`):
  a literal (string, number, bool, list)     `{literal: {any: value}}` for a literal mapping
  `{from: path}`  with optional `pick: first|last`, `each: expr` (list -> list), `to_map: expr`
                  and `key: field` (list -> {item or item.field: expr}), `default: expr` (when empty)
  `{format: "template with {paths}"}`
  `{if: condition, then: expr, else: expr}`
Conditions (a `when`, an `if`):
  a path (true when the value is set and not empty), true/false,
  `{not: c}`, `{all: [c, ...]}`, `{any: [c, ...]}`,
  `{equals: [a, b]}`, `{contains: [a, b]}` (b in the list a, or b a substring of the string a);
  operands are paths when they start with a root, else literals.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from wizard.interview.parse import show

ROOTS = ("facts", "answers", "env", "item", "roles")
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)\}")
_PATH = re.compile(r"^(facts|answers|env|item|roles)(\.[A-Za-z0-9_]+)*$")
_FROM_KEYS = {"from", "pick", "each", "to_map", "key", "default"}
_COND_KEYS = {"not", "all", "any", "equals", "contains"}


class ExpressionError(ValueError):
    """An expression or condition the language does not have (raised when the prompts file loads)."""


@dataclass(frozen=True)
class Scope:
    """What an expression can see: facts, earlier answers, and the environment or item in hand."""

    facts: Mapping[str, Any]
    answers: Mapping[str, Any]
    env: Mapping[str, Any] | None = None
    item: Any = None
    roles: Mapping[str, str] | None = None
    """Role (production, staging, development, testing) -> the environment that has it, by the name typed."""

    def with_env(self, env: Mapping[str, Any]) -> Scope:
        """This scope inside one environment of a per-environment question."""
        return replace(self, env=env)

    def with_item(self, item: Any) -> Scope:
        """This scope for one element of a list being mapped."""
        return replace(self, item=item)

    def lookup(self, path: str) -> Any:
        """The value at a dotted path; None when any step is missing."""
        head, *rest = path.split(".")
        roots: dict[str, Any] = {
            "facts": self.facts, "answers": self.answers, "env": self.env, "item": self.item, "roles": self.roles or {},
        }
        if head in roots:
            value = roots[head]
        elif head in self.answers:
            value = self.answers[head]
        else:
            value = self.facts.get(head)
        for part in rest:
            if isinstance(value, Mapping):
                value = value.get(part)
            elif isinstance(value, list | tuple) and part.isdigit() and int(part) < len(value):
                value = value[int(part)]
            else:
                return None
        return value


def is_path(value: Any) -> bool:
    """True for a string that is a rooted path (`facts.namespace`)."""
    return isinstance(value, str) and _PATH.match(value) is not None


def empty(value: Any) -> bool:
    """None, "", [] and {} are empty; False and 0 are values."""
    return value is None or (isinstance(value, str | list | tuple | dict) and len(value) == 0)


def render(template: str, scope: Scope) -> str:
    """A template with its `{placeholders}` filled; lists join with ', ', a missing value is ''."""
    return PLACEHOLDER.sub(lambda m: show(scope.lookup(m.group(1))), template)


def evaluate(expr: Any, scope: Scope) -> Any:
    """The value of an expression."""
    if isinstance(expr, list):
        return [evaluate(item, scope) for item in expr]
    if not isinstance(expr, Mapping):
        return expr
    if "literal" in expr:
        return expr["literal"]
    if "format" in expr:
        return render(str(expr["format"]), scope)
    if "if" in expr:
        return evaluate(expr.get("then") if condition(expr["if"], scope) else expr.get("else"), scope)
    value = scope.lookup(expr["from"])
    pick = expr.get("pick")
    if pick and isinstance(value, list | tuple):
        value = (value[0] if pick == "first" else value[-1]) if value else None
    if "each" in expr:
        value = [evaluate(expr["each"], scope.with_item(x)) for x in value or []]
    elif "to_map" in expr:
        field = expr.get("key")
        value = {
            show(x.get(field) if field and isinstance(x, Mapping) else x): evaluate(expr["to_map"], scope.with_item(x))
            for x in value or []
        }
    if empty(value) and "default" in expr:
        return evaluate(expr["default"], scope)
    return value


def _operand(value: Any, scope: Scope) -> Any:
    if is_path(value):
        return scope.lookup(value)
    return evaluate(value, scope)


def condition(cond: Any, scope: Scope) -> bool:
    """The truth of a condition (None, meaning no condition, is true)."""
    if cond is None:
        return True
    if isinstance(cond, bool):
        return cond
    if isinstance(cond, str):
        return not empty(scope.lookup(cond)) and scope.lookup(cond) is not False
    if "not" in cond:
        return not condition(cond["not"], scope)
    if "all" in cond:
        return all(condition(c, scope) for c in cond["all"])
    if "any" in cond:
        return any(condition(c, scope) for c in cond["any"])
    if "equals" in cond:
        left, right = (_operand(x, scope) for x in cond["equals"])
        return bool(left == right)
    haystack, needle = (_operand(x, scope) for x in cond["contains"])
    if isinstance(haystack, str):
        return isinstance(needle, str) and needle in haystack
    return isinstance(haystack, list | tuple) and needle in haystack


def check_expression(expr: Any) -> None:
    """Raise ExpressionError when `expr` is not an expression of the language."""
    if isinstance(expr, list):
        for item in expr:
            check_expression(item)
        return
    if not isinstance(expr, Mapping):
        return
    keys = set(expr)
    if keys == {"literal"}:
        return
    if keys == {"format"}:
        if not isinstance(expr["format"], str):
            raise ExpressionError("format: takes a template string")
        return
    if "if" in keys:
        if not keys <= {"if", "then", "else"} or "then" not in keys:
            raise ExpressionError(f"if: takes then: and else: (got {', '.join(sorted(keys))})")
        check_condition(expr["if"])
        check_expression(expr.get("then"))
        check_expression(expr.get("else"))
        return
    if "from" in keys:
        if not keys <= _FROM_KEYS:
            raise ExpressionError(f"from: does not take {', '.join(sorted(keys - _FROM_KEYS))}")
        if not is_path(expr["from"]):
            raise ExpressionError(f"from: {expr['from']!r} is not a path starting with {', '.join(ROOTS)}")
        if expr.get("pick") not in (None, "first", "last"):
            raise ExpressionError("pick: is first or last")
        if "each" in keys and "to_map" in keys:
            raise ExpressionError("from: takes each: or to_map:, not both")
        for part in ("each", "to_map", "default"):
            if part in keys:
                check_expression(expr[part])
        return
    raise ExpressionError(
        f"unknown expression {{{', '.join(sorted(keys))}}}: use from:, format:, if: or literal: (a mapping value needs literal:)"
    )


def check_condition(cond: Any) -> None:
    """Raise ExpressionError when `cond` is not a condition of the language."""
    if cond is None or isinstance(cond, bool):
        return
    if isinstance(cond, str):
        if not is_path(cond):
            raise ExpressionError(f"condition {cond!r} is not a path starting with {', '.join(ROOTS)}")
        return
    if not isinstance(cond, Mapping) or len(cond) != 1 or not set(cond) <= _COND_KEYS:
        raise ExpressionError(f"unknown condition {cond!r}: use a path, not:, all:, any:, equals: or contains:")
    ((op, arg),) = cond.items()
    if op == "not":
        check_condition(arg)
    elif op in ("all", "any"):
        if not isinstance(arg, list):
            raise ExpressionError(f"{op}: takes a list of conditions")
        for item in arg:
            check_condition(item)
    else:
        if not isinstance(arg, list) or len(arg) != 2:
            raise ExpressionError(f"{op}: takes two operands, [a, b]")
        for item in arg:
            if not is_path(item):
                check_expression(item)


def references(obj: Any) -> set[str]:
    """Every path an expression, condition or template refers to (bare template names included)."""
    found: set[str] = set()
    if isinstance(obj, str):
        if is_path(obj):
            found.add(obj)
        found.update(m.group(1) for m in PLACEHOLDER.finditer(obj))
    elif isinstance(obj, list | tuple):
        for item in obj:
            found |= references(item)
    elif isinstance(obj, Mapping) and "literal" not in obj:
        for key, value in obj.items():
            if key == "key":
                continue
            found |= references(value)
    return found
