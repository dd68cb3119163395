"""The interview for one new environment: only its per-environment questions (`k8s-wizard add-env`).

Pure Python, no UI: the command asks the questions through an injectable prompt function. The saved
answers (with the new environment already inserted by `wizard.core.answers.environments.add_environment`) are
turned into interview values, so the engine decides which per-environment questions apply (what
differs between the environments, an Ingress host, backing services), proposes the new environment's
defaults (what `--from` copied, the namespace add-env chose, else the interview's own defaults) and
checks every answer with its validators, including that the namespace and host are not another
environment's. Only the new environment's answers are written back; the others are left exactly as
they were saved.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from wizard.interview.engine import DRAFT_VERSION, Interview
from wizard.interview.model import Question, load_questions
from wizard.interview.saved import answer_values, fits, lookup


@dataclass(frozen=True)
class EnvQuestion:
    """One question about the new environment, ready to show."""

    id: str
    """The question id (namespaces, replicas, requests, limits, autoscaling, config, image_tag, host, ...)."""
    text: str
    """The question (Markdown, as in the prompts file); it names no environment."""
    help: str
    environment: str
    default: str
    """The proposed answer for the new environment, as editable text."""


def _environments(answers: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [e for e in answers.get("environments") or [] if isinstance(e, Mapping) and e.get("name")]


def _values(questions: Sequence[Question], facts: Mapping[str, Any], answers: Mapping[str, Any]) -> dict[str, Any]:
    """Interview values (question id -> value) holding the answers: what the engine needs to decide and check."""
    return answer_values(questions, facts, answers, partial=True)


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == {} or value == []


class NewEnvironment:
    """The per-environment questions for one environment that add-env inserted, and its answers."""

    def __init__(
        self,
        answers: Mapping[str, Any],
        name: str,
        facts: Mapping[str, Any],
        questions: Sequence[Question] | None = None,
    ) -> None:
        """`answers`: the raw answers with `name` already in `environments`; `facts`: the scan's facts."""
        self.name = name
        self._answers = copy.deepcopy(dict(answers))
        envs = _environments(self._answers)
        names = [str(e["name"]) for e in envs]
        if name not in names:
            raise ValueError(f"no environment {name!r} in the answers (environments: {', '.join(names)})")
        self.others = tuple(n for n in names if n != name)
        self._questions = tuple(questions) if questions is not None else tuple(load_questions())
        self._by_id = {q.id: q for q in self._questions}
        self._interview = self._start(facts)
        self._typed: dict[str, Any] = {}
        self._asked = self._applicable(envs[names.index(name)])

    def _start(self, facts: Mapping[str, Any]) -> Interview:
        """The interview holding the answers, each per-environment question answered for every environment.

        The engine takes a per-environment answer as covering exactly the environments it names, so the
        saved values (which leave out what an environment does not set) are laid over the engine's own
        defaults for every environment first.
        """
        values = _values(self._questions, facts, self._answers)
        per_env = {q.id for q in self._questions if q.per_environment}
        steering = {k: v for k, v in values.items() if k not in per_env}
        first = Interview.from_draft(self._questions, facts, {"version": DRAFT_VERSION, "answers": steering, "editing": None})
        for q in self._questions:
            if q.id not in per_env:
                continue
            try:
                defaults = dict(first.goto(q.id).default or {})
            except ValueError:
                values.pop(q.id, None)  # the question does not apply
                continue
            finally:
                first.resume()
            values[q.id] = defaults | dict(values.get(q.id) or {})
        return Interview.from_draft(self._questions, facts, {"version": DRAFT_VERSION, "answers": values, "editing": None})

    def _applicable(self, env: Mapping[str, Any]) -> list[EnvQuestion]:
        """The per-environment questions that apply and ask about this environment, in interview order."""
        out = []
        for q in self._questions:
            if not q.per_environment or not q.key:
                continue
            if not fits(q, lookup(env, q.key.removeprefix("environments[*]."))):
                continue  # a per-workload or per-ConfigMap form copied by --from: kept as it is
            try:
                ask = self._interview.goto(q.id)
            except ValueError:
                continue  # does not apply to these answers (nothing differs that way, no Ingress host, ...)
            finally:
                self._interview.resume()
            if self.name in ask.environments:
                out.append(EnvQuestion(q.id, ask.text, ask.help, self.name, ask.shown_default_for(self.name)))
        return out

    def questions(self) -> list[EnvQuestion]:
        """The questions to ask, only about the new environment."""
        return list(self._asked)

    def _mine(self, messages: list[str]) -> list[str]:
        """The messages about the new environment's answer (the others' values are not being asked)."""
        return [m for m in messages if not any(m.startswith(f"{other}:") for other in self.others)]

    def check(self, question_id: str, value: Any) -> list[str]:
        """Why `value` is not accepted as the new environment's answer (empty: accepted)."""
        self._interview.goto(question_id)
        try:
            return self._mine(self._interview.check({self.name: value}))
        finally:
            self._interview.resume()

    def answer(self, question_id: str, value: Any) -> list[str]:
        """Answer one question for the new environment; returns messages (empty: accepted)."""
        if question_id not in {q.id for q in self._asked}:
            raise KeyError(f"question {question_id!r} is not asked about {self.name}")
        messages = self.check(question_id, value)
        if messages:
            return messages
        self._interview.goto(question_id)
        messages = self._interview.answer({self.name: value})
        if messages:
            self._interview.resume()
            return messages
        self._typed[question_id] = dict(self._interview.value(question_id) or {}).get(self.name)
        return []

    def answers(self) -> dict[str, Any]:
        """The raw answers with the new environment's answers merged in; every other environment unchanged."""
        result = copy.deepcopy(self._answers)
        env = next(e for e in result["environments"] if isinstance(e, dict) and e.get("name") == self.name)
        for question_id, value in self._typed.items():
            key = self._by_id[question_id].key
            assert key is not None
            *parents, last = key.removeprefix("environments[*].").split(".")
            target = env
            for part in parents:
                target = target.setdefault(part, {})
            if _empty(value):
                target.pop(last, None)
            else:
                target[last] = copy.deepcopy(value)
            if parents and not env.get(parents[0]):
                env.pop(parents[0], None)
        return result


def new_environment_questions(
    answers: Mapping[str, Any],
    name: str,
    facts: Mapping[str, Any],
    questions: Sequence[Question] | None = None,
) -> list[EnvQuestion]:
    """The per-environment questions for environment `name` only, with its proposed answers."""
    return NewEnvironment(answers, name, facts, questions).questions()


__all__ = ["EnvQuestion", "NewEnvironment", "new_environment_questions"]
