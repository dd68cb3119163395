"""The Textual app: interview -> plan -> preview -> confirm -> write -> done.

`make_app` builds it the same way for the command line, the tests and the screenshot script. Screens
post messages up (`Planned`, `Accepted`) and the app moves between them; nothing is written before
the confirmation, and quitting keeps the answers as a draft outside the repository.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from wizard.core.answers.parse import ANSWERS_FILE
from wizard.core.errors import WizardError
from wizard.core.pipeline import Outcome, refuse_unbuildable, write
from wizard.interview.engine import Interview
from wizard.interview.model import load_questions
from wizard.interview.saved import draft_from_answers
from wizard.tui.compare import CompareScreen
from wizard.tui.confirm import ConfirmScreen
from wizard.tui.done import DoneScreen
from wizard.tui.interview import InterviewScreen
from wizard.tui.plan import PlanScreen
from wizard.tui.preview import PreviewScreen
from wizard.tui.startup import DraftStore, facts_for_draft, saved_answers, start_facts

DARK, LIGHT = "textual-dark", "textual-light"
EXIT_INTERRUPTED = 130


class WizardApp(App[int]):
    """The k8s-wizard interview and review, ending in one confirmed write. Exit code 0 when written, 1 if not."""

    CSS_PATH = "app.tcss"
    TITLE = "k8s-wizard"
    BINDINGS = [
        Binding("ctrl+c", "interrupt", "Quit", show=False, priority=True),
        Binding("ctrl+q", "quit", "Quit", priority=True),
        Binding("ctrl+t", "toggle_theme", "Theme"),
    ]

    def __init__(
        self, repo: Path, facts: dict[str, Any], interview: Interview, store: DraftStore, *,
        greeting: str = "", offer: Mapping[str, Any] | None = None,
    ) -> None:
        """`offer`: a draft left by an earlier run, offered for resuming at start."""
        super().__init__()
        self.repo = repo
        self.facts = facts
        self.interview = interview
        self.store = store
        self.greeting = greeting
        self.offer = offer
        self.written: list[str] | None = None
        self.start_answers = dict(interview.draft()["answers"])
        """The answers the app started with: quitting with the same answers keeps no draft."""
        self.sub_title = str(facts.get("app") or repo.name)
        self.theme = DARK

    def on_mount(self) -> None:
        """Start the interview; offer to resume a draft first when there is one."""
        self.push_screen(InterviewScreen(self.repo, self.interview, self.facts, greeting=self.greeting))
        if self.offer is not None:
            count = len(self.offer.get("answers") or {})
            self.push_screen(
                ConfirmScreen(f"You left an interview here with **{count} answers**. Resume it?",
                              yes="Resume", no="Start over"),
                self._resume,
            )

    async def _resume(self, yes: bool | None) -> None:
        if yes and self.offer is not None:
            try:
                self.facts = facts_for_draft(self.repo, self.facts, self.offer)
                self.interview = Interview.from_draft(self.interview.questions, self.facts, self.offer)
            except ValueError as exc:
                self.notify(f"The draft cannot be resumed: {exc}", severity="warning")
            else:
                screen = self.screen
                if isinstance(screen, InterviewScreen):
                    screen.interview = self.interview
                    screen.facts = self.facts
                    screen.greeting = "Welcome back: here is where you left off."
                    await screen.show()
                self.start_answers = dict(self.interview.draft()["answers"])
        self.offer = None

    # -- moving between screens --------------------------------------------------------------------

    def on_interview_screen_rescanned(self, message: InterviewScreen.Rescanned) -> None:
        """Follow the interview onto the folder the person named."""
        self.interview, self.facts = message.interview, message.facts

    def on_interview_screen_planned(self, message: InterviewScreen.Planned) -> None:
        """Show the plan."""
        self.push_screen(PlanScreen(message.outcome))

    def on_plan_screen_compare_requested(self, message: PlanScreen.CompareRequested) -> None:
        """Plan -> Compare environments (Esc comes back)."""
        self.push_screen(CompareScreen(self.repo, message.outcome))

    def on_plan_screen_accepted(self, message: PlanScreen.Accepted) -> None:
        """Show the files."""
        self.push_screen(PreviewScreen(self.repo, message.outcome))

    def on_preview_screen_accepted(self, message: PreviewScreen.Accepted) -> None:
        """Ask before writing."""
        outcome = message.outcome
        pending = [c for c in outcome.plan.changes if c.kind.value != "unchanged"]
        if not pending:
            self.notify("Nothing to change: the files already match these answers.", title="Up to date")
            return
        question = (
            f"Write **{len(pending)} files** into `{self.repo.name}`?\n\n"
            f"Nothing is deployed: this only writes files, with `MIGRATION.md` and `{ANSWERS_FILE}`."
        )
        self.push_screen(ConfirmScreen(question, yes="Write", no="Not yet"),
                         lambda yes: self._write(outcome) if yes else None)  # type: ignore[arg-type]

    @work(thread=True, exclusive=True, group="write")
    def _write(self, outcome: Outcome) -> None:
        try:
            refuse_unbuildable(self.repo, outcome)  # the preview may not have finished its check
            written = write(self.repo, outcome)
        except WizardError as exc:
            self.call_from_thread(self.notify, f"Nothing written: {exc}", severity="error", timeout=10)
            return
        self.written = written
        self.store.clear()
        self.call_from_thread(self._done, outcome, written)

    def _done(self, outcome: Outcome, written: list[str]) -> None:
        self.switch_screen(DoneScreen(outcome, written, self.repo.name))

    # -- app-wide actions --------------------------------------------------------------------------

    def save_draft(self) -> None:
        """Keep the answers so far outside the repository (nothing once written, nor when nothing changed)."""
        answers = self.interview.draft()["answers"]
        if self.written is None and answers and answers != self.start_answers:
            try:
                self.store.save(self.interview.draft())
            except OSError as exc:
                self.notify(f"Could not keep a draft: {exc}", severity="warning")

    async def action_quit(self) -> None:
        """Leave; before the write, the answers are kept as a draft and nothing is written to the project."""
        self.save_draft()
        self.exit(0 if self.written is not None else 1)

    async def action_interrupt(self) -> None:
        """Ctrl+C: leave at once with exit code 130 (after the write: 0); nothing more is written."""
        self.save_draft()
        self.exit(0 if self.written is not None else EXIT_INTERRUPTED)

    def action_toggle_theme(self) -> None:
        """Switch between the light and the dark theme."""
        self.theme = LIGHT if self.theme == DARK else DARK

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """The palette: each action of the current screen, then the app's own."""
        if isinstance(screen, InterviewScreen):
            yield SystemCommand("Why do you ask?", "Show why the current question is asked", screen.action_why)
            yield SystemCommand("Back", "Go back to the previous answer", screen.action_back)
            yield SystemCommand("Edit an answer", "Pick an earlier answer to change", screen.action_edit)
        elif isinstance(screen, PlanScreen):
            yield SystemCommand("Preview the files", "See every file the plan writes", screen.action_next)
            yield SystemCommand("Compare environments", "What differs between two environments, and why",
                                screen.action_compare)
            yield SystemCommand("Back to the interview", "Change an answer", self.pop_screen)
        elif isinstance(screen, PreviewScreen):
            yield SystemCommand("Write the files…", "Confirm, then write", screen.action_next)
            yield SystemCommand("Diff or content", "Switch the file view", screen.action_toggle_diff)
            yield SystemCommand("Keep mine", "Settle the selected conflict with your version",
                                lambda: screen.action_settle("mine"))
            yield SystemCommand("Take new", "Settle the selected conflict with the new version",
                                lambda: screen.action_settle("new"))
            yield SystemCommand("Conflict markers", "Write the selected file with conflict markers",
                                lambda: screen.action_settle("markers"))
            yield SystemCommand("Back to the plan", "Review the plan again", self.pop_screen)
        elif isinstance(screen, CompareScreen):
            yield SystemCommand("Swap the environments", "Compare the other way round", screen.action_swap)
            yield SystemCommand("Back to the plan", "Review the plan again", self.pop_screen)
        yield SystemCommand("Toggle light/dark theme", "Switch the colour theme", self.action_toggle_theme)
        yield from super().get_system_commands(screen)


