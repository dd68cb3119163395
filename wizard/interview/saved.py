"""Saved answers as an interview draft: starting the interview (or one new environment) from `.k8s-wizard.yaml`.

Pure: both front-ends and `add-env` use it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from wizard.interview.engine import DRAFT_VERSION
from wizard.interview.model import Question

STEERING = ("replicas", "resources", "autoscaling", "config", "image_tag")
"""The `differs` choices, each named after what it makes the environments carry."""


def lookup(data: Mapping[str, Any], path: str) -> Any:
    """A dotted path's value in nested mappings (None when absent)."""
    value: Any = data
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def fits(question: Question, value: Any) -> bool:
    """False for the per-workload or per-ConfigMap forms the interview does not ask in (they are asked again)."""
    if value is None or not isinstance(value, Mapping):
        return True
    if question.of == "autoscaling":
        return set(value) <= {"min", "max", "cpu"}
    return all(not isinstance(v, Mapping | list) for v in value.values())


def answer_values(
    questions: Sequence[Question], facts: Mapping[str, Any], answers: Mapping[str, Any], *, partial: bool = False
) -> dict[str, Any]:
    """Interview values (question id -> value) holding saved answers.

    Questions that only steer (is this one environment? what differs?) are worked out from what the answers
    contain. A per-environment answer in a form the interview does not ask in (per workload, per ConfigMap) is
    left out whole, so it is asked again; with `partial`, only the environments whose value does not fit are.
    """
    envs = [e for e in answers.get("environments") or [] if isinstance(e, Mapping) and e.get("name")]
    current = next((str(e["name"]) for e in envs if e.get("current")), None)
    values: dict[str, Any] = {}
    for q in questions:
        if q.key is None:
            continue
        if q.key == "environments[*].name":
            values[q.id] = [str(e["name"]) for e in envs]
        elif q.key == "environments[*].current":
            if current is not None:
                values[q.id] = current
        elif q.key.startswith("environments[*]."):
            sub = q.key.removeprefix("environments[*].")
            per_env = {str(e["name"]): lookup(e, sub) for e in envs}
            given = {k: v for k, v in per_env.items() if v is not None and (not partial or fits(q, v))}
            if given and (partial or all(fits(q, v) for v in per_env.values())):
                values[q.id] = given
        else:
            value = lookup(answers, q.key)
            if value is not None:
                values[q.id] = value
            elif not partial and q.optional and q.type == "text":
                values[q.id] = ""
    ids = {q.id for q in questions}
    if "today" in ids and answers.get("source") and facts.get("source"):
        values["today"] = True
    if "keep_namespace" in ids and current is not None and facts.get("namespace"):
        env = next(e for e in envs if str(e["name"]) == current)
        values["keep_namespace"] = env.get("namespace") in (None, facts.get("namespace"))
    if "one_cluster" in ids:
        values["one_cluster"] = not any(e.get("cluster") for e in envs)
    if "differs" in ids:
        found = {k for e in envs for k in e if k in STEERING}
        values["differs"] = [k for k in STEERING if k in found]
    return values


def draft_from_answers(questions: Sequence[Question], facts: Mapping[str, Any], saved: Mapping[str, Any]) -> dict[str, Any]:
    """An interview draft holding the saved answers, to start from them (`Interview.from_draft` re-checks them)."""
    return {"version": DRAFT_VERSION, "answers": answer_values(questions, facts, saved), "editing": None}
