"""CPU and memory as people write them: "500m CPU and 1Gi", "half a core, 2 GiB", "cpu=250m, memory=512Mi".

The result is Kubernetes quantities keyed by resource name. A unit is never guessed: `1GB` could be
1Gi or 1G and is asked again, a bare number is read only next to the word cpu. `scale()` computes
"half" or "double" of a quantity exactly (250m from 500m, 512Mi from 1Gi) or refuses.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from wizard.interview.parse import ParseError, parse_mapping, parse_quantity

_CPU_UNITS = {"m": "m", "millicore": "m", "millicores": "m", "millicpu": "m", "core": "", "cores": "", "cpu": "",
              "cpus": "", "vcpu": "", "vcpus": ""}
_MEMORY_UNITS = {"ki": "Ki", "mi": "Mi", "gi": "Gi", "ti": "Ti", "kib": "Ki", "mib": "Mi", "gib": "Gi", "tib": "Ti",
                 "k": "k", "m_": "M", "g": "G", "t": "T"}
_AMBIGUOUS = {"kb", "mb", "gb", "tb", "gig", "gigs", "gigabyte", "gigabytes", "megabyte", "megabytes", "meg", "megs"}
_RESOURCE_WORDS = {"cpu": "cpu", "cpus": "cpu", "processor": "cpu", "memory": "memory", "mem": "memory",
                   "ram": "memory", "storage": "ephemeral-storage", "disk": "ephemeral-storage"}
_NUMBER_WORDS = {"one": "1", "two": "2", "three": "3", "four": "4", "eight": "8", "half a": "0.5", "a half": "0.5",
                 "a quarter": "0.25", "quarter of a": "0.25", "a": "1"}
_FILLER = {"and", "with", "of", "a", "requests", "request", "limits", "limit", "for", "each", "per", "container",
           "pod", "gets", "get", "needs", "use", "uses", "at", "least", "most", "max", "min", "plus", "then"}
_TOKEN = re.compile(
    r"(?P<num>\d+(?:\.\d+)?|\.\d+)\s*(?P<unit>millicores?|millicpu|m(?![a-z])|cores?|v?cpus?(?![a-z])|"
    r"[kmgt]i?b?(?![a-z])|gigs?|gigabytes?|megabytes?|megs?)?",
    re.IGNORECASE,
)
_BINARY = {"Ki": 1024, "Mi": 1024**2, "Gi": 1024**3, "Ti": 1024**4}
_DECIMAL = {"m": Decimal("0.001"), "": Decimal(1), "k": Decimal(1000), "M": Decimal(10**6), "G": Decimal(10**9),
            "T": Decimal(10**12)}


def _unit(raw: str | None, text: str) -> tuple[str | None, str]:
    """(resource or None when unknown, Kubernetes suffix) of a unit as typed."""
    if raw is None:
        return None, ""
    word = raw.lower()
    if word in _AMBIGUOUS:
        raise ParseError(
            f"In {text.strip()!r}, {raw} could mean two sizes: write Gi/Mi (powers of 1024, what people usually "
            "mean) or G/M (powers of 1000), like 1Gi."
        )
    if word == "m" and raw == "M":
        return "memory", "M"
    if word in _CPU_UNITS:
        return "cpu", _CPU_UNITS[word]
    if word in _MEMORY_UNITS:
        return "memory", _MEMORY_UNITS[word]
    return None, ""


def parse_resources(text: str) -> dict[str, str]:
    """{resource: quantity} from a mapping (`cpu=100m, memory=128Mi`) or a sentence (`500m CPU and 1Gi`)."""
    if "=" in text or re.search(r"\b(cpu|memory|ephemeral-storage)\s*:", text, re.IGNORECASE):
        return {k.strip().lower(): parse_quantity(v) for k, v in parse_mapping(text).items()}
    work = text.strip().rstrip(".")
    if work.lower() in ("", "none", "off", "-", "nothing", "keep", "same as the base", "the base's"):
        return {}
    for word, number in sorted(_NUMBER_WORDS.items(), key=lambda kv: -len(kv[0])):
        work = re.sub(rf"(?<![\w.]){re.escape(word)}\s+(?=(?:cores?|cpus?|vcpus?|gi|gib|mi|mib)\b)", f"{number} ", work,
                      flags=re.IGNORECASE)
    rest = work.lower()
    out: dict[str, str] = {}
    leftovers: list[str] = []
    position = 0
    tokens = list(_TOKEN.finditer(work))
    for index, token in enumerate(tokens):
        between = rest[position : token.start()]
        position = token.end()
        after_end = tokens[index + 1].start() if index + 1 < len(tokens) else len(rest)
        after = rest[token.end() : after_end]
        unit_raw = token.group("unit")
        resource, suffix = _unit(unit_raw, text)
        words_before = re.findall(r"[a-z-]+", between)
        words_after = re.findall(r"[a-z-]+", after)
        named = [
            _RESOURCE_WORDS[w] for w in ([*words_before[-1:], *words_after[:1]]) if w in _RESOURCE_WORDS
        ]
        if named and resource and any(n != resource for n in named) and resource != "cpu" and suffix != "":
            raise ParseError(f"In {text.strip()!r}, {token.group(0).strip()} is not a {named[0]} amount.")
        if resource is None or (resource == "cpu" and suffix == "" and not unit_raw):
            if not named:
                raise ParseError(
                    f"In {text.strip()!r}, is {token.group('num')} CPU or memory? Say it like `500m CPU and 1Gi`."
                )
            resource = named[0]
            if resource != "cpu":
                raise ParseError(f"In {text.strip()!r}, {token.group('num')} {resource}: give the unit, like 512Mi.")
        if resource in out:
            raise ParseError(f"{resource} is given twice in {text.strip()!r}.")
        out[resource] = f"{token.group('num')}{suffix}"
        leftovers += [w for w in words_before if w not in _FILLER and w not in _RESOURCE_WORDS]
    leftovers += [w for w in re.findall(r"[a-z-]+", rest[position:]) if w not in _FILLER and w not in _RESOURCE_WORDS]
    if leftovers:
        raise ParseError(f"I did not understand {' '.join(leftovers)!r}: say it like `500m CPU and 1Gi`.")
    if not out:
        raise ParseError(f"I found no amount in {text.strip()!r}: say it like `cpu=500m, memory=1Gi`.")
    return out


def scale(quantity: str, numerator: int, denominator: int) -> str:
    """`quantity` times numerator/denominator, exact (`1Gi` / 2 = `512Mi`), or ParseError."""
    match = re.fullmatch(r"(\d+(?:\.\d+)?|\.\d+)(Ki|Mi|Gi|Ti|[mkMGT])?", quantity)
    if not match:
        raise ParseError(f"I cannot compute a part of {quantity!r}: give the amount itself.")
    try:
        number = Decimal(match.group(1)) * numerator / denominator
    except InvalidOperation:
        raise ParseError(f"I cannot compute a part of {quantity!r}.") from None
    suffix = match.group(2) or ""
    if suffix in _BINARY:
        names = list(_BINARY)
        index = names.index(suffix)
        while number != number.to_integral_value() and index > 0:
            index -= 1
            number *= 1024
        if number != number.to_integral_value():
            raise ParseError(f"{quantity} does not divide evenly: give the amount itself.")
        return f"{int(number)}{names[index]}"
    if suffix == "" and number != number.to_integral_value():
        number, suffix = number * 1000, "m"
    if number != number.to_integral_value():
        if suffix in ("k", "M", "G", "T"):
            return f"{int(number * 1000)}" + {"k": "", "M": "k", "G": "M", "T": "G"}[suffix]
        raise ParseError(f"{quantity} does not divide evenly: give the amount itself.")
    return f"{int(number)}{suffix}"


def amount(quantity: str) -> Decimal | None:
    """A quantity as a number (bytes, or cores), to compare two of them; None when it is not one."""
    match = re.fullmatch(r"(\d+(?:\.\d+)?|\.\d+)(Ki|Mi|Gi|Ti|[mkMGT])?", quantity.strip())
    if not match:
        return None
    suffix = match.group(2) or ""
    factor = Decimal(_BINARY[suffix]) if suffix in _BINARY else _DECIMAL[suffix]
    return Decimal(match.group(1)) * factor
