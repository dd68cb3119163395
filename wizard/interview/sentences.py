"""Per-environment sentences: "3 in prod, 1 in staging", "prod gets 500m CPU and 1Gi, staging half".

A sentence is cut at each mention of an environment (its name, or a usual short name of the same role:
`prod` for `production`). The values sit either all before their environment ("3 in prod, 1 in
staging") or all after it ("prod: 3, staging 1"); text on both ends is two readings, and the person is
asked again rather than guessed for. "the others", "everywhere else" and "all" name several environments;
"half", "double" and "the same" take another environment's value from the same sentence.

Nothing here knows what a value means: `split()` hands each environment its piece of text, and the
engine reads that text with the question's own parser.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from wizard.interview.parse import ParseError, environment_role

_OTHERS = r"(?:all\s+)?(?:the\s+)?(?:others|other\s+(?:ones|environments|envs)|rest|everywhere\s+else|elsewhere)"
_ALL = r"(?:everywhere|all\s+(?:of\s+them|environments|envs)|each|every\s+environment|all)"
_EDGE_FILLER = re.compile(
    r"^(?:in|for|on|at|to|gets?|has|have|with|uses?|should|will|would|be|is|are|runs?|needs?|keeps?|stays?|and|but|while|"
    r"whereas|then|also|:|=|-|,|;|\.)\b\s*|^[:=,;.\-]\s*",
    re.IGNORECASE,
)
_TAIL_FILLER = re.compile(
    r"\s*\b(?:in|for|on|at|to|and|but|while|whereas|then|also|gets?|has|have|with|uses?|is|are|runs?)$|\s*[:=,;.\-]$",
    re.IGNORECASE,
)
_RELATIVE = {
    "half": (1, 2),
    "half of that": (1, 2),
    "half as much": (1, 2),
    "a half": (1, 2),
    "double": (2, 1),
    "twice": (2, 1),
    "twice as much": (2, 1),
    "twice that": (2, 1),
    "double that": (2, 1),
    "the same": (1, 1),
    "same": (1, 1),
    "same as": (1, 1),
    "the same as": (1, 1),
    "a quarter": (1, 4),
    "quarter": (1, 4),
}
"""Relative values: the factor applied to the other environment's value."""


@dataclass(frozen=True)
class Mention:
    """Where the sentence names environments: the span and the environments meant."""

    start: int
    end: int
    environments: tuple[str, ...]
    word: str


@dataclass(frozen=True)
class Relative:
    """A value given relative to another environment's: `half` of production's."""

    numerator: int
    denominator: int
    of: str | None
    """The environment it is relative to (None: the one named just before in the sentence)."""


def _word_pattern(word: str) -> str:
    """A whole word that is not part of a host, a path or a hyphenated name (`staging.shop.io`, `shop-staging`)."""
    return rf"(?<![\w.\-/@]){re.escape(word)}(?:'s)?(?![\w\-/@]|\.\w)"


