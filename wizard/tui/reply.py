"""The input at the bottom of the interview, shaped for the question being asked.

Yes/no and one-of questions get an OptionList, several-of a SelectionList, text and lists a validated
Input, per-environment questions one compact Input per environment. Each posts `Replied` up to the
screen; Enter alone always sends the proposed answer (None means "accept the default").

The proposal in an Input is replaced by the first key typed (it never gets letters inserted into it),
and `?` on the untouched proposal asks why instead of typing. On a choice list, typing writes a reply
("use sops") that the engine reads; the option it means is highlighted as it is typed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.validation import ValidationResult, Validator
from textual.widget import Widget
from textual.widgets import Input, Label, OptionList, SelectionList
from textual.widgets.option_list import Option

if TYPE_CHECKING:  # the engine is loaded with the facts (in the app's worker), after the first screen
    from wizard.interview.engine import Ask

HELP_WORDS = ("?", "why", "why?")
"""What a person types to ask why a question is asked."""

Check = Callable[[Any], list[str]]
"""The engine's messages for a candidate answer (empty: accepted)."""


def _as_value_of(env: str) -> Callable[[str], dict[str, str]]:
    """Wrap one row's text as the per-environment answer the engine checks."""

    def value(text: str) -> dict[str, str]:
        return {env: text}

    return value


@dataclass
class Replied(Message):
    """The person answered the current question (`value` None: the proposed default)."""

    value: Any


class HelpAsked(Message):
    """The person asked why the question is asked."""


class EngineValidator(Validator):
    """Checks an Input's text with the interview engine, so the message is the engine's own."""

    def __init__(self, check: Check, wrap: Callable[[str], Any] = lambda text: text) -> None:
        """`wrap` turns the text into the value `check` takes (per environment: {env: text})."""
        super().__init__()
        self.check = check
        self.wrap = wrap

    def validate(self, value: str) -> ValidationResult:
        """Valid when the engine has nothing to say (help words are always valid)."""
        if value.strip().lower() in HELP_WORDS:
            return self.success()
        messages = self.check(self.wrap(value))
        return self.failure(messages[0]) if messages else self.success()


class ProposalInput(Input):
    """An Input holding a proposal: the first key typed replaces it whole; `?` on it asks why."""

    def __init__(self, proposed: str, **kwargs: Any) -> None:
        """`proposed`: the text shown first (the engine's proposal)."""
        super().__init__(value=proposed, select_on_focus=True, **kwargs)
        self.proposed = proposed
        self.touched = False
        """True once the person edits the text (arrows, backspace, typing): then keys edit as usual."""

    def restore(self) -> None:
        """Put the proposal back, untouched and selected (after a help request)."""
        self.value = self.proposed
        self.touched = False
        self.select_all()

    async def _on_key(self, event: events.Key) -> None:
        if not self.touched and self.value == self.proposed:
            if event.character == "?":
                event.stop()
                event.prevent_default()
                self.post_message(HelpAsked())
                self.select_all()
                return
            if event.is_printable:
                self.value = ""
                self.cursor_position = 0
                self.touched = True
            elif event.key in ("left", "right", "home", "end", "backspace", "delete", "ctrl+u", "ctrl+w"):
                self.touched = True
        elif event.is_printable or event.key in ("backspace", "delete"):
            self.touched = True
        await super()._on_key(event)


class TypedChoice:
    """What the person typed over a choice list (shown in the hint line), and the option it means."""

    def __init__(self) -> None:
        self.text = ""

    def key(self, event: events.Key) -> bool:
        """Take a key; True when it changed the typed text."""
        if event.key == "backspace" and self.text:
            self.text = self.text[:-1]
            return True
        if event.is_printable and event.character and event.character != "?" and (self.text or event.character != " "):
            self.text += event.character
            return True
        return False


