"""The interview engine: walks the questions, checks answers, goes back, builds the answers dict.

Pure Python and front-end agnostic: the Textual app, the questionary mode and the tests drive the same
`Interview`. A value given to `answer()` may be typed (bool, list, dict) or free text, which is parsed
per question type; None accepts the proposed default.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wizard.core.answers import schema
from wizard.interview import choices as choice_words
from wizard.interview import parse, quantities, sentences
from wizard.interview.answers import build_answers
from wizard.interview.early import parse_environments_answer
from wizard.interview.expr import Scope, condition, evaluate, render
from wizard.interview.facts import derive
from wizard.interview.model import Choice, Question, load_questions

DRAFT_VERSION = 1
_MISSING: Any = object()


@dataclass(frozen=True)
class Ask:
    """A question as it is asked now: wording filled in, choices and default computed."""

    question: Question
    text: str
    help: str
    default: Any
    choices: tuple[Choice, ...] = ()
    environments: tuple[str, ...] = ()
    """Per-environment questions: the environments to ask about (fixed ones left out)."""
    answered: bool = False
    """True when this is an earlier answer being changed (the default is then that answer)."""

    @property
    def id(self) -> str:
        """The question id."""
        return self.question.id

    @property
    def type(self) -> str:
        """The question type (confirm, choice, multi_choice, text, list, per_environment)."""
        return self.question.type

    def shown_default(self) -> str:
        """The default as text a person can edit."""
        return show_value(self.question, self.default)

    def shown_default_for(self, env: str) -> str:
        """One environment's default as editable text (per-environment questions)."""
        return show_item(self.question, dict(self.default or {}).get(env))


@dataclass(frozen=True)
class Exchange:
    """One question and its answer, for a chat-style transcript."""

    question: Question
    text: str
    value: Any
    answer: str


@dataclass
class _State:
    """The interview resolved in order: each question's value (answer, default or implied)."""

    values: dict[str, Any] = field(default_factory=dict)
    applicable: list[str] = field(default_factory=list)
    before: dict[str, dict[str, Any]] = field(default_factory=dict)


def show_item(question: Question, value: Any) -> str:
    """One value (one environment's, for per-environment questions) as editable text."""
    if question.of == "autoscaling":
        return parse.show_autoscaling(value)
    return parse.show(value)


def show_value(question: Question, value: Any) -> str:
    """A whole answer as text: per-environment answers as `staging: 1; production: 3`."""
    if question.per_environment and isinstance(value, Mapping):
        return "; ".join(f"{env}: {show_item(question, item)}" for env, item in value.items())
    return show_item(question, value)


def match_choice(text: str, choices: Sequence[Choice]) -> str | None:
    """The choice value `text` means: exact, case-insensitive, a known short name, or a unique prefix."""
    word = text.strip()
    values = [c.value for c in choices]
    if word in values:
        return word
    lowered = word.lower()
    for c in choices:
        if lowered in (c.value.lower(), c.label.lower()):
            return c.value
    same_role = [v for v in values if parse.environment_role(v) == parse.environment_role(word)]
    if len(same_role) == 1:
        return same_role[0]
    prefixed = [v for v in values if lowered and v.lower().startswith(lowered)]
    return prefixed[0] if len(prefixed) == 1 else None


def roles_of(names: Sequence[str]) -> dict[str, str]:
    """Role -> the first environment that plays it (`prod` plays production); every name plays itself too."""
    out: dict[str, str] = {}
    for name in names:
        out.setdefault(parse.environment_role(name), name)
    for name in names:
        out.setdefault(name, name)
    return out


