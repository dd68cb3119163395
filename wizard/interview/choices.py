"""Which choice a sentence means: "use sops", "sealed secrets please", "postgres is RDS".

A choice is recognised by its value, its label's first words or a known synonym, as a whole word. Exactly
one choice named (and no "not"/"don't" that could turn it around) is an answer; none, or several, is a
question to ask again.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from wizard.interview.parse import ParseError

SYNONYMS: dict[str, tuple[str, ...]] = {
    "sealed-secrets": ("sealed secrets", "sealedsecrets", "sealed-secrets", "kubeseal", "sealed", "bitnami"),
    "sops": ("sops", "age", "mozilla sops"),
    "none": ("none", "nothing", "by hand", "myself", "manually", "no encryption", "i create them"),
    "github-actions": ("github actions", "github-actions", "gha", "actions", "a workflow", "workflow", "github"),
    "own": ("own", "its own", "their own", "separate", "dedicated", "in-cluster", "in cluster", "a copy", "copy",
            "local", "fresh"),
    "shared": ("shared", "share", "shares", "the same", "same as today", "production's", "prod's", "today's"),
    "replicas": ("replicas", "replica counts", "replica count", "replica", "scale", "pods", "instances"),
    "resources": ("resources", "cpu", "memory", "cpu and memory", "requests", "limits", "ram"),
    "autoscaling": ("autoscaling", "auto scaling", "auto-scaling", "hpa", "autoscaler"),
    "config": ("config", "configuration", "config values", "settings", "log level", "env vars", "environment variables"),
    "image_tag": ("image tags", "image tag", "tags", "tag", "versions", "image versions"),
    "external": ("external", "rds", "aurora", "cloud sql", "cloudsql", "managed", "elasticache", "memorystore",
                 "atlas", "aiven", "hosted", "outside", "saas", "azure database", "a managed service"),
}
"""Words people use for the choices of the prompts file, by choice value."""

_NEGATION = re.compile(r"\b(not|no|don'?t|never|without|instead of|rather than|isn'?t|aren'?t)\b", re.IGNORECASE)
_FILLER = re.compile(
    r"\b(use|using|with|please|go|let'?s|i|we|want|would|like|prefer|the|a|an|it|is|are|be|should|take|pick|choose|"
    r"one|option|for|via|through|in|on|and|of|to|will|gets?|runs?|on)\b",
    re.IGNORECASE,
)


class HasChoice(Protocol):
    """A choice: its value and label."""

    @property
    def value(self) -> str: ...

    @property
    def label(self) -> str: ...


def _words(choice: HasChoice) -> list[str]:
    words = [choice.value, choice.value.replace("-", " ")]
    label = choice.label.split(":")[0].strip()
    if label and label != choice.value:
        words.append(label)
    return [w.lower() for w in dict.fromkeys([*words, *SYNONYMS.get(choice.value, ())]) if w]


def named_choices(text: str, choices: Sequence[HasChoice]) -> list[tuple[str, int, int]]:
    """(value, start, end) of each choice named in `text`, longest words first, no overlaps."""
    found: list[tuple[str, int, int]] = []
    candidates = [(w, c.value) for c in choices for w in _words(c)]
    for word, value in sorted(candidates, key=lambda wv: -len(wv[0])):
        for m in re.finditer(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text, re.IGNORECASE):
            if any(m.start() < e and s < m.end() for _, s, e in found):
                continue
            found.append((value, m.start(), m.end()))
    return sorted(found, key=lambda f: f[1])


def understand_choice(text: str, choices: Sequence[HasChoice]) -> str:
    """The one choice `text` names; ParseError (with the choices) when it names none, several, or negates one."""
    found = {value for value, _, _ in named_choices(text, choices)}
    listing = ", ".join(c.value for c in choices)
    if len(found) == 1 and not _NEGATION.search(text):
        return next(iter(found))
    if len(found) == 1 and _NEGATION.search(text) and len(choices) == 2:
        raise ParseError(f"Say which one you want ({listing}), like `use {choices[0].value}`.")
    if len(found) > 1:
        raise ParseError(f"That names {', '.join(sorted(found))}: which one? ({listing})")
    raise ParseError(f"I did not recognise a choice in {text.strip()!r}: pick one of {listing}.")


def _service_words(service: Mapping[str, Any]) -> list[str]:
    """What people call a backing service: its name, and the engine its image runs (postgres, pg, database)."""
    name = str(service.get("name", ""))
    evidence = str(service.get("evidence", "")).lower()
    words = [name, name.replace("-", " "), name.replace("_", " ")]
    engines = {
        "postgres": ("postgres", "postgresql", "pg", "psql", "database", "db"),
        "mysql": ("mysql", "database", "db"),
        "mariadb": ("mariadb", "mysql", "database", "db"),
        "mongo": ("mongo", "mongodb", "database", "db"),
        "redis": ("redis", "cache"),
        "rabbitmq": ("rabbitmq", "rabbit", "queue", "broker"),
        "kafka": ("kafka", "queue", "broker"),
        "elastic": ("elasticsearch", "elastic", "search"),
    }
    for engine, said in engines.items():
        if engine in evidence or engine in name.lower():
            words += list(said)
    if name.upper().startswith(("DATABASE", "DB_", "POSTGRES", "MYSQL")):
        words += ["database", "db"]
    return [w.lower() for w in dict.fromkeys(words) if w]


def understand_services(
    text: str, services: Sequence[Mapping[str, Any]], choices: Sequence[HasChoice]
) -> dict[str, str]:
    """{service: choice} from "postgres is RDS, redis its own"; ParseError when a part names no service or choice."""
    out: dict[str, str] = {}
    for part in re.split(r"\s*(?:[,;]|\band\b|\bbut\b|\bwhile\b)\s*", text.strip()):
        if not part.strip():
            continue
        meant: set[str] = set()
        spans: list[tuple[int, int]] = []
        for service in services:
            for word in _service_words(service):
                for m in re.finditer(rf"(?<![\w-]){re.escape(word)}(?![\w-])", part, re.IGNORECASE):
                    meant.add(str(service["name"]))
                    spans.append((m.start(), m.end()))
        if re.search(r"\b(everything|all of them|all|both)\b", part, re.IGNORECASE):
            meant = {str(s["name"]) for s in services}
        if not meant:
            known = ", ".join(str(s["name"]) for s in services)
            raise ParseError(f"Which service is {part.strip()!r} about? (found: {known}; like `db=external`)")
        if len(meant) > 1 and not re.search(r"\b(everything|all|both)\b", part, re.IGNORECASE):
            raise ParseError(f"{part.strip()!r} could be {' or '.join(sorted(meant))}: use the service's name.")
        rest = part
        for start, end in sorted(spans, reverse=True):
            rest = rest[:start] + " " * (end - start) + rest[end:]
        value = understand_choice(rest, choices)
        for name in meant:
            if name in out and out[name] != value:
                raise ParseError(f"{name} is given twice.")
            out[name] = value
    return out