def mention_words(environments: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """Each word that names environments -> the environments it names.

    A name names itself. A short name (prod, stg) or a role name (production) names the environments of
    that role, so with `prod` and `production` both listed `prod` names only `prod` and `live` names both.
    """
    words: dict[str, list[str]] = {}
    for env in environments:
        words.setdefault(env.lower(), []).append(env)
    roles: dict[str, list[str]] = {}
    for env in environments:
        roles.setdefault(environment_role(env), []).append(env)
    from wizard.interview.parse import ENV_SYNONYMS

    for short, role in [*ENV_SYNONYMS.items(), *((r, r) for r in roles)]:
        if short in words or role not in roles:
            continue
        words[short] = list(roles[role])
    return {w: tuple(dict.fromkeys(envs)) for w, envs in words.items()}


def mentions(text: str, environments: Sequence[str]) -> list[Mention]:
    """Every mention of environments in `text`, in order (groups like "the others" included)."""
    found: list[Mention] = []
    words = mention_words(environments)
    for word in sorted(words, key=len, reverse=True):
        for m in re.finditer(_word_pattern(word), text, re.IGNORECASE):
            if any(m.start() < x.end and x.start < m.end() for x in found):
                continue
            if re.search(r"\b(?:as|of|than|like)\s+$", text[: m.start()], re.IGNORECASE):
                continue  # "the same as prod", "half of prod": part of a value, not where a value goes
            found.append(Mention(m.start(), m.end(), words[word], m.group(0)))
    for pattern, kind in ((_OTHERS, "others"), (_ALL, "all")):
        for m in re.finditer(rf"(?<![\w.\-]){pattern}(?![\w\-])", text, re.IGNORECASE):
            if any(m.start() < x.end and x.start < m.end() for x in found):
                continue
            found.append(Mention(m.start(), m.end(), (f"<{kind}>",), m.group(0)))
    return sorted(found, key=lambda x: x.start)


def names_environments(text: str, environments: Sequence[str]) -> bool:
    """True when the text names at least one of the environments (so it is a whole per-environment answer)."""
    return any(not m.environments[0].startswith("<") for m in mentions(text, environments))


def _clean(piece: str) -> str:
    """A value with the joining words around it dropped ("in", "for", "gets", commas)."""
    text = piece.strip()
    for _ in range(4):
        text = _EDGE_FILLER.sub("", text).strip()
        text = _TAIL_FILLER.sub("", text).strip()
    return text


def relative(value: str, environments: Sequence[str]) -> Relative | None:
    """`half`, `double that`, `same as prod` as a Relative (None for an ordinary value)."""
    text = value.strip().lower().rstrip(".")
    words = mention_words(environments)
    of = None
    for word, envs in words.items():
        tail = re.search(rf"\s+(?:of\s+|as\s+|than\s+|of\s+what\s+)?{re.escape(word)}(?:'s)?$", text)
        if tail and len(envs) == 1:
            of, text = envs[0], text[: tail.start()].strip()
            break
    text = re.sub(r"\s+(?:of|as)$", "", text)
    if text in _RELATIVE:
        numerator, denominator = _RELATIVE[text]
        return Relative(numerator, denominator, of)
    return None


def split(text: str, environments: Sequence[str], asked: Sequence[str] | None = None) -> dict[str, str]:
    """The piece of `text` for each environment it names; ParseError when it cannot be read one way only.

    `asked`: the environments the question asks about ("the others" and "all" stand for those).
    """
    asked = list(asked if asked is not None else environments)
    found = mentions(text, environments)
    if not any(not m.environments[0].startswith("<") for m in found) and not found:
        raise ParseError("Name the environments, like `3 in prod, 1 in staging`.")
    groups: list[tuple[list[Mention], int, int]] = []
    for m in found:
        if groups and not _clean(text[groups[-1][2] : m.start]) and text[groups[-1][2] : m.start].strip(" ,&/") in (
            "", "and", "or", "&", "/", ",",
        ):
            groups[-1][0].append(m)
            groups[-1] = (groups[-1][0], groups[-1][1], m.end)
        else:
            groups.append(([m], m.start, m.end))
    gaps = [text[: groups[0][1]]] + [text[a[2] : b[1]] for a, b in zip(groups, groups[1:], strict=False)]
    gaps.append(text[groups[-1][2] :])
    before, after = _clean(gaps[0]), _clean(gaps[-1])
    inner = [_clean(g) for g in gaps[1:-1]]
    if before and after:
        raise ParseError(
            f"I can read {text.strip()!r} two ways: which value goes with which environment? "
            "Say it like `3 in prod, 1 in staging` or `prod: 3, staging: 1`."
        )
    values = [before, *inner] if before else [*inner, after]
    if not before and not after and len(groups) > 1 and not all(inner):
        raise ParseError("Give a value for each environment, like `3 in prod, 1 in staging`.")
    out: dict[str, str] = {}
    for (group, _, _), value in zip(groups, values, strict=True):
        if not value:
            raise ParseError(
                f"What does {' and '.join(m.word for m in group)} get? Say it like `3 in prod, 1 in staging`."
            )
        targets: list[str] = []
        for m in group:
            if m.environments == ("<others>",):
                targets += [e for e in asked if e not in out and e not in _named(found)]
            elif m.environments == ("<all>",):
                targets += [e for e in asked if e not in _named(found)] if _named(found) else list(asked)
            else:
                if len(m.environments) > 1:
                    raise ParseError(
                        f"{m.word!r} could be {' or '.join(m.environments)}: use the environment's own name."
                    )
                targets += list(m.environments)
        for env in targets:
            if env in out:
                raise ParseError(f"{env} is given twice: give each environment once.")
            out[env] = value
    return out


def _named(found: Sequence[Mention]) -> set[str]:
    return {e for m in found for e in m.environments if not e.startswith("<")}
