"""The interview screen: a chat with the wizard, the input for the current question, and "What I know".

The screen only shows the engine's state: the transcript as chat bubbles, the current question and an
input shaped for it (wizard.tui.reply), and the summary in a side panel where any earlier answer can
be picked to change it (the engine re-asks only what depends on it). When the last question is
answered, the answers are checked and planned in a worker; the result goes up as `Planned`.

At start the screen may have no interview yet: the app reads the repository in a worker, and until the
facts arrive the screen says so (the folders found so far under "What I know"); no question is asked
before the facts it proposes from are there.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Header, Input, Label, LoadingIndicator, OptionList, Static
from textual.widgets.option_list import Option

from wizard.core.errors import WizardError
from wizard.tui.footer import KeysFooter
from wizard.tui.prose import prose
from wizard.tui.reply import ChoiceReply, HelpAsked, PerEnvironmentReply, Replied, reply_for

if TYPE_CHECKING:  # the core is loaded by workers (reading the repository, resolving answers), not before the first screen
    from wizard.core.pipeline import Outcome
    from wizard.core.resolve.draft import DraftResolver
    from wizard.core.resolve.known import Known
    from wizard.interview.engine import Ask, Interview

KEY_HINT = "enter: ok · ?/F1: why · esc: back · F2: change"
"""The keys, short enough for the conversation column of an 80-column terminal."""
READING = "I am reading the YAML files in this repository to find your Kubernetes objects; the first question follows."
"""What the wizard says while the repository is read (the app's first screen, before the facts are in)."""
STILL_READING = "still reading the manifests: enter works once they are read"
"""The key hint while the first question shows from the folders found, before the facts are in."""


@dataclass(frozen=True)
class Bubble:
    """One bubble of the conversation as data: what the screen wants shown, compared with what is mounted."""

    who: str
    """"wizard" (a WizardSays) or "you" (a YouSaid)."""
    text: str
    kind: str = ""
    """A WizardSays's extra class (note, past, current, help, problem)."""
    question_id: str = ""
    """A YouSaid's question."""

    @classmethod
    def says(cls, markdown: str, kind: str) -> Bubble:
        """A message from the wizard."""
        return cls("wizard", markdown, kind)

    @classmethod
    def you(cls, answer: str, question_id: str) -> Bubble:
        """One of the person's answers."""
        return cls("you", answer, question_id=question_id)

    def widget(self) -> WizardSays | YouSaid:
        """A new widget showing this bubble."""
        if self.who == "you":
            return YouSaid(self.text, self.question_id)
        return WizardSays(self.text, classes=self.kind)


class WizardSays(Static):
    """A message from the wizard, rendered as Markdown (plain prose without loading a Markdown parser)."""

    def __init__(self, markdown: str, *, classes: str = "") -> None:
        """`classes`: one extra class (help, problem, past, note, current)."""
        super().__init__(prose(markdown), classes=f"wizard {classes}".strip())
        self.source = markdown
        self.bubble = Bubble.says(markdown, classes)


class YouSaid(Static):
    """One of the person's answers; clicking it goes back to change it."""

    @dataclass
    class Clicked(Message):
        """The person clicked an earlier answer."""

        question_id: str

    def __init__(self, answer: str, question_id: str) -> None:
        """The answer as text ("(empty)" when it is empty)."""
        super().__init__(Text(answer or "(empty)"), classes="you")
        self.source = answer
        self.question_id = question_id
        self.bubble = Bubble.you(answer, question_id)
        self.tooltip = "Click to change this answer"

    def on_click(self) -> None:
        """Ask the screen to re-ask this question."""
        self.post_message(self.Clicked(self.question_id))


PanelLine = tuple[str, tuple[Any, ...], str | None, bool]
"""A side-panel option as compared: its text, its styles, its id and whether it is disabled."""


def _panel_line(option: Option | None) -> PanelLine | None:
    """What an option shows (None: the divider)."""
    if option is None:
        return None
    prompt = option.prompt
    if isinstance(prompt, Text):
        return prompt.plain, (str(prompt.style), *((span.start, span.end, str(span.style)) for span in prompt.spans)), \
            option.id, option.disabled
    return str(prompt), (), option.id, option.disabled


class InterviewScreen(Screen[None]):
    """The chat-style interview."""

    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("f1", "why", "Why I ask"),
        Binding("f2", "edit", "Edit an answer"),
    ]

    @dataclass
    class Planned(Message):
        """The answers were checked and planned: the app shows the plan."""

        outcome: Outcome

    class Drawn(Message):
        """The screen's first state (the first question, or the reading state) has been drawn."""

    @dataclass
    class Rescanned(Message):
        """The person named another manifests folder: the interview now runs on its facts."""

        interview: Interview
        facts: dict[str, Any]

    def __init__(
        self, repo: Path, interview: Interview | None, facts: dict[str, Any] | None, *, greeting: str = "",
    ) -> None:
        """`greeting`: a first line from the wizard (resumed draft, saved answers). Without `interview` the
        screen says the repository is being read until the app gives it the interview and its facts."""
        super().__init__()
        self.repo = repo
        self.interview = interview
        self.facts = facts
        self.greeting = greeting
        self.candidates: list[dict[str, str]] = []
        """While reading: the folders found to hold Kubernetes objects (by content), not yet read."""
        self.rescanning: str | None = None
        """The folder the person named, while it is read."""
        self.partial = False
        """True while `interview` runs on the first facts (the folders found, none read yet): its question
        shows, and an answer waits for the facts."""
        self._ticker: Timer | None = None
        self._read_since = 0.0
        self.help_shown = False
        self.problems: list[str] = []
        self.planning = False
        self.known: Known | None = None
        """What the core concluded from the answers so far (None until the first result)."""
        self._known_request: tuple[dict[str, Any], frozenset[str]] | None = None
        self._known_generation = 0
        self._resolver: DraftResolver | None = None
        self._known_shown: list[PanelLine | None] = []
        """The side panel's lines as shown (compared with the wanted ones before anything is redrawn)."""
        self.before_show: Callable[[], None] | None = None
        """Called once the screen is built, before its first state is shown (the app waits there, a moment at
        most, for the first facts: the screen's own building overlaps the reader's search)."""

    def compose(self) -> ComposeResult:
        """Chat and input on the left, "What I know" on the right."""
        yield Header()
        with Horizontal(id="interview"):
            with Vertical(id="conversation"):
                yield VerticalScroll(id="chat")
                yield Vertical(id="reply")
                yield Label(KEY_HINT, id="hint")
            with Vertical(id="known-panel"):
                yield Label("What I know", id="known-title")
                yield OptionList(id="known")
        yield KeysFooter()

    async def on_mount(self) -> None:
        """Show the first question (or the finished interview); once drawn, say so (`Drawn`)."""
        if self.before_show is not None:
            before, self.before_show = self.before_show, None
            before()
        await self.show()
        self.call_after_refresh(self.post_message, self.Drawn())

    # -- showing the engine's state ----------------------------------------------------------------

    @property
    def reading(self) -> bool:
        """True until the app has the repository's facts, and while a folder the person named is read (no
        question is answered before the facts it proposes from are there; the first may show from the folders
        found: `partial`)."""
        return self.interview is None or self.rescanning is not None or self.partial

    def found(self, candidates: list[dict[str, str]]) -> None:
        """While reading: the folders found to hold Kubernetes objects, shown under "What I know"."""
        self.candidates = list(candidates)
        if self.reading:
            self._show_known()

    def focus_reply(self) -> None:
        """Focus the answer input (the reading state has none: the "What I know" panel then)."""
        widget = next(iter(self.query("#reply-input")), None)
        if isinstance(widget, PerEnvironmentReply):
            widget.focus_first()
        else:
            (widget or self.query_one("#known", OptionList)).focus()

    async def show(self, *, focus: bool = True) -> None:
        """Re-draw chat, input and side panel from the interview (or the reading state)."""
        if self.interview is None or (self.reading and not self.partial):
            await self._show_reading()
            return
        ask = self.interview.current()
        await self._show_chat(ask)
        await self._show_reply(ask, focus=focus)
        if self.partial:  # the question shows; the facts are still being read
            self.query_one("#hint", Label).update(STILL_READING)
        self._show_known()

    async def _show_reading(self) -> None:
        chat = self.query_one("#chat", VerticalScroll)
        if self.rescanning is not None:
            await self._show_chat(None)
            await chat.mount(WizardSays(f"I am reading `./{self.rescanning}`; the next question follows.", classes="current"))
            chat.scroll_end(animate=False)
        else:
            bubbles = [WizardSays(self.greeting, classes="note")] if self.greeting else []
            await chat.remove_children()
            await chat.mount_all([*bubbles, WizardSays(READING, classes="current")])
        reply = self.query_one("#reply", Vertical)
        await reply.remove_children()
        # A label counting seconds, not the animated LoadingIndicator: its redraws take turns on the GIL with the
        # scan in the worker thread (measured: the scan took ~1.3x as long beside the animation).
        await reply.mount(Label(self._reading_label(), id="reading", classes="busy"))
        if self._ticker is None:
            self._read_since = time.monotonic()
            self._ticker = self.set_interval(1.0, self._tick)
        self.query_one("#hint", Label).update("")  # no key does anything here yet
        self._show_known()

    def _reading_label(self) -> str:
        seconds = int(time.monotonic() - self._read_since) if self._read_since else 0
        return f"Reading the manifests… {seconds} s" if seconds else "Reading the manifests…"

    def _tick(self) -> None:
        if not self.reading or self.partial:
            if self._ticker is not None:
                self._ticker.stop()
                self._ticker = None
            return
        for label in self.query("#reading").results(Label):
            label.update(self._reading_label())

    async def _show_chat(self, ask: Ask | None) -> None:
        """The transcript as bubbles: only what changed is mounted (an answer adds a few bubbles at the end instead
        of mounting the whole conversation again, each a Markdown that is laid out and styled anew)."""
        chat = self.query_one("#chat", VerticalScroll)
        wanted = self._bubbles(ask)
        mounted = list(chat.children)
        same = 0
        for widget, bubble in zip(mounted, wanted, strict=False):
            if not isinstance(widget, WizardSays | YouSaid) or widget.bubble != bubble:
                break
            same += 1
        if same < len(mounted):
            await chat.remove_children(mounted[same:])
        if same < len(wanted):
            await chat.mount_all([bubble.widget() for bubble in wanted[same:]])
        chat.scroll_end(animate=False)
        chat.call_after_refresh(chat.scroll_end, animate=False)  # again once the bubbles have their size

    def _bubbles(self, ask: Ask | None) -> list[Bubble]:
        """The conversation the engine's state shows, top to bottom."""
        assert self.interview is not None
        bubbles: list[Bubble] = []
        if self.greeting:
            bubbles.append(Bubble.says(self.greeting, "note"))
        order = [q.id for q in self.interview.questions]
        for exchange in self.interview.transcript():
            if ask is not None and ask.answered and exchange.question.id == ask.id:
                break
            if ask is not None and order.index(exchange.question.id) > order.index(ask.id):
                break  # answered early by facts given in an earlier answer: shown under What I know
            bubbles.append(Bubble.says(exchange.text, "past"))
            bubbles.append(Bubble.you(exchange.answer, exchange.question.id))
        if ask is not None:
            if ask.answered:
                bubbles.append(Bubble.says("Changing an earlier answer (esc leaves it as it was):", "note"))
            bubbles.append(Bubble.says(ask.text, "current"))
            if self.help_shown:
                bubbles.append(Bubble.says(ask.help or "No more to say about this one.", "help"))
        elif not self.planning and self.rescanning is None:
            bubbles.append(Bubble.says("That's everything I need. Enter plans the migration; pick an answer on the "
                                       "right to change it.", "current"))
        bubbles += [Bubble.says(p, "problem") for p in self.problems]
        return bubbles

    async def _show_reply(self, ask: Ask | None, *, focus: bool) -> None:
        assert self.interview is not None
        reply = self.query_one("#reply", Vertical)
        if self.planning:
            await reply.remove_children()
            await reply.mount(LoadingIndicator(), Label("Checking the answers and rendering the plan…", classes="busy"))
            return
        shown = reply.children[0] if len(reply.children) == 1 else None
        widget: Widget = (
            reply_for(ask, self.interview.check, shown) if ask is not None
            else OptionList(Option("Plan the migration", id="plan"), id="reply-input")
        )
        if widget is not shown:
            await reply.remove_children()
            await reply.mount(widget)
        self._hint(KEY_HINT)
        if focus:
            if isinstance(widget, PerEnvironmentReply):
                widget.focus_first()
            else:
                widget.focus()

    def _show_known(self) -> None:
        """The side panel: what the core concluded from the answers so far (`Known`), then the answers to pick."""
        if self.interview is None or self.partial:  # still reading the repository: the folders found so far
            self._set_known([Option(Text(line, style="dim"), disabled=True) for line in self._reading()])
            return
        options: list[Option | None]
        if self.rescanning is not None:  # what was concluded from the other folder no longer holds
            options = [Option(Text(f"reading ./{self.rescanning}…", style="dim"), disabled=True)]
        else:
            options = [Option(line, disabled=True) for line in self._known_lines()]
        options.append(None)
        for exchange in self.interview.transcript():
            line = Text.assemble((f"{exchange.question.label}: ", "bold"), exchange.answer or "(empty)")
            options.append(Option(line, id=exchange.question.id))
        self._set_known(options)
        self.call_after_refresh(self._resolve_known)  # the next question is drawn first, then the answers resolve

    def _set_known(self, options: Sequence[Option | None]) -> None:
        """Show these lines in the side panel, changing only what differs: nothing when they are the lines shown,
        the new ones added when only lines were added at the end (each change re-renders the panel's lines)."""
        shown = [_panel_line(option) for option in options]
        if shown == self._known_shown:
            return
        known = self.query_one("#known", OptionList)
        kept = len(self._known_shown)
        if shown[:kept] == self._known_shown:
            known.add_options(list(options[kept:]))
        else:
            highlighted = known.highlighted
            known.clear_options()
            known.add_options(options)
            if highlighted is not None and highlighted < known.option_count:
                known.highlighted = highlighted
        self._known_shown = shown

    def _reading(self) -> list[str]:
        """While the repository is read: the folders found so far."""
        if not self.candidates:
            return ["reading the repository…"]
        first, *others = self.candidates
        more = f" (and {len(others)} more folder{'s' if len(others) != 1 else ''})" if others else ""
        return [f"reading ./{first['value']} ({first['label']}){more}…"]

    def _known_lines(self) -> list[Text]:
        """The core's conclusions as panel lines (displayed as given: the screen computes none of them)."""
        if self.known is None:
            return [Text("working out what I know…", style="dim italic")]
        lines = [Text(f"⚠ {self.known.problem}", style="bold red")] if self.known.problem else []
        lines += [Text(line, style="dim") for line in self.known.found]
        for env in self.known.environments:
            lines.append(Text(env.title, style="bold"))
            lines += [Text.assemble(f" {what}: ", (value, "")) for what, value in env.lines]
        lines += [Text.assemble((f"{what}: ", "bold"), value) for what, value in self.known.app]
        return lines

    def _resolve_known(self) -> None:
        """Ask the core, in a worker, what the answers so far resolve to (only when they changed)."""
        if self.interview is None or self.rescanning is not None:
            return
        request = (self.interview.answers(), self.interview.settled())
        if request == self._known_request:
            return
        self._known_request = request
        self._known_generation += 1
        self._known_worker(self._known_generation, *request)

    @work(thread=True, exclusive=True, group="known", exit_on_error=False)
    def _known_worker(self, generation: int, answers: dict[str, Any], settled: frozenset[str]) -> None:
        from wizard.core.resolve.draft import DraftResolver  # the core's resolve stage, loaded off the screen's thread

        if self._resolver is None:
            self._resolver = DraftResolver(self.repo, getattr(self.app, "scans", None))  # the start's scan, not again
        known = self._resolver.known(answers, settled)  # never raises: a refused answer is known.problem
        try:
            self.app.call_from_thread(self._known_ready, generation, known)
        except RuntimeError:
            pass  # the app closed meanwhile: nothing left to show it on

    def _known_ready(self, generation: int, known: Known) -> None:
        if generation != self._known_generation or not self.is_mounted:
            return  # answers changed meanwhile: a newer result follows
        self.known = known
        self._show_known()

    # -- what the person does ----------------------------------------------------------------------

    @on(Replied)
    async def _answered(self, event: Replied) -> None:
        event.stop()
        if self.partial:  # answered once the facts are in: the question may still change with them
            self.query_one("#hint", Label).update(Text(STILL_READING, style="bold"))
            return
        if self.interview is None or self.reading:
            return
        ask = self.interview.current()
        messages = self.interview.answer(event.value)
        self.problems = messages
        if messages:
            await self._show_chat(self.interview.current())
            return
        self.help_shown = False
        source = str(self.interview.value("source") or "").strip().rstrip("/")
        self.app.call_later(self._save_draft)
        if ask is not None and ask.id in ("source", "pick_source", "today") and source and (
            source != ((self.facts or {}).get("source") or "")
        ):
            await self._rescan(source)  # the next questions propose from that folder: asked once it is read
        elif self.interview.done:
            await self.plan()
        else:
            await self.show()

    async def _rescan(self, source: str) -> None:
        """A manifests folder other than the one found: read it in a worker (the screen says so meanwhile)."""
        self.rescanning = source
        await self.show()
        self._rescan_worker(source, list((self.facts or {}).get("candidates") or []) or None)

    @work(exclusive=True, group="read", exit_on_error=False)
    async def _rescan_worker(self, source: str, candidates: list[dict[str, str]] | None) -> None:
        from wizard.tui.background import in_thread
        from wizard.tui.startup import folder_facts

        rescanner = getattr(self.app, "rescanner", folder_facts)
        try:
            found = await in_thread("k8s-wizard-rescan", rescanner, self.repo, source, candidates)
        except WizardError as exc:
            await self._rescan_failed(source, str(exc))
            return
        await self._rescanned(source, found)

    async def _rescanned(self, source: str, found: dict[str, Any]) -> None:
        """The named folder is read: the answers so far carry over to its facts (none is dropped silently:
        one that no longer fits is asked again, with what was given proposed)."""
        from wizard.interview.engine import Interview

        self.rescanning = None
        if self.interview is None:
            return
        self.interview = Interview.from_draft(self.interview.questions, found, self.interview.draft())
        self.facts = found
        self.post_message(self.Rescanned(self.interview, found))
        self.app.call_later(self._save_draft)
        if self.interview.done:
            await self.plan()
        else:
            await self.show()

    async def _rescan_failed(self, source: str, message: str) -> None:
        self.rescanning = None
        if self.interview is not None:
            self.interview.back()
        self.problems = [f"I could not read `{source}`: {message}"]
        await self.show()

    def _save_draft(self) -> None:
        save = getattr(self.app, "save_draft", None)
        if callable(save):
            save()

    @on(HelpAsked)
    async def _help(self, event: HelpAsked) -> None:
        event.stop()
        await self.action_why()

    @on(ChoiceReply.Typed)
    def _typed_over_choices(self, event: ChoiceReply.Typed) -> None:
        event.stop()
        self._hint(Text(f"you typed: {event.text} (enter sends it)", style="bold") if event.text else KEY_HINT)

    @on(Input.Changed)
    def _typing(self, event: Input.Changed) -> None:
        result = event.validation_result
        if result is not None and not result.is_valid:
            self._hint(Text(result.failure_descriptions[0], style="bold red"))
        else:
            self._hint(KEY_HINT)

    def _hint(self, text: str | Text) -> None:
        """Show this in the hint line: nothing is redrawn when it shows it already, and the rest of the screen is not
        laid out again (the line's size is fixed: each key typed used to lay out the whole conversation again)."""
        hint = self.query_one("#hint", Label)
        if hint.content != text:
            hint.update(text, layout=False)

    @on(OptionList.OptionSelected, "#known")
    async def _edit_picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            await self.edit(event.option.id)

    @on(YouSaid.Clicked)
    async def _edit_clicked(self, event: YouSaid.Clicked) -> None:
        event.stop()
        await self.edit(event.question_id)

    @on(OptionList.OptionSelected, "#reply #reply-input")
    async def _plan_picked(self, event: OptionList.OptionSelected) -> None:
        if event.option.id == "plan":
            event.stop()
            await self.plan()

    async def edit(self, question_id: str) -> None:
        """Re-ask an earlier question; later answers stay unless they depend on it."""
        if self.planning or self.interview is None or self.reading:
            return
        try:
            self.interview.goto(question_id)
        except (KeyError, ValueError) as exc:
            self.notify(str(exc), severity="warning")
            return
        self.problems, self.help_shown = [], False
        await self.show()

    async def action_back(self) -> None:
        """Back to the previous answer (or, while changing one, leave it as it was)."""
        if self.planning or self.interview is None or self.reading:
            return
        ask = self.interview.current()
        if ask is not None and ask.answered:
            self.interview.resume()
        elif not self.interview.back():
            self.notify("This is the first question.")
            return
        self.problems, self.help_shown = [], False
        await self.show()

    async def action_why(self) -> None:
        """Show why the current question is asked."""
        if self.interview is None or self.reading or self.interview.current() is None:
            return
        self.help_shown = True
        await self._show_chat(self.interview.current())

    def action_edit(self) -> None:
        """Move to the "What I know" panel to pick an answer to change."""
        self.query_one("#known", OptionList).focus()

    # -- planning ------------------------------------------------------------------------------------

    async def plan(self) -> None:
        """Check the answers and plan in a worker (the screen keeps drawing meanwhile)."""
        if self.interview is None or self.reading:
            return
        self.planning = True
        self.problems = []
        await self.show()
        self._plan_worker(self.interview.answers())

    @work(thread=True, exclusive=True, group="plan")
    def _plan_worker(self, answers: dict[str, Any]) -> None:
        from wizard.core.pipeline import build, load_answers

        try:
            loaded, inventory = load_answers(self.repo, answers, "your answers")
            outcome = build(self.repo, loaded, inventory)
        except WizardError as exc:
            self.app.call_from_thread(self._plan_failed, str(exc))  # type: ignore[arg-type]
            return
        self.app.call_from_thread(self._planned, outcome)  # type: ignore[arg-type]

    async def _plan_failed(self, message: str) -> None:
        self.planning = False
        self.problems = [f"**I cannot plan with these answers:** {message}\n\nPick the answer to change on the right."]
        await self.show()

    async def _planned(self, outcome: Outcome) -> None:
        self.planning = False
        await self.show(focus=False)
        self.post_message(self.Planned(outcome))
