"""The question model: prompts/*.yaml loaded into `Question` values, checked on load.

Every error names the file and the question id and says what is wrong, so a typo in the prompts file
fails the first test run rather than the interview.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wizard.interview import expr, validators
from wizard.interview.answers import ANSWER_KEYS
from wizard.interview.facts import DERIVED, FACT_DEFAULTS
from wizard.interview.validators import Validator
from wizard.resources import resource_dir

PROMPTS_DIR = resource_dir("prompts")
"""Where the prompts files live (the repository's `prompts/`)."""

TYPES = ("confirm", "choice", "multi_choice", "text", "list", "per_environment")
ITEM_KINDS = ("text", "int", "replicas", "mapping", "autoscaling")
"""What one value is (`of:`) for text and per-environment questions."""

_FIELDS = {
    "id",
    "label",
    "text",
    "help",
    "type",
    "of",
    "choices",
    "suggestions",
    "default",
    "implied",
    "when",
    "validate",
    "validate_keys",
    "key",
    "optional",
    "parse",
    "fixed_for",
    "unique",
}


class PromptsError(ValueError):
    """The prompts file is wrong; the message names the file and the question id."""


@dataclass(frozen=True)
class Choice:
    """One option of a choice: the value stored and the label shown."""

    value: str
    label: str


@dataclass(frozen=True)
class TextVariant:
    """A wording of the question, used when its condition holds (the first that holds wins)."""

    text: str
    when: Any = None


@dataclass(frozen=True)
class Question:
    """One question of the interview, as written in the prompts file.

    `default`, `implied`, `choices` (when not a literal list) are expressions and `when`, `fixed_for`
    conditions of `wizard.interview.expr`.
    """

    id: str
    type: str
    texts: tuple[TextVariant, ...]
    help: str = ""
    label: str = ""
    key: str | None = None
    of: str = "text"
    choices: Any = None
    suggestions: tuple[str, ...] = ()
    default: Any = None
    implied: Any = None
    when: Any = None
    validate: tuple[Any, ...] = ()
    validate_keys: tuple[Any, ...] = ()
    optional: bool = False
    parse: str | None = None
    fixed_for: Any = None
    unique: bool = False

    @property
    def per_environment(self) -> bool:
        """True when the answer is one value per environment."""
        return self.type == "per_environment"

    def validators(self) -> list[Validator]:
        """The validators of one value."""
        return [validators.validator(spec) for spec in self.validate]

    def key_validators(self) -> list[Validator]:
        """The validators of a mapping answer's keys."""
        return [validators.validator(spec) for spec in self.validate_keys]

    def dependencies(self) -> set[str]:
        """The paths whose value changes what this question proposes or whether it is asked.

        Its wording is left out: a changed name re-renders the text but does not re-ask the question.
        """
        parts: list[Any] = [self.default, self.implied, self.when, self.fixed_for]
        if not isinstance(self.choices, tuple):
            parts.append(self.choices)
        return expr.references(parts)

    def references(self) -> set[str]:
        """Every path the question refers to: its dependencies and its wording's placeholders."""
        parts = [self.help] + [v.text for v in self.texts] + [v.when for v in self.texts]
        return self.dependencies() | expr.references(parts)


def _fail(origin: str, qid: str, reason: str) -> PromptsError:
    return PromptsError(f"{origin}: question {qid!r}: {reason}")


def _choices(raw: Any, origin: str, qid: str) -> Any:
    if raw is None or isinstance(raw, Mapping):
        if raw is not None:
            try:
                expr.check_expression(raw)
            except expr.ExpressionError as exc:
                raise _fail(origin, qid, f"choices: {exc}") from None
        return raw
    if not isinstance(raw, list) or not raw:
        raise _fail(origin, qid, "choices: a list of values or {value, label}, or an expression like {from: ...}")
    out = []
    for item in raw:
        if isinstance(item, Mapping) and "value" in item:
            out.append(Choice(str(item["value"]), str(item.get("label", item["value"]))))
        elif isinstance(item, str):
            out.append(Choice(item, item))
        else:
            raise _fail(origin, qid, f"choices: {item!r} is neither a string nor {{value, label}}")
    return tuple(out)


def _texts(raw: Any, origin: str, qid: str) -> tuple[TextVariant, ...]:
    if isinstance(raw, str) and raw.strip():
        return (TextVariant(raw.strip()),)
    if isinstance(raw, list) and raw:
        out = []
        for item in raw:
            if not isinstance(item, Mapping) or not isinstance(item.get("text"), str) or set(item) - {"text", "when"}:
                raise _fail(origin, qid, "text: a string, or a list of {text, when}")
            try:
                expr.check_condition(item.get("when"))
            except expr.ExpressionError as exc:
                raise _fail(origin, qid, f"text when: {exc}") from None
            out.append(TextVariant(item["text"].strip(), item.get("when")))
        if out[-1].when is not None:
            raise _fail(origin, qid, "text: the last wording must have no when: (it is the fallback)")
        return tuple(out)
    raise _fail(origin, qid, "text: is required")


def question(raw: Any, origin: str = "prompts") -> Question:
    """One Question from its raw mapping; PromptsError on anything wrong."""
    if not isinstance(raw, Mapping) or not isinstance(raw.get("id"), str):
        raise PromptsError(f"{origin}: every question needs an id (got {raw!r:.60})")
    qid = raw["id"]
    unknown = set(raw) - _FIELDS
    if unknown:
        raise _fail(origin, qid, f"unknown field(s) {', '.join(sorted(unknown))}")
    qtype = raw.get("type")
    if qtype not in TYPES:
        raise _fail(origin, qid, f"type {qtype!r} is not one of {', '.join(TYPES)}")
    of = raw.get("of", "text")
    if of not in ITEM_KINDS:
        raise _fail(origin, qid, f"of: {of!r} is not one of {', '.join(ITEM_KINDS)}")
    if "of" in raw and qtype not in ("text", "per_environment"):
        raise _fail(origin, qid, "of: applies to text and per_environment questions only")
    key = raw.get("key")
    if key is not None and key not in ANSWER_KEYS:
        raise _fail(origin, qid, f"key {key!r} is not an answers-file path (known: {', '.join(sorted(ANSWER_KEYS))})")
    if key is None and qtype not in ("confirm", "multi_choice", "choice"):
        raise _fail(origin, qid, "key: is required (only confirm and choice questions may steer without one)")
    if (
        key is not None
        and key.startswith("environments[*].")
        and key not in ("environments[*].name", "environments[*].current")
        and qtype != "per_environment"
    ):
        raise _fail(origin, qid, f"key {key!r} is per environment: the type must be per_environment")
    choices = _choices(raw.get("choices"), origin, qid)
    if qtype in ("choice", "multi_choice") and choices is None:
        raise _fail(origin, qid, f"a {qtype} question needs choices:")
    try:
        for part in ("default", "implied"):
            expr.check_expression(raw.get(part))
        for part in ("when", "fixed_for"):
            expr.check_condition(raw.get(part))
        checks = tuple(raw.get("validate") or ())
        key_checks = tuple(raw.get("validate_keys") or ())
        for spec in checks + key_checks:
            validators.validator(spec)
    except (expr.ExpressionError, ValueError) as exc:
        raise _fail(origin, qid, str(exc)) from None
    if raw.get("parse") not in (None, "environments"):
        raise _fail(origin, qid, "parse: the only free-text parser by name is environments")
    help_text = raw.get("help", "")
    if not isinstance(help_text, str):
        raise _fail(origin, qid, "help: is a string")
    return Question(
        id=qid,
        type=qtype,
        texts=_texts(raw.get("text"), origin, qid),
        help=help_text.strip(),
        label=str(raw.get("label") or qid.replace("_", " ").capitalize()),
        key=key,
        of=of,
        choices=choices,
        suggestions=tuple(str(s) for s in raw.get("suggestions") or ()),
        default=raw.get("default"),
        implied=raw.get("implied"),
        when=raw.get("when"),
        validate=checks,
        validate_keys=key_checks,
        optional=bool(raw.get("optional", False)),
        parse=raw.get("parse"),
        fixed_for=raw.get("fixed_for"),
        unique=bool(raw.get("unique", False)),
    )


def check_references(questions: list[Question], origin: str = "prompts") -> None:
    """Every `answers.x` names an earlier question and every `facts.x` a known fact."""
    known_facts = set(FACT_DEFAULTS) | set(DERIVED)
    earlier: set[str] = set()
    for q in questions:
        if q.id in earlier:
            raise _fail(origin, q.id, "the id is used twice")
        for path in q.references():
            head, _, rest = path.partition(".")
            name = rest.split(".")[0]
            if head == "answers" and name not in earlier:
                raise _fail(origin, q.id, f"{path} refers to no earlier question")
            if head == "facts" and name not in known_facts:
                raise _fail(origin, q.id, f"{path} is not a fact the scan provides")
            if head == "env" and not q.per_environment:
                raise _fail(origin, q.id, f"{path}: env. is only defined in per_environment questions")
            if head not in expr.ROOTS and head not in earlier and head not in known_facts:
                raise _fail(origin, q.id, f"{{{path}}} is neither an earlier question nor a fact")
        earlier.add(q.id)


def load_questions(path: Path | None = None) -> list[Question]:
    """The questions of a prompts file (default: prompts/interview.yaml), checked."""
    path = path or PROMPTS_DIR / "interview.yaml"
    origin = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PromptsError(f"{origin}: cannot read: {exc}") from None
    try:
        compiled: str | None = compiled_path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        compiled = None
    return list(_parsed(text, origin, compiled))


def compiled_path(path: Path) -> Path:
    """The compiled form of a prompts file, beside it (`interview.yaml` -> `interview.json`)."""
    return path.with_suffix(".json")


def compile_prompts(text: str) -> str:
    """The compiled form of a prompts file's `text`: its data as JSON, with the SHA-256 of the text it was read from.

    Loading the prompts is on the way to the Textual app's first question: JSON needs neither PyYAML's import nor
    its parse (~30 ms of that start's ~0.4 s on this project's machine). `scripts/compile_prompts.py` writes it; a
    compiled file whose hash is not the text's (the YAML edited since) is ignored and the YAML is read.
    """
    from wizard.core import yamlio

    data = yamlio.load(text)
    if json.loads(json.dumps(data)) != data:  # a date, a number as a key, ...: JSON would read back something else
        raise PromptsError("the prompts hold a value JSON cannot keep as it is: they are read from the YAML only")
    return json.dumps({"sha256": _digest(text), "prompts": data}, ensure_ascii=False, indent=1) + "\n"


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _compiled_data(text: str, compiled: str | None) -> Any:
    """The compiled data when it was compiled from this very text, else None."""
    if compiled is None:
        return None
    try:
        document = json.loads(compiled)
    except ValueError:
        return None
    if not isinstance(document, dict) or document.get("sha256") != _digest(text):
        return None
    return document.get("prompts")


@functools.lru_cache(maxsize=4)
def _parsed(text: str, origin: str, compiled: str | None = None) -> tuple[Question, ...]:
    """Parsed and checked once per process and text: the app, its draft resume and `add-env` each load the prompts,
    and parsing them costs more than a screen (~0.1 s). Questions are frozen, and nothing changes their expressions.
    `compiled`: the text of the compiled form (used when it was compiled from `text`)."""
    data = _compiled_data(text, compiled)
    if data is None:
        import yaml

        from wizard.core import yamlio

        try:
            data = yamlio.load(text)
        except yaml.YAMLError as exc:
            raise PromptsError(f"{origin}: cannot read: {exc}") from None
    return tuple(parse_questions(data, origin))


def parse_questions(data: Any, origin: str = "prompts") -> list[Question]:
    """The questions of an already-loaded prompts document, checked."""
    if not isinstance(data, Mapping) or data.get("version") != 1 or not isinstance(data.get("questions"), list):
        raise PromptsError(f"{origin}: expected `version: 1` and a `questions:` list")
    questions = [question(raw, origin) for raw in data["questions"]]
    check_references(questions, origin)
    names = [q for q in questions if q.key == "environments[*].name"]
    if len(names) != 1 or names[0].type != "list":
        raise PromptsError(f"{origin}: exactly one list question must fill environments[*].name")
    return questions
