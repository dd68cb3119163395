"""Facts given early: "staging and prod, prod on shop.io with 3 replicas, use sops".

The environments answer is a list of names, and it may carry clauses about later questions. A clause
with a number, a dotted name or a known word (replicas, namespace, sops, ...) is read as facts about the
environments it names; everything in it must be understood, or the whole answer is asked again.
The facts become the answers of the later questions (which are then not asked, and show in "What I know").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from wizard.interview import sentences
from wizard.interview.parse import ParseError, parse_environments

_SIGNAL = re.compile(
    r"\d|[a-z0-9]\.[a-z]|\b(sops|sealed|replicas?|pods?|instances?|namespaces?|hosts?|domain|github|actions|tag|"
    r"version)\b",
    re.IGNORECASE,
)
_NUMBER = r"(\d+|one|two|three|four|five|six|seven|eight|nine|ten)"
_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("replicas", re.compile(rf"\b{_NUMBER}\s+(?:replicas?|pods?|instances?|copies)\b", re.IGNORECASE)),
    ("namespaces", re.compile(r"\b(?:in\s+)?namespace\s+([a-z0-9][a-z0-9-]*)\b|\bin\s+([a-z0-9][a-z0-9-]*)\s+namespace\b",
                              re.IGNORECASE)),
    ("image_tag", re.compile(r"\b(?:tag|version)\s+(v?\d[\w.-]*)", re.IGNORECASE)),
    ("host", re.compile(r"(?:https?://)?((?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z][a-z0-9-]*[a-z0-9])(?![\w.-])",
                        re.IGNORECASE)),
    ("secrets_provider", re.compile(r"\b(sops|sealed[ -]?secrets)\b", re.IGNORECASE)),
    ("ci", re.compile(r"\b(github[ -]actions)\b", re.IGNORECASE)),
)
_FILLER = {
    "on", "at", "with", "in", "and", "uses", "use", "using", "gets", "get", "has", "have", "runs", "run", "is", "are",
    "the", "its", "their", "for", "both", "host", "hostname", "domain", "url", "answers", "served", "a", "an", "also",
    "plus", "should", "will", "be", "via", "secrets", "ci", "promotion", "image",
}
_GLOBAL = {"secrets_provider", "ci"}


@dataclass
class EnvironmentsAnswer:
    """The environment names, and the facts their answer carried for later questions."""

    names: list[str]
    facts: dict[str, Any] = field(default_factory=dict)
    """question id -> value (global questions) or {environment: value} (per-environment questions)."""


def _is_fact_clause(part: str) -> bool:
    return bool(_SIGNAL.search(part))


def parse_environments_answer(text: str) -> EnvironmentsAnswer:
    """Names (as typed) and facts from an environments answer; ParseError when any part is not understood."""
    parts = [p for p in re.split(r"\s*(?:[,;\n]|\.\s)\s*", text.strip()) if p.strip()]
    plain = [p for p in parts if not _is_fact_clause(p)]
    clauses = [p for p in parts if _is_fact_clause(p)]
    if not plain:
        if clauses:
            raise ParseError(
                "Name the environments first, then what you know about them, like "
                "`staging and prod, prod on shop.io with 3 replicas`."
            )
        raise ParseError("Name at least one environment, for example: staging, production.")
    names = parse_environments(", ".join(plain))
    answer = EnvironmentsAnswer(names)
    for clause in clauses:
        _read_clause(clause, names, answer.facts)
    return answer


def _read_clause(clause: str, names: Sequence[str], facts: dict[str, Any]) -> None:
    found = sentences.mentions(clause, names)
    targets: list[str] = []
    for m in found:
        if m.environments == ("<all>",):
            targets = list(names)
            break
        if m.environments[0].startswith("<"):
            raise ParseError(f"In {clause!r}, name the environments the facts are about.")
        if len(m.environments) > 1:
            raise ParseError(f"{m.word!r} could be {' or '.join(m.environments)}: use the environment's own name.")
        targets += [e for e in m.environments if e not in targets]
    rest = clause
    for m in sorted(found, key=lambda x: -x.start):
        rest = rest[: m.start] + " " * (m.end - m.start) + rest[m.end :]
    got: dict[str, Any] = {}
    for qid, pattern in _PATTERNS:
        for match in list(pattern.finditer(rest)):
            raw = next(g for g in match.groups() if g)
            if qid in got:
                raise ParseError(f"{clause!r} gives two values for the same thing: one per clause, please.")
            got[qid] = _value(qid, raw)
            rest = rest[: match.start()] + " " * (match.end() - match.start()) + rest[match.end() :]
    leftover = [w for w in re.findall(r"[\w.'-]+", rest) if w.lower() not in _FILLER]
    if leftover or not got:
        raise ParseError(
            f"I took the environments, but I did not understand {' '.join(leftover) or clause!r}. "
            "Say facts like `prod on shop.io with 3 replicas` or `use sops`."
        )
    for qid, value in got.items():
        if qid in _GLOBAL:
            if qid in facts and facts[qid] != value:
                raise ParseError(f"{value} and {facts[qid]}: which one?")
            facts[qid] = value
            continue
        if not targets:
            raise ParseError(f"Which environment is {clause.strip()!r} about? Like `prod on shop.io with 3 replicas`.")
        per_env = facts.setdefault(qid, {})
        for env in targets:
            if env in per_env and per_env[env] != value:
                raise ParseError(f"{env} gets two values in {clause!r}.")
            per_env[env] = value


def _value(qid: str, raw: str) -> Any:
    if qid == "replicas":
        return int(raw) if raw.isdigit() else _NUMBERS[raw.lower()]
    if qid == "secrets_provider":
        return "sops" if raw.lower() == "sops" else "sealed-secrets"
    if qid == "ci":
        return "github-actions"
    return raw.lower() if qid in ("host", "namespaces") else raw
