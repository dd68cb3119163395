"""The questionary mode without a terminal: a scripted prompt function, and questionary on a pipe input."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from test_interview_engine import SHOP

from wizard.core.answers.parse import parse_answers
from wizard.plain import HELP, InterviewCancelled, PromptRequest, QuestionaryPrompt, run_plain


class Script:
    """A prompt function that answers by question id (and environment); unscripted prompts get the default."""

    def __init__(self, answers: dict[str, Any]) -> None:
        self.answers = {k: list(v) if isinstance(v, tuple) else [v] for k, v in answers.items()}
        self.seen: list[PromptRequest] = []

    def __call__(self, request: PromptRequest) -> Any:
        self.seen.append(request)
        key = f"{request.id}@{request.environment}" if request.environment else request.id
        queue = self.answers.get(key)
        if queue:
            return queue.pop(0)
        return request.default


def test_scripted_answers_give_the_answers_dict() -> None:
    said: list[str] = []
    script = Script(
        {
            "environments": "dev, staging and prod, plus qa",
            "differs": ["replicas", "config"],
            "replicas@dev": "1",
            "replicas@qa": ("lots", "2"),  # rejected first, then accepted
            "config@dev": "LOG_LEVEL=debug, DEBUG=true",
            "services@qa": "db=shared",
            "secrets_provider": "sops",
            "ci": HELP,  # ask why, then take the default
        }
    )
    answers = run_plain(SHOP, prompt=script, echo=said.append)
    parse_answers(answers, "plain", today_namespace="shop")
    envs = {e["name"]: e for e in answers["environments"]}
    assert list(envs) == ["dev", "staging", "prod", "qa"]  # the names as typed
    assert envs["prod"]["current"] and envs["prod"]["namespace"] == "shop"
    assert envs["qa"]["replicas"] == 2
    assert envs["dev"]["config"] == {"LOG_LEVEL": "debug", "DEBUG": "true"}
    assert envs["qa"]["services"] == {"db": "shared", "REDIS_URL": "external"}
    assert answers["secrets"] == {"provider": "sops"}
    assert "qa: 'lots' is not a whole number (like 3, or 3 replicas)." in said
    assert any(line.startswith("Promotion copies the image tags") for line in said)  # the help of `ci`

    kinds = {r.id: r.kind for r in script.seen}
    assert kinds["today"] == "confirm" and kinds["current"] == "select" and kinds["differs"] == "checkbox"
    assert kinds["app"] == "text" and kinds["namespaces"] == "text"
    today = next(r for r in script.seen if r.id == "today")
    assert today.default is True and "`" not in today.message and "**" not in today.message
    services = [r.environment for r in script.seen if r.id == "services"]
    assert "prod" not in services  # the environment running today is not asked
    namespaces = {r.environment: r.default for r in script.seen if r.id == "namespaces"}
    assert namespaces["prod"] == "shop" and namespaces["qa"] == "shop-qa"


def test_cancelling_raises_with_a_draft_to_resume() -> None:
    def cancel_at_differs(request: PromptRequest) -> Any:
        return None if request.id == "differs" else request.default

    with pytest.raises(InterviewCancelled) as caught:
        run_plain(SHOP, prompt=cancel_at_differs, echo=lambda _: None)
    draft = caught.value.draft
    assert "namespaces" in draft["answers"] and "differs" not in draft["answers"]
    script = Script({})
    answers = run_plain(SHOP, prompt=script, echo=lambda _: None, draft=draft)
    assert script.seen[0].id == "differs"
    assert [e["name"] for e in answers["environments"]] == ["staging", "production"]


def test_enter_everywhere_equals_the_engine_defaults() -> None:
    from wizard.interview.engine import Interview
    from wizard.interview.model import load_questions

    interview = Interview(load_questions(), copy.deepcopy(SHOP))
    assert run_plain(SHOP, prompt=Script({}), echo=lambda _: None) == interview.answers()


def _request(kind: str, **fields: Any) -> PromptRequest:
    base: dict[str, Any] = {"id": "q", "kind": kind, "message": "Which?", "text": "Which?", "default": None}
    return PromptRequest(**(base | fields))


def test_questionary_prompts_on_a_pipe() -> None:
    from wizard.interview.model import Choice

    choices = (Choice("staging", "staging"), Choice("production", "production"))
    with create_pipe_input() as pipe:
        prompt = QuestionaryPrompt(input=pipe, output=DummyOutput())
        pipe.send_text("\r")
        assert prompt(_request("select", choices=choices, default="production")) == "production"
        pipe.send_text("\x1b[B\r")  # down from the default: Yes -> No
        assert prompt(_request("confirm", default=True)) is False
        pipe.send_text("?")  # why: a key, not one of the answers
        assert prompt(_request("select", choices=choices, default="staging")) == HELP
        pipe.send_text("?")
        assert prompt(_request("checkbox", choices=choices, default=["staging"])) == HELP
        pipe.send_text(" \r")  # untick the preselected first choice
        assert prompt(_request("checkbox", choices=choices, default=["staging", "production"])) == ["production"]
        pipe.send_text("deploy\r")  # typed text replaces the proposal (never `k8sdeploy`)
        assert prompt(_request("text", default="k8s")) == "deploy"
        pipe.send_text("\r")  # Enter alone keeps it
        assert prompt(_request("text", default="k8s")) == "k8s"
        pipe.send_text("why\r")
        assert prompt(_request("text", default="k8s")) == "why"


def test_questionary_text_rejects_what_the_engine_rejects() -> None:
    def engine_check(value: Any) -> list[str]:
        return [] if str(value).isdigit() else ["not a number"]

    with create_pipe_input() as pipe:
        prompt = QuestionaryPrompt(input=pipe, output=DummyOutput())
        pipe.send_text("x\r\x7f7\r")  # "x" is refused in the prompt, then corrected
        assert prompt(_request("text", default="", validate=engine_check)) == "7"