class Interview:
    """One run of the interview over a list of questions and the scan's facts."""

    def __init__(self, questions: Sequence[Question], facts: Mapping[str, Any]) -> None:
        """Start at the first question; `facts` is the scan's plain dict."""
        self.questions: tuple[Question, ...] = tuple(questions)
        self.facts: dict[str, Any] = derive(facts)
        self._by_id = {q.id: q for q in self.questions}
        self._values: dict[str, Any] = {}
        self._editing: str | None = None
        self._proposed: dict[str, Any] = {}
        """Proposals that replace a question's default (facts given early, an answer to re-ask kept as proposal)."""
        self._cache: _State | None = None
        self._env_question = next(q.id for q in self.questions if q.key == "environments[*].name")
        self._current_question = next((q.id for q in self.questions if q.key == "environments[*].current"), None)
        self._dependents = self._dependency_map()
        self._order = {q.id: index for index, q in enumerate(self.questions)}

    @classmethod
    def load(cls, facts: Mapping[str, Any], path: Path | None = None) -> Interview:
        """An interview over the prompts file (default: prompts/interview.yaml)."""
        return cls(load_questions(path), facts)

    # -- walking -------------------------------------------------------------------------------

    def current(self) -> Ask | None:
        """The question to ask now (None when the interview is done)."""
        state = self._state()
        if self._editing is not None and self._editing in state.applicable:
            return self._ask(self._by_id[self._editing], state)
        for qid in state.applicable:
            if qid not in self._values:
                return self._ask(self._by_id[qid], state)
        return None

    @property
    def done(self) -> bool:
        """True when every question that applies has an answer."""
        return self.current() is None

    def answer(self, value: Any = None) -> list[str]:
        """Answer the current question; returns messages (empty: accepted). None accepts the default."""
        ask = self.current()
        if ask is None:
            return ["The interview is finished: there is nothing to answer."]
        early: dict[str, Any] = {}
        if ask.question.parse == "environments" and isinstance(value, str) and value.strip():
            try:
                parsed = parse_environments_answer(value)
            except parse.ParseError as exc:
                return [str(exc)]
            value, early = parsed.names, parsed.facts
        result, errors = self._coerce(ask, value)
        if errors:
            return errors
        saved = (dict(self._values), dict(self._proposed), self._editing)
        before = self._state()
        old = self._values.get(ask.id, _MISSING)
        self._values[ask.id] = result
        self._proposed.pop(ask.id, None)
        self._editing = None
        self._cache = None
        if old is not _MISSING and old != result:
            self._invalidate(ask.id, before)
        errors = self._take_facts(early)
        if errors:
            self._values, self._proposed, self._editing = saved
            self._cache = None
        return errors

    def check(self, value: Any = None) -> list[str]:
        """The messages `answer(value)` would give, without answering."""
        ask = self.current()
        return ["The interview is finished."] if ask is None else self._coerce(ask, value)[1]

    def back(self) -> bool:
        """Go to the previous answered question to change it; False when there is none."""
        state = self._state()
        ask = self.current()
        end = state.applicable.index(ask.id) if ask is not None else len(state.applicable)
        for qid in reversed(state.applicable[:end]):
            if qid in self._values:
                self._editing = qid
                return True
        return False

    def goto(self, question_id: str) -> Ask:
        """Go to an earlier question to change its answer; later answers are kept unless they depend on it."""
        if question_id not in self._by_id:
            raise KeyError(f"no question {question_id!r}")
        state = self._state()
        if question_id not in state.applicable:
            raise ValueError(f"question {question_id!r} does not apply to the answers so far")
        self._editing = question_id
        ask = self.current()
        assert ask is not None
        return ask

    def resume(self) -> None:
        """Leave the question being changed as it was and carry on where the interview stood."""
        self._editing = None

    # -- results -------------------------------------------------------------------------------

    def answers(self) -> dict[str, Any]:
        """The answers dict (schema version 1); unanswered questions count with their default."""
        return build_answers(self.questions, self._state().values)

    def value(self, question_id: str) -> Any:
        """The current value of a question (its answer, default or implied value; None when it does not apply)."""
        return self._state().values.get(question_id)

    def transcript(self) -> list[Exchange]:
        """The questions answered so far, in order, with their answers as text."""
        state = self._state()
        out = []
        for qid in state.applicable:
            if qid in self._values:
                ask = self._ask(self._by_id[qid], state)
                q = ask.question
                out.append(Exchange(q, ask.text, self._values[qid], show_value(q, self._values[qid])))
        return out

    def settled(self) -> frozenset[str]:
        """The answers-file keys settled so far: what "What I know" shows as concluded rather than as the scan's.

        A question answered (also early, from facts given in an earlier answer) settles its key; a question
        that does not apply settles its key once a later question is answered (its value is then implied).
        """
        state = self._state()
        last = max((self._order[qid] for qid in self._values if qid in state.applicable), default=-1)
        out: set[str] = set()
        for q in self.questions:
            if not q.key:
                continue
            if q.id in state.applicable:
                if q.id in self._values:
                    out.add(q.key)
            elif self._order[q.id] < last:
                out.add(q.key)
        return frozenset(out)

    def summary(self) -> list[tuple[str, str]]:
        """(label, answer) for each question answered so far: the side panel's "what I know"."""
        return [(e.question.label, e.answer) for e in self.transcript()]

    def draft(self) -> dict[str, Any]:
        """The answers so far, to save and resume. Facts are not kept (the next start scans again).

        It holds no secret value: the interview asks for key names and settings, never secret values.
        """
        answered = {q.id: self._values[q.id] for q in self.questions if q.id in self._values}
        return {"version": DRAFT_VERSION, "answers": answered, "editing": self._editing, "proposed": dict(self._proposed)}

    @classmethod
    def from_draft(cls, questions: Sequence[Question], facts: Mapping[str, Any], draft: Mapping[str, Any]) -> Interview:
        """An interview resumed from `draft()`; answers that no longer fit are dropped and asked again."""
        interview = cls(questions, facts)
        if not isinstance(draft, Mapping) or draft.get("version") != DRAFT_VERSION:
            raise ValueError("not a k8s-wizard interview draft (or one from another version)")
        saved = draft.get("answers")
        if not isinstance(saved, Mapping):
            raise ValueError("the draft has no answers")
        interview._values = {q.id: saved[q.id] for q in interview.questions if q.id in saved}
        proposed = draft.get("proposed")
        if isinstance(proposed, Mapping):
            interview._proposed = {q.id: proposed[q.id] for q in interview.questions if q.id in proposed}
        for q in interview.questions:
            state = interview._state()
            if q.id not in interview._values or q.id not in state.applicable:
                continue
            value, errors = interview._coerce(interview._ask(q, state), interview._values[q.id])
            if errors:
                before = interview._state()
                del interview._values[q.id]
                interview._cache = None
                interview._invalidate(q.id, before)
            elif value != interview._values[q.id]:
                interview._values[q.id] = value
                interview._cache = None
        editing = draft.get("editing")
        if isinstance(editing, str) and editing in interview._state().applicable and editing in interview._values:
            interview._editing = editing
        return interview

    # -- internals -------------------------------------------------------------------------------

    def _dependency_map(self) -> dict[str, set[str]]:
        """question id -> the ids of the later questions whose default, choices or conditions use it."""
        dependents: dict[str, set[str]] = {q.id: set() for q in self.questions}
        earlier: set[str] = set()
        for q in self.questions:
            for path in q.dependencies():
                head, _, rest = path.partition(".")
                name = rest.split(".")[0] if head == "answers" else head
                if name in earlier:
                    dependents[name].add(q.id)
            if q.per_environment:
                dependents[self._env_question].add(q.id)
                if self._current_question and self._current_question in earlier:
                    dependents[self._current_question].add(q.id)
            earlier.add(q.id)
        return dependents

    def _invalidate(self, qid: str, before: _State) -> None:
        """Re-ask the answers that depend on `qid`; through questions that stop applying, transitively.

        An answer that was the old proposal is dropped (the new proposal is asked). An answer the person
        typed is kept when it still fits and the question is the same shape (a Flux URL does not depend on
        the app name once typed); when it no longer fits or the environments changed, it is asked again
        with what was typed proposed.
        """
        queue, seen = [qid], set()
        while queue:
            for dep in sorted(self._dependents[queue.pop()], key=self._order.__getitem__):
                if dep in seen:
                    continue
                seen.add(dep)
                had = self._values.pop(dep, _MISSING)
                self._cache = None
                if self._editing == dep:
                    self._editing = None
                if had is _MISSING:
                    continue
                state = self._state()
                if dep not in state.applicable:
                    queue.append(dep)
                    continue
                q = self._by_id[dep]
                old_default = self._default(q, self._scope(before.before.get(dep, {})))
                if had == old_default:
                    continue
                ask = self._ask(q, state)
                value, errors = self._coerce(ask, had)
                same_shape = not q.per_environment or set(dict(had or {})) == set(dict(ask.default or {}))
                if not errors and same_shape:
                    self._values[dep] = value
                    self._cache = None
                    continue
                if q.per_environment:
                    kept = {env: v for env, v in dict(had or {}).items() if env in dict(ask.default or {})}
                    self._proposed[dep] = dict(ask.default or {}) | kept
                else:
                    self._proposed[dep] = had
                self._cache = None

    def _take_facts(self, early: Mapping[str, Any]) -> list[str]:
        """Answer later questions with facts given early; the messages when one does not fit."""
        if not early:
            return []
        differs = self._by_id.get("differs")
        wanted = [qid for qid in ("replicas", "image_tag") if qid in early]
        if differs is not None and wanted and "differs" not in self._values:
            state = self._state()
            current = list(state.values.get("differs") or [])
            self._proposed["differs"] = current + [w for w in wanted if w not in current]
            self._cache = None
        errors: list[str] = []
        for qid, given in early.items():
            target = qid
            if qid == "host" and "host" not in self._state().applicable:
                target = next((t for t in ("new_app_host", "hosts") if t in self._state().applicable), "host")
            q = self._by_id.get(target)
            state = self._state()
            if q is None or target not in state.applicable:
                errors.append(f"I have nowhere to put {parse.show(given)} ({qid.replace('_', ' ')}): "
                              "leave it out here and answer it when I ask.")
                continue
            ask = self._ask(q, state)
            value = dict(ask.default or {}) | dict(given) if q.per_environment else given
            result, problems = self._coerce(ask, value)
            if problems:
                errors += problems
                continue
            self._values[target] = result
            self._cache = None
        return errors

    def _state(self) -> _State:
        if self._cache is not None:
            return self._cache
        state = _State()
        for q in self.questions:
            scope = self._scope(state.values)
            if not condition(q.when, scope):
                if q.implied is not None:
                    state.values[q.id] = evaluate(q.implied, scope)
                continue
            state.before[q.id] = dict(state.values)
            state.applicable.append(q.id)
            state.values[q.id] = self._values[q.id] if q.id in self._values else self._default(q, scope)
        self._cache = state
        return state

    def _scope(self, values: Mapping[str, Any]) -> Scope:
        """What the prompts' expressions see, given the values so far (roles from the environment names)."""
        return Scope(self.facts, values, roles=roles_of([str(n) for n in values.get(self._env_question) or []]))

    def _environments(self, values: Mapping[str, Any]) -> tuple[list[str], str | None]:
        names = [str(n) for n in values.get(self._env_question) or []]
        current = values.get(self._current_question) if self._current_question else None
        return names, current if current in names else None

    def _env_scopes(self, q: Question, scope: Scope) -> list[tuple[str, Scope, bool]]:
        """(environment, its scope, fixed?) for each environment, in promotion order."""
        names, current = self._environments(scope.answers)
        out = []
        for index, name in enumerate(names):
            env_scope = scope.with_env(
                {"name": name, "current": name == current, "index": index, "role": parse.environment_role(name)}
            )
            fixed = q.fixed_for is not None and condition(q.fixed_for, env_scope)
            out.append((name, env_scope, fixed))
        return out

    def _default(self, q: Question, scope: Scope) -> Any:
        proposed = self._proposed.get(q.id, _MISSING)
        if q.per_environment:
            value = {name: evaluate(q.default, env_scope) for name, env_scope, _ in self._env_scopes(q, scope)}
            if isinstance(proposed, Mapping):
                value |= {env: item for env, item in proposed.items() if env in value}
            elif q.key == "environments[*].resources.limits":
                value = self._limits_at_least_requests(value, scope.answers.get("requests") or {})
            return value
        if proposed is not _MISSING:
            return proposed
        value = evaluate(q.default, scope)
        if value is None and q.type in ("list", "multi_choice"):
            return []
        return value

    def _ask(self, q: Question, state: _State) -> Ask:
        scope = self._scope(state.before.get(q.id, {}))
        text = next(v.text for v in q.texts if condition(v.when, scope))
        choices: tuple[Choice, ...] = ()
        if isinstance(q.choices, tuple):
            choices = q.choices
        elif q.choices is not None:
            choices = tuple(
                Choice(str(x["value"]), str(x.get("label") or x["value"])) if isinstance(x, Mapping) and "value" in x
                else Choice(parse.show(x), parse.show(x))
                for x in evaluate(q.choices, scope) or []
            )
        environments: tuple[str, ...] = ()
        if q.per_environment:
            environments = tuple(name for name, _, fixed in self._env_scopes(q, scope) if not fixed)
        answered = q.id in self._values
        default = self._values[q.id] if answered else self._default(q, scope)
        return Ask(q, render(text, scope), render(q.help, scope), default, choices, environments, answered)

    def _coerce(self, ask: Ask, value: Any) -> tuple[Any, list[str]]:
        """The typed value for an answer, or the messages saying why it is not accepted."""
        q = ask.question
        if value is None or (isinstance(value, str) and not value.strip() and q.type in ("confirm", "choice")):
            value = ask.default
        try:
            if q.type == "confirm":
                if isinstance(value, bool):
                    return value, []
                return parse.parse_yes_no(str(value)), []
            if q.type == "choice":
                return self._one_choice(value, ask.choices)
            if q.type == "multi_choice":
                return self._many_choices(value, ask.choices, q.optional)
            if q.type == "list":
                return self._list(q, value)
            if q.type == "per_environment":
                return self._per_environment(ask, value)
            return self._item(q, value)
        except parse.ParseError as exc:
            return None, [str(exc)]

    @staticmethod
    def _one_choice(value: Any, choices: Sequence[Choice]) -> tuple[Any, list[str]]:
        picked = match_choice(str(value), choices) if value is not None else None
        if picked is None and value is not None:
            try:
                picked = choice_words.understand_choice(str(value), choices)
            except parse.ParseError as exc:
                return None, [str(exc)]
        if picked is None:
            return None, [f"Choose one of: {', '.join(c.value for c in choices)}."]
        return picked, []

    @staticmethod
    def _many_choices(value: Any, choices: Sequence[Choice], optional: bool) -> tuple[Any, list[str]]:
        items = parse.split_list(value) if isinstance(value, str) else list(value or [])
        if isinstance(value, str) and value.strip().lower() in parse.OFF_WORDS:
            items = []
        picked: list[str] = []
        errors = []
        for item in items:
            match = match_choice(str(item), choices)
            if match is None:
                found = {v for v, _, _ in choice_words.named_choices(str(item), choices)}
                match = next(iter(found)) if len(found) == 1 else None
            if match is None:
                errors.append(f"{item!r} is not one of: {', '.join(c.value for c in choices)}.")
            elif match not in picked:
                picked.append(match)
        if not picked and not optional and not errors:
            errors.append("Pick at least one.")
        return [c.value for c in choices if c.value in picked], errors

    def _list(self, q: Question, value: Any) -> tuple[Any, list[str]]:
        if isinstance(value, str):
            items = parse_environments_answer(value).names if q.parse == "environments" else parse.split_list(value)
        else:
            items = [str(v).strip() for v in value or []]
            if q.parse == "environments":
                items = [parse.environment_name(v) for v in items]
        errors = []
        if not items and not q.optional:
            errors.append("Give at least one.")
        duplicates = sorted({v for v in items if items.count(v) > 1})
        if duplicates:
            errors.append(f"{', '.join(duplicates)} is listed twice.")
        elif q.parse == "environments":
            roles: dict[str, str] = {}
            for name in items:
                role = parse.environment_role(name)
                if role in roles and role != name:
                    errors.append(f"{roles[role]} and {name} both mean {role}: name each environment once.")
                roles.setdefault(role, name)
        errors += [msg for v in items for ok, msg in (check(v) for check in q.validators()) if not ok]
        return items, errors

    def _per_environment(self, ask: Ask, value: Any) -> tuple[Any, list[str]]:
        q = ask.question
        defaults = dict(ask.default or {})
        names = list(defaults)
        if isinstance(value, Mapping):
            # One row holding a sentence that names environments is the whole answer, wherever it was typed.
            said = [str(v) for v in value.values() if isinstance(v, str) and sentences.names_environments(v, names)]
            said = [v for v in said if v not in {show_item(q, d) for d in defaults.values()}]
            if len(said) == 1:
                value = said[0]
        given: dict[str, Any]
        if isinstance(value, str):
            if sentences.mentions(value, names) and not self._plain_value(q, value):
                pieces = sentences.split(value, names, ask.environments)
                given = self._relative(q, pieces, names, defaults)
            else:
                named = re.match(r"^\s*([\w-]+)\s*:", value)
                if named and q.of == "text":  # a text value never has a colon
                    return None, [f"There is no environment {named.group(1)!r} (the environments: {', '.join(names)})."]
                given = {env: value for env in ask.environments}
        elif isinstance(value, Mapping) and (set(value) & set(names) or not value):
            given = dict(value)
        else:
            given = {env: value for env in ask.environments}
        errors = [f"There is no environment {env!r} (the environments: {', '.join(names)})." for env in given if env not in names]
        result: dict[str, Any] = {}
        for env in names:
            if env not in ask.environments:
                if env in given and given[env] != defaults[env]:
                    errors.append(f"{env}: runs today and keeps what it has; it is not asked.")
                result[env] = defaults[env]
                continue
            raw = given.get(env, defaults.get(env))
            if q.of == "mapping" and q.choices and isinstance(defaults.get(env), Mapping) and env in given:
                base = dict(defaults[env])
                item, item_errors = self._item(q, raw)
                result[env] = base | dict(item or {})
            else:
                result[env], item_errors = self._item(q, raw)
            errors += [f"{env}: {msg}" for msg in item_errors]
        if q.key == "environments[*].resources.limits" and not errors:
            errors += self._limits_below_requests(result)
        if q.unique and not errors:
            seen: dict[str, str] = {}
            for env, item in result.items():
                shown = show_item(q, item)
                if shown and shown in seen:
                    errors.append(f"{seen[shown]} and {env} both have {shown}: each environment needs its own.")
                seen.setdefault(shown, env)
        return result, errors

    @staticmethod
    def _limits_at_least_requests(limits: Mapping[str, Any], requests: Mapping[str, Any]) -> dict[str, Any]:
        """The proposed limits, each raised to its request where the request is higher (Kubernetes needs that)."""
        out: dict[str, Any] = {}
        for env, given in limits.items():
            item = dict(given or {})
            for resource, limit in list(item.items()):
                request = dict(requests.get(env) or {}).get(resource)
                low, high = quantities.amount(str(limit)), quantities.amount(str(request or ""))
                if low is not None and high is not None and low < high:
                    item[resource] = request
            out[env] = item if given is not None else given
        return out

    def _limits_below_requests(self, limits: Mapping[str, Any]) -> list[str]:
        """A limit below the request of the same environment is refused by Kubernetes: say so now."""
        requests = self.value("requests") or {}
        out = []
        for env, given in limits.items():
            for resource, limit in dict(given or {}).items():
                request = dict(requests.get(env) or {}).get(resource)
                low, high = quantities.amount(str(limit)), quantities.amount(str(request or ""))
                if low is not None and high is not None and low < high:
                    out.append(f"{env}: the {resource} limit {limit} is below its request {request}: "
                               "a limit must be at least the request.")
        return out

    @staticmethod
    def _plain_value(q: Question, text: str) -> bool:
        """True for a `KEY=value, ...` mapping whose keys are not environments (`ENV=prod` names no environment)."""
        if q.of != "mapping" or "=" not in text:
            return False
        keys = [part.split("=", 1)[0].strip() for part in re.split(r"\s*[,;]\s*", text.strip()) if part]
        return all(re.fullmatch(r"[\w.-]+", k) for k in keys) and ":" not in text

    def _relative(
        self, q: Question, pieces: Mapping[str, str], names: Sequence[str], defaults: Mapping[str, Any]
    ) -> dict[str, Any]:
        """The pieces with `half`, `double`, `the same` worked out from the environment they refer to."""
        out: dict[str, Any] = dict(pieces)
        order = list(pieces)
        for env, piece in pieces.items():
            rel = sentences.relative(piece, names)
            if rel is None:
                continue
            ref = rel.of
            if ref is None:
                earlier = [e for e in order[: order.index(env)] if sentences.relative(pieces[e], names) is None]
                absolute = [e for e in order if e != env and sentences.relative(pieces[e], names) is None]
                ref = earlier[-1] if earlier else (absolute[0] if len(absolute) == 1 else None)
            if ref is None or ref == env:
                raise parse.ParseError(f"{env}: {piece!r} of which environment? Like `staging half of prod`.")
            base = pieces.get(ref, defaults.get(ref))
            value, errors = self._item(q, base)
            if errors:
                raise parse.ParseError(f"{env}: {piece!r} of {ref}, but {ref}'s value is not readable: {errors[0]}")
            out[env] = self._scaled(q, value, rel.numerator, rel.denominator, env)
        return out

    @staticmethod
    def _scaled(q: Question, value: Any, numerator: int, denominator: int, env: str) -> Any:
        if numerator == denominator:
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            if value * numerator % denominator:
                raise parse.ParseError(f"{env}: {numerator}/{denominator} of {value} is not a whole number: give the count.")
            return value * numerator // denominator
        if isinstance(value, Mapping) and "quantity" in q.validate:
            return {k: quantities.scale(str(v), numerator, denominator) for k, v in value.items()}
        raise parse.ParseError(f"{env}: I cannot take a part of {parse.show(value)!r}: give the value itself.")

    def _item(self, q: Question, raw: Any) -> tuple[Any, list[str]]:
        """One value of a text question or of one environment, by `of`."""
        try:
            if q.of == "int":
                number = raw if isinstance(raw, int) and not isinstance(raw, bool) else parse.parse_int(str(raw))
                return number, self._run(q, [str(number)])
            if q.of == "replicas":
                return self._replicas(q, raw)
            if q.of == "mapping":
                return self._mapping(q, raw)
            if q.of == "autoscaling":
                return self._autoscaling(raw)
        except parse.ParseError as exc:
            return None, [str(exc)]
        text = "" if raw is None else str(raw).strip()
        if "image_tag" in q.validate:
            text = re.sub(r"^(?:tag|version|image tag)\s+", "", text, flags=re.IGNORECASE)
        if not text:
            return "", ([] if q.optional else ["An answer is needed."])
        return text, self._run(q, [text])

    @staticmethod
    def _run(q: Question, values: Sequence[str], keys: bool = False) -> list[str]:
        checks = q.key_validators() if keys else q.validators()
        return [msg for v in values for ok, msg in (check(v) for check in checks) if not ok]

    def _replicas(self, q: Question, raw: Any) -> tuple[Any, list[str]]:
        value: int | dict[str, int]
        if isinstance(raw, bool):
            raise parse.ParseError("Give a number of replicas.")
        if isinstance(raw, int):
            value = raw
        elif isinstance(raw, Mapping):
            value = {str(k): v if isinstance(v, int) else parse.parse_int(str(v)) for k, v in raw.items()}
        else:
            value = parse.parse_replicas(str(raw))
        if isinstance(value, int):
            return value, self._run(q, [str(value)])
        known = self.facts["workload_names"]
        errors = [f"There is no workload {name!r} (found: {', '.join(known)})." for name in value if known and name not in known]
        return value, errors + self._run(q, [str(v) for v in value.values()])

    def _mapping(self, q: Question, raw: Any) -> tuple[Any, list[str]]:
        text = "" if raw is None or isinstance(raw, Mapping) else str(raw).strip()
        if raw is None:
            items: dict[str, str] = {}
        elif isinstance(raw, Mapping):
            items = {str(k): parse.show(v) for k, v in raw.items()}
        elif "quantity" in q.validate:
            items = quantities.parse_resources(text)
        elif isinstance(q.choices, tuple) and "=" not in text and ":" not in text and text.lower() not in parse.OFF_WORDS:
            items = choice_words.understand_services(text, self.facts.get("backing_services") or [], q.choices)
        elif "=" not in text and ":" not in text and (level := parse.log_level(text)):
            items = {"LOG_LEVEL": level}
        else:
            items = parse.parse_mapping(text)
        if "quantity" in q.validate:
            items = {k: parse.parse_quantity(v) for k, v in items.items()}
        errors = self._run(q, list(items), keys=True)
        if isinstance(q.choices, tuple):
            for key, item in list(items.items()):
                picked = match_choice(item, q.choices)
                if picked is None:
                    errors.append(f"{key}: {item!r} is not one of: {', '.join(c.value for c in q.choices)}.")
                else:
                    items[key] = picked
        else:
            errors += self._run(q, list(items.values()))
        return items, errors

    @staticmethod
    def _autoscaling(raw: Any) -> tuple[Any, list[str]]:
        if raw is None or raw is False:
            return None, []
        if isinstance(raw, Mapping):
            value = {k: raw[k] if isinstance(raw[k], int) else parse.parse_int(str(raw[k])) for k in raw}
            value.setdefault("cpu", 80)
            if set(value) != {"min", "max", "cpu"}:
                raise parse.ParseError("Autoscaling takes min, max and cpu.")
        else:
            parsed = parse.parse_autoscaling(str(raw))
            if parsed is None:
                return None, []
            value = parsed
        errors = []
        low, high = schema.limits("replicaBound")  # the answers schema's bounds, as `apply` checks them
        for key in ("min", "max"):
            if not low <= value[key] <= high:
                errors.append(f"{key} must be from {low} to {high}, not {value[key]}.")
        if value["max"] < value["min"]:
            errors.append(f"max ({value['max']}) is less than min ({value['min']}).")
        cpu_low, cpu_high = schema.limits("cpuPercent")
        if not cpu_low <= value["cpu"] <= cpu_high:
            errors.append(f"cpu is a utilisation target in percent of the requests: {cpu_low} to {cpu_high}, not {value['cpu']}.")
        return {"min": value["min"], "max": value["max"], "cpu": value["cpu"]}, errors
