"""The plain front-end: the same interview through questionary prompts (`--plain`, or no Textual).

It only collects answers: the engine decides what to ask, proposes defaults and checks every answer.
The prompt function is injectable, so tests answer by question id without a terminal.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from wizard.interview.engine import Ask, Interview
from wizard.interview.model import Choice, Question, load_questions

HELP = "?"
"""What a prompt returns to ask "why do you ask?" (also what a person types in a text prompt)."""
HELP_LABEL = "Why do you ask?"


@dataclass(frozen=True)
class PromptRequest:
    """One prompt to show: what kind, the wording, the preselected default and how to check an answer."""

    id: str
    """The question id (per-environment questions: one request per environment, same id)."""
    kind: str
    """confirm (default: bool), select (default: a choice value), checkbox (default: list), text (default: str)."""
    message: str
    text: str
    """The whole question, as plain text (message is shorter for per-environment prompts)."""
    default: Any
    choices: tuple[Choice, ...] = ()
    help: str = ""
    environment: str | None = None
    validate: Callable[[Any], list[str]] = lambda _value: []
    """The engine's messages for a candidate answer (empty: accepted)."""


PromptFn = Callable[[PromptRequest], Any]
"""Shows a prompt and returns the answer; None means cancelled (Ctrl+C), HELP asks for the help."""


class InterviewCancelled(KeyboardInterrupt):
    """The person cancelled the interview; `draft` holds the answers so far, to resume next time."""

    def __init__(self, draft: dict[str, Any]) -> None:
        super().__init__("interview cancelled")
        self.draft = draft


def plain_text(markdown: str) -> str:
    """Markdown emphasis and code marks dropped, for a plain terminal line."""
    text = re.sub(r"\*\*(.+?)\*\*", r"\1", markdown)
    text = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"\1", text)
    return text.replace("`", "")


class QuestionaryPrompt:
    """The real prompt function: questionary select/checkbox/text with the default preselected."""

    def __init__(self, **session: Any) -> None:
        """`session` goes to questionary (e.g. input=/output= for prompt_toolkit pipe tests)."""
        self.session = session

    def __call__(self, request: PromptRequest) -> Any:
        """Ask once; returns the answer, HELP, or None when cancelled."""
        import questionary  # lazily: importing the interview must not load a UI toolkit

        why = questionary.Choice(HELP_LABEL, value=HELP)
        if request.kind == "text":

            def check(text: str) -> bool | str:
                if text.strip() == HELP:
                    return True
                messages = request.validate(text)
                return True if not messages else messages[0]

            return questionary.text(
                request.message, default=str(request.default or ""), validate=check,
                instruction="(? for why I ask)", **self.session,
            ).ask()
        if request.kind == "checkbox":
            selected = set(request.default or [])
            choices = [questionary.Choice(c.label, value=c.value, checked=c.value in selected) for c in request.choices]
            answer = questionary.checkbox(request.message, choices=[*choices, why], **self.session).ask()
            return HELP if answer is not None and HELP in answer else answer
        if request.kind == "confirm":
            choices = [questionary.Choice("Yes", value=True), questionary.Choice("No", value=False), why]
            return questionary.select(
                request.message, choices=choices, default=choices[0 if request.default else 1], **self.session
            ).ask()
        choices = [questionary.Choice(c.label, value=c.value) for c in request.choices]
        default = next((c for c in choices if c.value == request.default), None)
        return questionary.select(request.message, choices=[*choices, why], default=default, **self.session).ask()


def _echo(text: str) -> None:
    import questionary

    questionary.print(text, style="italic")


def _env_check(interview: Interview, env: str) -> Callable[[Any], list[str]]:
    """The engine's check of one environment's value of a per-environment question."""

    def check(value: Any) -> list[str]:
        return [m for m in interview.check({env: value}) if m.startswith(f"{env}:")]

    return check


def _requests(ask: Ask, interview: Interview) -> list[PromptRequest]:
    """The prompts for one question: one, or one per environment."""
    text = plain_text(ask.text)
    common: dict[str, Any] = {"id": ask.id, "text": text, "help": plain_text(ask.help), "choices": ask.choices}
    if ask.type == "per_environment":
        return [
            PromptRequest(
                kind="text", message=f"{env}:", default=ask.shown_default_for(env), environment=env,
                validate=_env_check(interview, env),
                **common,
            )
            for env in ask.environments
        ]
    kinds = {"confirm": "confirm", "choice": "select", "multi_choice": "checkbox"}
    kind = kinds.get(ask.type, "text")
    default = ask.default if kind != "text" else ask.shown_default()
    return [PromptRequest(kind=kind, message=text, default=default, validate=interview.check, **common)]


def _ask_until_valid(request: PromptRequest, prompt: PromptFn, echo: Callable[[str], None], interview: Interview) -> Any:
    """One prompt, repeated after a help request or a rejected answer; None when cancelled."""
    while True:
        value = prompt(request)
        if value is None:
            return None
        if value == HELP or (isinstance(value, str) and value.strip().lower() in (HELP, "why", "why?")):
            echo(request.help or "No more to say about this one.")
            continue
        messages = request.validate(value)
        if not messages:
            return value
        for message in messages:
            echo(message)


def run_plain(
    facts: Mapping[str, Any],
    *,
    prompt: PromptFn | None = None,
    echo: Callable[[str], None] | None = None,
    draft: Mapping[str, Any] | None = None,
    questions: Sequence[Question] | None = None,
) -> dict[str, Any]:
    """Walk the interview with prompts and return the answers dict (schema version 1).

    `draft` resumes an earlier run; cancelling raises InterviewCancelled carrying the draft to save.
    """
    prompt = prompt or QuestionaryPrompt()
    echo = echo or _echo
    questions = list(questions) if questions is not None else load_questions()
    interview = Interview.from_draft(questions, facts, draft) if draft else Interview(questions, facts)
    while (ask := interview.current()) is not None:
        requests = _requests(ask, interview)
        if ask.type == "per_environment" and requests:
            echo(requests[0].text)
        values: dict[str, Any] = {}
        for request in requests:
            value = _ask_until_valid(request, prompt, echo, interview)
            if value is None:
                raise InterviewCancelled(interview.draft())
            values[request.environment or ""] = value
        value = values if ask.type == "per_environment" else values.get("")
        for message in interview.answer(value):
            echo(message)
    return interview.answers()