class ChoiceReply(OptionList):
    """One of several answers (yes/no too): the proposed one is highlighted, Enter picks it."""

    BINDINGS = [Binding("question_mark", "why", "Why I ask", show=False)]

    def __init__(self, ask: Ask) -> None:
        """Options from the question's choices (Yes/No for a confirm question)."""
        if ask.type == "confirm":
            options = [Option("Yes", id="yes"), Option("No", id="no")]
            chosen = "yes" if ask.default else "no"
        else:
            options = [Option(Text.assemble((c.value, "bold"), f"  {c.label}" if c.label != c.value else ""), id=c.value)
                       for c in ask.choices]
            chosen = str(ask.default)
        super().__init__(*options, id="reply-input")
        self.confirm = ask.type == "confirm"
        self.chosen = chosen
        self.typed = TypedChoice()
        self.choices = ask.choices

    def on_mount(self) -> None:
        """Highlight the proposed answer."""
        ids = [self.get_option_at_index(i).id for i in range(self.option_count)]
        self.highlighted = ids.index(self.chosen) if self.chosen in ids else 0

    @dataclass
    class Typed(Message):
        """The person typed over the list: the screen shows it in the hint line."""

        text: str

    async def _on_key(self, event: events.Key) -> None:
        if self.typed.key(event):
            event.stop()
            event.prevent_default()
            self._follow()
            self.post_message(self.Typed(self.typed.text))
            return
        if event.key == "enter" and self.typed.text:
            event.stop()
            event.prevent_default()
            self.post_message(Replied(self.typed.text))
            return
        await super()._on_key(event)

    def _follow(self) -> None:
        """Highlight the option the typed text names (nothing moves while it names none)."""
        from wizard.interview.choices import named_choices

        text = self.typed.text
        from wizard.interview.engine import match_choice

        picked = match_choice(text, self.choices) if self.choices else None
        if picked is None and self.choices:
            named = {value for value, _, _ in named_choices(text, self.choices)}
            picked = next(iter(named)) if len(named) == 1 else None
        if self.confirm:
            low = text.strip().lower()
            picked = "yes" if low.startswith("y") else "no" if low.startswith("n") else None
        ids = [self.get_option_at_index(i).id for i in range(self.option_count)]
        if picked in ids:
            self.highlighted = ids.index(picked)

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        picked = event.option.id
        self.post_message(Replied(picked == "yes" if self.confirm else picked))

    def action_why(self) -> None:
        """Ask for the help (a `?` typed after other text is part of the text)."""
        if self.typed.text:
            self.typed.text += "?"
            self.post_message(self.Typed(self.typed.text))
            return
        self.post_message(HelpAsked())


class ManyReply(SelectionList[str]):
    """Several of several answers: the proposed ones are ticked, Space toggles, Enter sends."""

    BINDINGS = [
        Binding("enter", "send", "Send", show=True),
        Binding("space", "select", "Toggle", show=True),
        Binding("question_mark", "why", "Why I ask", show=False),
    ]

    def __init__(self, ask: Ask) -> None:
        """Choices with the default ticked."""
        ticked = set(ask.default or [])
        super().__init__(*[(c.label, c.value, c.value in ticked) for c in ask.choices], id="reply-input")
        self.typed = TypedChoice()

    async def _on_key(self, event: events.Key) -> None:
        if self.typed.key(event):
            event.stop()
            event.prevent_default()
            self.post_message(ChoiceReply.Typed(self.typed.text))
            return
        await super()._on_key(event)

    def action_send(self) -> None:
        """Send the ticked choices, or what was typed ("replicas and image tags")."""
        self.post_message(Replied(self.typed.text if self.typed.text else list(self.selected)))

    def action_why(self) -> None:
        """Ask for the help."""
        if self.typed.text:
            self.typed.text += "?"
            self.post_message(ChoiceReply.Typed(self.typed.text))
            return
        self.post_message(HelpAsked())


