"""The plain front-end: the same interview through questionary prompts (`--plain`, or no Textual).

It only collects answers: the engine decides what to ask, proposes defaults and checks every answer.
The prompt function is injectable, so tests answer by question id without a terminal.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from wizard.core.errors import WizardError
from wizard.interview.engine import Ask, Interview
from wizard.interview.model import Choice, Question, load_questions
from wizard.interview.sentences import names_environments

HELP = "?"
"""What a prompt returns to ask "why do you ask?" (also what a person types in a text prompt)."""
HELP_WORDS = ("?", "why", "why?")
"""Typed into a text prompt, these ask why instead of answering."""


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
        """Ask once; returns the answer, HELP, or None when cancelled.

        A text prompt starts empty with the proposal shown greyed: what is typed replaces it, Enter alone
        keeps it. On a list, `?` (or F1) asks why; the answer choices are only answers.
        """
        import questionary  # lazily: importing the interview must not load a UI toolkit

        if request.kind == "text":
            proposal = str(request.default or "")

            def check(text: str) -> bool | str:
                if not text.strip() or text.strip().lower() in HELP_WORDS:
                    return True
                messages = request.validate(text)
                return True if not messages else messages[0]

            answer = questionary.text(
                request.message, default="", validate=check, placeholder=proposal,
                instruction=f"(enter keeps {proposal!r}; ? why)" if proposal else "(? why)", **self.session,
            ).ask()
            if answer is None:
                return None
            return request.default if not answer.strip() else answer
        if request.kind == "checkbox":
            selected = set(request.default or [])
            choices = [questionary.Choice(c.label, value=c.value, checked=c.value in selected) for c in request.choices]
            question = questionary.checkbox(request.message, choices=choices, instruction="(space ticks, ? why)",
                                            **self.session)
        elif request.kind == "confirm":
            choices = [questionary.Choice("Yes", value=True), questionary.Choice("No", value=False)]
            question = questionary.select(
                request.message, choices=choices, default=choices[0 if request.default else 1],
                instruction="(? why)", **self.session,
            )
        else:
            choices = [questionary.Choice(c.label, value=c.value) for c in request.choices]
            default = next((c for c in choices if c.value == request.default), None)
            question = questionary.select(request.message, choices=choices, default=default, instruction="(? why)",
                                          **self.session)
        _why_key(question)
        return question.ask()


def _why_key(question: Any) -> None:
    """`?` and F1 on a list prompt end it with HELP (the prompt is asked again after the help)."""
    from prompt_toolkit.key_binding import KeyBindings, merge_key_bindings

    keys = KeyBindings()

    @keys.add("?")
    @keys.add("f1")
    def _why(event: Any) -> None:
        event.app.exit(result=HELP)

    app = question.application
    app.key_bindings = merge_key_bindings([keys, app.key_bindings]) if app.key_bindings else keys


def _echo(text: str) -> None:
    import questionary

    questionary.print(text, style="italic")


def _env_check(interview: Interview, env: str) -> Callable[[Any], list[str]]:
    """The engine's check of one environment's value of a per-environment question."""

    def check(value: Any) -> list[str]:
        if _sentence(interview, value):
            return interview.check(value)  # a sentence naming environments is the whole answer
        return [m for m in interview.check({env: value}) if m.startswith(f"{env}:")]

    return check


def _sentence(interview: Interview, value: Any) -> bool:
    """True when a per-environment prompt got a sentence that names environments ("3 in prod, 1 in staging")."""
    ask = interview.current()
    names = list(dict(ask.default or {})) if ask is not None else []
    return isinstance(value, str) and names_environments(value, names)


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
        if value == HELP or (isinstance(value, str) and value.strip().lower() in HELP_WORDS):
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
    rescan: Callable[[str], dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Walk the interview with prompts and return the answers dict (schema version 1).

    `draft` resumes an earlier run; cancelling raises InterviewCancelled carrying the draft to save.
    `rescan(folder)` gives the facts of another manifests folder when the person picks or names one.
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
        sentence: str | None = None
        for request in requests:
            value = _ask_until_valid(request, prompt, echo, interview)
            if value is None:
                raise InterviewCancelled(interview.draft())
            if request.environment and value != request.default and _sentence(interview, value):
                sentence = value  # understood as a whole: the other environments are not asked
                break
            values[request.environment or ""] = value
        value = sentence if sentence is not None else values if ask.type == "per_environment" else values.get("")
        messages = interview.answer(value)
        for message in messages:
            echo(message)
        source = str(interview.value("source") or "").strip().rstrip("/")
        if not messages and rescan is not None and source and source != (interview.facts.get("source") or ""):
            try:
                found = rescan(source)
            except WizardError as exc:
                echo(f"I could not read {source}: {exc}")
                interview.back()
                continue
            interview = Interview.from_draft(questions, found, interview.draft())
    return interview.answers()
