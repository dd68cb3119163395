"""Free-text understanding for the interview: what a person types becomes a typed value.

Every parser takes the raw text and returns the value, or raises `ParseError` with a message meant for
the person ("I read 'fast' as neither yes nor no"). `show()` is the inverse: a value as text a person
can edit and that the parsers read back unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

ENV_SYNONYMS: dict[str, str] = {
    "prod": "production",
    "prd": "production",
    "live": "production",
    "stage": "staging",
    "stg": "staging",
    "dev": "development",
    "develop": "development",
    "test": "testing",
    "tst": "testing",
}
"""Short names people use for the usual environments, mapped to the names the wizard writes."""

_FILLER = {"and", "plus", "then", "also", "the", "both", "with", "environments", "environment", "envs", "env"}
_LIST_SPLIT = re.compile(r"\s*(?:,|;|\+|&|->|→|\n)\s*|\s+(?:and|plus|then)\s+", re.IGNORECASE)
_YES = {"y", "yes", "yeah", "yep", "yup", "sure", "ok", "okay", "true", "1", "right", "correct", "of course"}
_NO = {"n", "no", "nope", "nah", "false", "0", "wrong", "not really"}
_PAIR = re.compile(r"^\s*([^=:]+?)\s*[=:]\s*(.*?)\s*$")
_WORDS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
}
OFF_WORDS = {"", "off", "no", "none", "-", "n", "false", "disabled", "nothing"}
"""Words that mean "not set" for optional per-environment values."""


class ParseError(ValueError):
    """Text that could not be understood; the message says what was expected."""


def environment_name(word: str) -> str:
    """One environment name, lower-cased, with the usual short names expanded (prod -> production)."""
    name = word.strip().strip(".!").lower()
    return ENV_SYNONYMS.get(name, name)


def split_list(text: str) -> list[str]:
    """Items of a free-text list: commas, semicolons, '+', '&', 'and', 'plus', 'then' all separate."""
    return [part.strip() for part in _LIST_SPLIT.split(text.strip()) if part and part.strip()]


def parse_environments(text: str) -> list[str]:
    """Environment names in promotion order: "staging and prod, plus qa" -> [staging, production, qa]."""
    names: list[str] = []
    for part in split_list(text):
        for word in part.split():
            name = environment_name(word)
            if name and name not in _FILLER and name not in names:
                names.append(name)
    if not names:
        raise ParseError("Name at least one environment, for example: staging, production.")
    return names


def parse_yes_no(text: str) -> bool:
    """yes/no in its common spellings."""
    word = text.strip().strip(".!").lower()
    if word in _YES:
        return True
    if word in _NO:
        return False
    raise ParseError(f"I read {text.strip()!r} as neither yes nor no.")


def parse_int(text: str) -> int:
    """A whole number: "3", "3 replicas", "three"."""
    word = text.strip().lower()
    match = re.match(r"^(\d+)\b", word)
    if match:
        return int(match.group(1))
    first = word.split()[0] if word.split() else ""
    if first in _WORDS:
        return _WORDS[first]
    raise ParseError(f"{text.strip()!r} is not a whole number.")


def parse_mapping(text: str) -> dict[str, str]:
    """`KEY=value, KEY2=value2` (or `KEY: value`); empty or "none" gives {}."""
    if text.strip().lower() in OFF_WORDS:
        return {}
    out: dict[str, str] = {}
    for part in re.split(r"\s*[,;\n]\s*", text.strip()):
        if not part:
            continue
        match = _PAIR.match(part)
        if not match or not match.group(1):
            raise ParseError(f"{part!r} is not KEY=value.")
        out[match.group(1)] = match.group(2)
    return out


def parse_replicas(text: str) -> int | dict[str, int]:
    """One count for every workload ("3") or one per workload ("api=3, web=2")."""
    if "=" in text or ":" in text:
        return {name: parse_int(count) for name, count in parse_mapping(text).items()}
    return parse_int(text)


def parse_quantity(text: str) -> str:
    """A Kubernetes quantity as people write it: "128 MiB" -> "128Mi", "0.5" stays "0.5"."""
    compact = re.sub(r"\s+", "", text)
    return re.sub(r"^([\d.]+)([KMGTPE]i)B$", r"\1\2", compact)


def parse_autoscaling(text: str) -> dict[str, int] | None:
    """`min=2, max=5, cpu=80`, `2-5 at 80%` or "off"."""
    word = text.strip().lower()
    if word in OFF_WORDS:
        return None
    if "=" in word or ":" in word:
        raw = parse_mapping(word)
        unknown = sorted(set(raw) - {"min", "max", "cpu"})
        if unknown:
            raise ParseError(f"Use min, max and cpu (not {', '.join(unknown)}).")
        values = {key: parse_int(value.rstrip("%")) for key, value in raw.items()}
    else:
        numbers = [int(n) for n in re.findall(r"\d+", word)]
        if len(numbers) < 2:
            raise ParseError("Give min and max replicas, like `2-5 at 80%`, or `off`.")
        values = dict(zip(("min", "max", "cpu"), numbers, strict=False))
    if "min" not in values or "max" not in values:
        raise ParseError("Give both min and max, like `min=2, max=5, cpu=80`.")
    values.setdefault("cpu", 80)
    return {"min": values["min"], "max": values["max"], "cpu": values["cpu"]}


def split_per_environment(text: str, environments: Iterable[str]) -> dict[str, str] | str:
    """Split "staging: 1, production: 3" by environment; text naming no environment is returned as is.

    Environment names may be given by their short names (prod:). Segments are separated by the next
    environment's name, so values may themselves contain commas ("staging: cpu=1, memory=1Gi; prod: ...").
    """
    known: dict[str, str] = {}
    for env in environments:
        known[env.lower()] = env
    for short, full in ENV_SYNONYMS.items():
        if full in known.values():
            known.setdefault(short, full)
    if not known:
        return text
    alternatives = "|".join(re.escape(word) for word in sorted(known, key=len, reverse=True))
    marker = re.compile(rf"(?:^|[,;\n])\s*({alternatives})\s*:", re.IGNORECASE)
    hits = list(marker.finditer(text))
    if not hits:
        return text
    if text[: hits[0].start()].strip(" ,;\n"):
        raise ParseError("Start with an environment name, like `staging: 1, production: 3`.")
    out: dict[str, str] = {}
    for index, hit in enumerate(hits):
        end = hits[index + 1].start() if index + 1 < len(hits) else len(text)
        out[known[hit.group(1).lower()]] = text[hit.end() : end].strip(" ,;\n")
    return out


def show(value: Any) -> str:
    """A value as text a person can read and edit; the parsers read it back to the same value."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Mapping):
        return ", ".join(f"{key}={show(item)}" for key, item in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(show(item) for item in value)
    return str(value)


def show_autoscaling(value: Mapping[str, Any] | None) -> str:
    """An autoscaling value as `min=2, max=5, cpu=80`, or `off`."""
    return "off" if not value else show(value)