class TextReply(ProposalInput):
    """A free-text answer, filled with the proposed one; the engine checks it as it is typed."""

    def __init__(self, ask: Ask, check: Check) -> None:
        """`check` is the engine's `check`."""
        super().__init__(
            ask.shown_default(), placeholder="(empty)", validators=[EngineValidator(check)],
            validate_on=["changed"], id="reply-input",
        )

    def ask_next(self, ask: Ask, check: Check) -> None:
        """Become the input of another text question, as a new TextReply for it would be: its proposal selected and
        untouched, checked by `check` (a changed value is checked as it is typed; an unchanged one is checked again).
        Replacing the widget per answer cost a mount, a layout and a change of focus (~15 ms of a ~50 ms key)."""
        self.proposed = ask.shown_default()
        self.touched = False
        self.validators = [EngineValidator(check)]
        if self.value == self.proposed:
            self.mutate_reactive(Input.value)  # no change: the watcher checks it and posts Changed all the same
        else:
            self.value = self.proposed
        self.select_all()

    @on(Input.Submitted)
    def _send(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value
        if text.strip().lower() in HELP_WORDS:
            self.restore()
            self.post_message(HelpAsked())
        else:
            self.post_message(Replied(None if text == self.proposed else text))


class PerEnvironmentReply(Vertical):
    """One compact Input per environment asked; Enter in any of them sends them all."""

    BINDINGS = [
        Binding("down", "focus_next", "Next", show=False),
        Binding("up", "focus_previous", "Previous", show=False),
    ]

    def __init__(self, ask: Ask, check: Check) -> None:
        """Inputs for `ask.environments`; environments that are not asked are shown as they are."""
        super().__init__(id="reply-input")
        self.ask = ask
        self.check = check
        self.proposed = {env: ask.shown_default_for(env) for env in ask.environments}

    def compose(self) -> ComposeResult:
        """A label and an Input per environment; a line for each fixed one."""
        width = max([len(env) for env in dict(self.ask.default or {})] or [8]) + 2
        for env in dict(self.ask.default or {}):
            with Horizontal(classes="env-row"):
                name = Label(f"{env}:", classes="env-name")
                name.styles.width = width
                yield name
                if env in self.ask.environments:
                    yield ProposalInput(
                        self.proposed[env], compact=True, name=env,
                        validators=[EngineValidator(self._check_one(env), _as_value_of(env))],
                        validate_on=["changed"],
                    )
                else:
                    yield Label(f"{self.ask.shown_default_for(env) or '-'}  (runs today: kept)", classes="env-fixed")

    def _check_one(self, env: str) -> Check:
        """The engine's messages about one environment's value (or about a whole sentence typed in its row)."""
        names = list(dict(self.ask.default or {}))

        def check(value: Any) -> list[str]:
            from wizard.interview.sentences import names_environments

            text = value.get(env) if isinstance(value, dict) else None
            if isinstance(text, str) and names_environments(text, names):
                return self.check(text)
            return [m for m in self.check(value) if m.startswith(f"{env}:")]

        return check

    def focus_first(self) -> None:
        """Focus the first environment's Input."""
        inputs = list(self.query(Input))
        if inputs:
            inputs[0].focus()

    @on(Input.Submitted)
    def _send(self, event: Input.Submitted) -> None:
        event.stop()
        if event.value.strip().lower() in HELP_WORDS:
            if isinstance(event.input, ProposalInput):
                event.input.restore()
            self.post_message(HelpAsked())
            return
        from wizard.interview.sentences import names_environments

        names = list(dict(self.ask.default or {}))
        if names_environments(event.value, names) and event.value != self.proposed.get(str(event.input.name)):
            self.post_message(Replied(event.value))  # a sentence naming environments is the whole answer
            return
        given = {str(i.name): i.value for i in self.query(Input)}
        self.post_message(Replied(None if given == self.proposed else given))

    def action_focus_next(self) -> None:
        """The next environment's Input."""
        self.screen.focus_next(Input)

    def action_focus_previous(self) -> None:
        """The previous environment's Input."""
        self.screen.focus_previous(Input)


def reply_for(ask: Ask, check: Check, shown: Widget | None = None) -> Widget:
    """The input widget for a question. For a text question, `shown` (the input on screen now) is reused when it is a
    TextReply: it then shows the new question's proposal."""
    if ask.type in ("confirm", "choice"):
        return ChoiceReply(ask)
    if ask.type == "multi_choice":
        return ManyReply(ask)
    if ask.type == "per_environment":
        return PerEnvironmentReply(ask, check)
    if isinstance(shown, TextReply):
        shown.ask_next(ask, check)
        return shown
    return TextReply(ask, check)