def make_app(
    repo: Path, *, facts: dict[str, Any] | None = None, draft: Mapping[str, Any] | None = None,
    store: DraftStore | None = None,
) -> WizardApp:
    """The app for a repository: shared by the command line, the tests and the screenshot script.

    `facts` default to a scan of the repository; `draft` resumes that draft at once; without one, a draft
    left by an earlier run is offered for resuming, and saved answers (`.k8s-wizard.yaml`) are the start.
    """
    repo = repo.resolve()
    store = store or DraftStore(repo)
    greeting = ""
    try:
        saved = saved_answers(repo)
    except WizardError as exc:
        saved, greeting = None, f"I could not read `{ANSWERS_FILE}` ({exc}), so we start from scratch."
    facts = facts if facts is not None else start_facts(repo, saved)
    questions = load_questions()
    offer = None
    if draft is not None:
        facts = facts_for_draft(repo, facts, draft)
        interview = Interview.from_draft(questions, facts, draft)
        greeting = "Welcome back: here is where you left off."
    else:
        interview = Interview(questions, facts)
        if saved is not None:
            try:
                interview = Interview.from_draft(questions, facts, draft_from_answers(questions, facts, saved))
                greeting = f"I started from your saved answers in `{ANSWERS_FILE}`."
            except ValueError:
                pass
        offer = store.load()
    return WizardApp(repo, facts, interview, store, greeting=greeting, offer=offer)
