"""The prompts file: it loads, fills only real answers-file paths, and a broken file fails with the question id.

The last test runs the interview on facts scanned from the fixture repos and feeds the answers to the
real pipeline: accepting every default must give files the core can render.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import CANARY
from kube import FIXTURES

from wizard.core.answers import parse as core_answers
from wizard.core.pipeline import build, detect_source, facts, load_answers
from wizard.interview.answers import ANSWER_KEYS
from wizard.interview.engine import Interview
from wizard.interview.model import PromptsError, load_questions, parse_questions

DESIGN_IDS = {
    "today", "source", "app", "environments", "current", "keep_namespace", "namespaces", "differs", "replicas",
    "requests", "limits", "autoscaling", "config", "image_tag", "host", "hosts", "services", "output",
    "secrets_provider", "sealed_controller_name", "sealed_controller_namespace", "sealed_cert", "flux_url",
    "flux_branch", "ci", "new_app_image", "new_app_port", "new_app_secrets", "pick_source", "new_app_liveness",
    "new_app_readiness", "new_app_config", "new_app_host",
    "helm_chart", "helm_chart_path", "helm_release", "helm_values", "helm_paths",  # issue 13: a chart repository
    "one_cluster", "clusters",  # issue 14: environments on separate clusters
}


def test_the_prompts_file_loads_with_every_question_of_the_design() -> None:
    questions = load_questions()
    ids = [q.id for q in questions]
    assert len(ids) == len(set(ids))
    assert set(ids) == DESIGN_IDS
    for q in questions:
        assert q.help, f"{q.id} has no help"
        assert q.texts[0].text, q.id


def test_every_key_is_an_answers_file_path() -> None:
    keys = {q.key for q in load_questions() if q.key}
    assert keys <= ANSWER_KEYS
    for key in ANSWER_KEYS:
        top, _, rest = key.partition(".")
        if top == "environments[*]":
            assert rest.split(".")[0] in core_answers.ENV_KEYS, key
        else:
            assert key.split(".")[0] in core_answers.TOP_KEYS, key


def _doc(*questions: dict[str, Any]) -> dict[str, Any]:
    envs = {"id": "environments", "type": "list", "text": "Which?", "key": "environments[*].name"}
    return {"version": 1, "questions": [envs, *questions]}


@pytest.mark.parametrize(
    ("question", "message"),
    [
        ({"id": "q", "type": "slider", "text": "x", "key": "ci"}, "question 'q': type 'slider' is not one of"),
        ({"id": "q", "type": "text", "text": "x", "key": "cee_eye"}, "question 'q': key 'cee_eye' is not an answers-file"),
        ({"id": "q", "type": "text", "text": "x"}, "question 'q': key: is required"),
        ({"id": "q", "type": "text", "text": "x", "key": "ci", "validate": ["shiny"]}, "question 'q': unknown validator 'shiny'"),
        ({"id": "q", "type": "text", "text": "x", "key": "ci", "default": {"eval": "1+1"}}, "question 'q': unknown expression"),
        ({"id": "q", "type": "text", "text": "x", "key": "ci", "when": "answers.later"}, "answers.later refers to no earlier"),
        ({"id": "q", "type": "text", "text": "x", "key": "ci", "when": "facts.colour"}, "facts.colour is not a fact"),
        ({"id": "q", "type": "text", "text": "Hi {nobody}", "key": "ci"}, "{nobody} is neither an earlier question"),
        ({"id": "q", "type": "text", "text": "x", "key": "environments[*].host"}, "the type must be per_environment"),
        ({"id": "q", "type": "choice", "text": "x", "key": "ci"}, "question 'q': a choice question needs choices"),
        ({"id": "q", "type": "text", "text": "x", "key": "ci", "colour": "red"}, "question 'q': unknown field(s) colour"),
    ],
)
def test_a_broken_prompts_file_names_the_question(question: dict[str, Any], message: str) -> None:
    with pytest.raises(PromptsError) as caught:
        parse_questions(_doc(question), "interview.yaml")
    assert message in str(caught.value)
    assert str(caught.value).startswith("interview.yaml: ")


CASES = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())


@pytest.mark.parametrize("case", CASES)
def test_enter_on_everything_renders_on_every_fixture(case: str, tmp_path: Path) -> None:
    repo = tmp_path / case
    shutil.copytree(FIXTURES / case, repo, ignore=shutil.ignore_patterns("answers.yaml"))
    found = facts(repo, detect_source(repo))
    interview = Interview(load_questions(), found)
    while interview.current() is not None:
        assert interview.answer(None) == []
    answers = interview.answers()
    assert CANARY not in json.dumps(answers) and CANARY not in json.dumps(interview.draft())
    parsed, inventory = load_answers(repo, answers, "interview")
    outcome = build(repo, parsed, inventory)
    assert outcome.rendered
    if found["source"]:
        current = parsed.current
        assert current is not None and current.name == "production"
        assert current.namespace == (found["namespace"] or current.namespace)
