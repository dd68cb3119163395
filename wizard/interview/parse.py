"""Free-text understanding for the interview: what a person types becomes a typed value.

Every parser takes the raw text and returns the value, or raises `ParseError` with a message meant for
the person ("I read 'fast' as neither yes nor no"). `show()` is the inverse: a value as text a person
can edit and that the parsers read back unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
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
"""Short names people use for the usual environments, mapped to the role they stand for.

They only recognise which environment is which (the defaults of a `prod` are production's); the
environment keeps the name the person typed."""

ROLES = ("development", "testing", "staging", "production")
_FILLER = {
    "and", "plus", "then", "also", "the", "both", "with", "environments", "environment", "envs", "env", "just", "only",
    "we", "have", "our", "my", "i", "want", "need", "like", "would", "please",
}
_SENTENCE = {"is", "are", "was", "gets", "get", "runs", "run", "uses", "use", "on", "at", "in", "for", "to", "of", "has"}
"""Words that make a part of an environments answer a sentence, not a list of names."""
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
    """One environment name as typed, lower-cased (`Prod` -> `prod`; the name is never replaced)."""
    return word.strip().strip(".!\"'").lower()


def environment_role(name: str) -> str:
    """The role an environment name stands for: `prod`, `prd`, `live` -> production; other names are their own."""
    word = environment_name(name)
    return ENV_SYNONYMS.get(word, word)


def _distance(a: str, b: str) -> int:
    """Damerau-Levenshtein distance (adjacent swaps count one), for spotting typos of known names."""
    rows = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        rows[i][0] = i
    for j in range(len(b) + 1):
        rows[0][j] = j
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            rows[i][j] = min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                rows[i][j] = min(rows[i][j], rows[i - 2][j - 2] + 1)
    return rows[len(a)][len(b)]


def typo_of(word: str) -> str | None:
    """The usual environment name `word` looks like a typo of (`stagign` -> staging), else None."""
    if word in ENV_SYNONYMS or word in ROLES or len(word) < 4:
        return None
    for known in ROLES:
        if _distance(word, known) <= (1 if len(known) <= 5 else 2):
            return known
    return None


def split_list(text: str) -> list[str]:
    """Items of a free-text list: commas, semicolons, '+', '&', 'and', 'plus', 'then' all separate."""
    return [part.strip() for part in _LIST_SPLIT.split(text.strip()) if part and part.strip()]


def parse_environments(text: str) -> list[str]:
    """Environment names in promotion order, as typed: "staging and prod, plus qa" -> [staging, prod, qa].

    A word that looks like a typo of a usual name (`stagign`) is asked again; in quotes it is kept as typed.
    """
    names: list[str] = []
    for part in split_list(text):
        if any(environment_name(word) in _SENTENCE for word in part.split()):
            raise ParseError(
                f"I read {part.strip()!r} as a sentence, not names: list the environments like `staging, prod`, "
                "then add facts like `prod on shop.io with 3 replicas`."
            )
        for word in part.split():
            quoted = len(word) > 2 and word[0] == word[-1] and word[0] in "\"'"
            name = environment_name(word)
            if name in names:
                raise ParseError(f"{name} is listed twice.")
            if not name or name in _FILLER:
                continue
            guess = None if quoted else typo_of(name)
            if guess:
                raise ParseError(
                    f"Did you mean {guess}? Type the names again (to keep {name!r} as it is, put it in quotes)."
                )
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


_COUNTED = r"(?:replicas?|pods?|instances?|copies|copy|x|nodes?|of\s+them|each|please)"


def parse_int(text: str) -> int:
    """A whole number: "3", "3 replicas", "three pods"; anything more ("3 or 4") is not read as a number."""
    word = text.strip().lower().rstrip(".!")
    match = re.fullmatch(rf"(\d+|{'|'.join(_WORDS)})\s*(?:{_COUNTED}(?:\s+{_COUNTED})?)?", word)
    if match:
        number = match.group(1)
        return int(number) if number.isdigit() else _WORDS[number]
    raise ParseError(f"{text.strip()!r} is not a whole number (like 3, or 3 replicas).")


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


_LEVELS = ("trace", "debug", "info", "warn", "warning", "error")


def log_level(text: str) -> str | None:
    """`debug logging`, `log level info`, `logs at debug` -> the level; None for anything else."""
    match = re.fullmatch(
        rf"(?:(?:set\s+)?(?:the\s+)?log(?:s|ging)?(?:\s+level)?\s*(?:to|at|=|:|is)?\s*)?({'|'.join(_LEVELS)})"
        r"(?:\s+(?:log(?:s|ging)?|level|mode))?",
        text.strip().lower().rstrip("."),
    )
    return match.group(1) if match else None


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
