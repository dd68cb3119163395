"""The Textual app: interview -> plan -> preview -> confirm -> write -> done.

`make_app` builds it the same way for the command line, the tests and the screenshot script. Screens
post messages up (`Planned`, `Accepted`) and the app moves between them; nothing is written before
the confirmation, and quitting keeps the answers as a draft outside the repository.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from wizard.core.errors import WizardError
from wizard.core.layout import ANSWERS_FILE
from wizard.tui.background import in_thread
from wizard.tui.confirm import ConfirmScreen
from wizard.tui.interview import InterviewScreen
from wizard.tui.startup import RESUMED as RESUMED_GREETING
from wizard.tui.startup import (
    DraftStore,
    Rescanner,
    Scanner,
    begin,
    draft_source,
    facts_for_draft,
    folder_facts,
    saved_answers,
    start_facts,
)

if TYPE_CHECKING:  # the other screens and the core are loaded when they are first needed, after the first screen
    from wizard.core.pipeline import Outcome
    from wizard.core.scan.manifests import Inventory
    from wizard.interview.engine import Interview
    from wizard.tui.plan import PlanScreen
    from wizard.tui.preview import PreviewScreen

DARK, LIGHT = "textual-dark", "textual-light"
FIRST_WAIT = 0.15
"""Seconds the first screen may wait for a forked reader's first facts (the folders found), once it is built and
before it shows anything: drawn with its question instead of a reading screen drawn, then drawn again with the
question. The app's own start is now about as long as the child's search at 1,000 objects (~0.3 s each); a longer
search shows the reading screen at most this late."""
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
        self, repo: Path, facts: dict[str, Any] | None, interview: Interview | None, store: DraftStore, *,
        greeting: str = "", offer: Mapping[str, Any] | None = None, saved: Mapping[str, Any] | None = None,
        draft: Mapping[str, Any] | None = None, scanner: Scanner = start_facts, rescanner: Rescanner = folder_facts,
    ) -> None:
        """`offer`: a draft left by an earlier run, offered for resuming at start.

        Without `facts` and `interview` the repository is read in a worker once the interview screen is up
        (`scanner`, with `saved` answers and a `draft` to resume): the screen says it is reading, and the first
        question comes with the facts. An answer to the resume offer given meanwhile is applied then.
        """
        super().__init__()
        self.repo = repo
        self.facts = facts
        self.interview = interview
        self.store = store
        self.greeting = greeting
        self.offer = offer
        self.saved = saved
        self.draft = draft
        self.scanner = scanner
        self.rescanner = rescanner
        self.scans: dict[str, Inventory] = {}
        """The folders the start's scan read (by folder): the side panel's resolver reuses them."""
        """Reads a folder the person names instead of the one found (the interview screen calls it in a worker)."""
        self.resume_choice: bool | None = None
        """The answer to the resume offer, kept until the facts are there to apply it."""
        self.failure: BaseException | None = None
        """Why the repository could not be read (the command line reports it after the app has closed)."""
        self.written: list[str] | None = None
        self.start_answers = dict(interview.draft()["answers"]) if interview is not None else {}
        """The answers the app started with: quitting with the same answers keeps no draft."""
        self.sub_title = str((facts or {}).get("app") or repo.name)
        self.theme = DARK
        self.when_drawn: list[Callable[[], None]] = []
        """Called once the first screen has been drawn (the command line hands the garbage collector back then)."""

    def on_mount(self) -> None:
        """Start the interview (reading the repository first when its facts are not known yet); offer a draft."""
        screen = InterviewScreen(self.repo, self.interview, self.facts, greeting=self.greeting)
        ready = getattr(self.scanner, "first_facts", None)  # a ForkedReader: the child may have found the folders
        if self.interview is None and self._fresh and callable(ready):
            first = ready()
            if first is not None:
                self._ask_first(screen, first)
            else:  # the screen is built meanwhile; before it shows anything, the first facts get a moment more
                screen.before_show = lambda: self._wait_first(screen, ready)
        self.push_screen(screen)
        if self.interview is None:
            self.call_after_refresh(self._read)  # after the first paint: the scan holds the GIL for long stretches
        if self.offer is not None:
            count = len(self.offer.get("answers") or {})
            self.push_screen(
                ConfirmScreen(f"You left an interview here with **{count} answers**. Resume it?",
                              yes="Resume", no="Start over"),
                self._resume,
            )

    def on_interview_screen_drawn(self) -> None:
        """The first screen is drawn: run `when_drawn` (once)."""
        hooks, self.when_drawn = self.when_drawn, []
        for hook in hooks:
            hook()

    def _ask_first(self, screen: InterviewScreen, first: dict[str, Any]) -> None:
        """The first question on the first screen, from the first facts (its answer waits for the facts)."""
        screen.interview, screen.facts, screen.partial = self._first_interview(first), first, True
        screen.candidates = list(getattr(self.scanner, "found", None) or [])

    def _wait_first(self, screen: InterviewScreen, ready: Callable[[float], dict[str, Any] | None]) -> None:
        """Load the engine (the first question needs it anyway), then wait at most FIRST_WAIT for the first facts."""
        from wizard.interview.model import load_questions

        load_questions()
        first = ready(FIRST_WAIT)
        if first is not None:
            self._ask_first(screen, first)

    # -- reading the repository ------------------------------------------------------------------

    @work(exclusive=True, group="read", exit_on_error=False)
    async def _read(self) -> None:
        """Scan in a thread: the screen keeps drawing; the found folders, the first question (on a fresh start),
        then the facts go to the screen."""
        fresh = self._fresh

        def found(candidates: list[dict[str, str]]) -> None:
            self._from_thread(self._found, candidates)

        def first(partial: dict[str, Any]) -> None:
            screen = self._interview_screen()
            if screen is None or screen.interview is None:  # else already asked on the first screen
                self._from_thread(self._first, partial, self._first_interview(partial))

        def read() -> tuple[dict[str, Any], Interview, str]:
            if fresh:  # the engine loads while the repository is read (a forked reader reads on the other core)
                from wizard.interview.model import load_questions

                load_questions()
            facts = self.scanner(self.repo, self.saved, found, self.scans, first if fresh else None)
            return begin(self.repo, facts, self.saved, self.draft)

        try:
            started = await in_thread("k8s-wizard-read", read)
        except Exception as exc:  # noqa: BLE001 - reported by the command line once the terminal is back
            self._unreadable(exc)
            return
        await self._arrived(*started)

    def _from_thread(self, callback: Any, *args: Any) -> None:
        if not self.is_running:  # closed meanwhile (quit while reading): nothing to show, nobody to wait for
            return
        try:
            self.call_from_thread(callback, *args)
        except RuntimeError:  # the app has closed meanwhile (quit while reading): nothing to show
            pass

    def _found(self, candidates: list[dict[str, str]]) -> None:
        screen = self._interview_screen()
        if screen is not None:
            screen.found(candidates)

    @property
    def _fresh(self) -> bool:
        """A fresh start: no saved answers, no draft to resume or offered (its first question is the interview's)."""
        return self.saved is None and self.draft is None and self.offer is None

    @staticmethod
    def _first_interview(partial: dict[str, Any]) -> Interview:
        """The interview on the first facts: its first question can show, nothing is answered on it."""
        from wizard.interview.engine import Interview
        from wizard.interview.model import load_questions

        return Interview(load_questions(), partial)

    async def _first(self, partial: dict[str, Any], interview: Interview) -> None:
        """The folders are found, not read yet: the first question shows, answered once the facts are in."""
        screen = self._interview_screen()
        if self.interview is not None or screen is None or screen.interview is not None:
            return  # the facts came first
        screen.interview, screen.facts, screen.partial = interview, partial, True
        await screen.show(focus=screen is self.screen)

    def _unreadable(self, exc: BaseException) -> None:
        self.failure = exc
        self.exit(exc.exit_code if isinstance(exc, WizardError) else 2)

    async def _arrived(self, facts: dict[str, Any], interview: Interview, greeting: str) -> None:
        """The facts are in: the first question shows (and a resume answered meanwhile is applied)."""
        self.facts, self.interview = facts, interview
        self.greeting = greeting or self.greeting
        self.start_answers = dict(interview.draft()["answers"])
        self.sub_title = str(facts.get("app") or self.repo.name)
        screen = self._interview_screen()
        if screen is not None:
            screen.interview, screen.facts, screen.greeting = interview, facts, self.greeting
            screen.partial = False
            await screen.show(focus=screen is self.screen)
        if self.resume_choice is not None:
            await self._apply_resume()

    def _interview_screen(self) -> InterviewScreen | None:
        return next((s for s in self.screen_stack if isinstance(s, InterviewScreen)), None)

    async def _resume(self, yes: bool | None) -> None:
        self.resume_choice = bool(yes)
        if self.interview is not None:  # else still reading: applied when the facts arrive
            await self._apply_resume()
        screen = self._interview_screen()
        if screen is not None and screen is self.screen:  # the question may have come in under the offer
            screen.focus_reply()

    async def _apply_resume(self) -> None:
        yes, offer = self.resume_choice, self.offer
        self.resume_choice, self.offer = None, None
        if not yes or offer is None or self.interview is None or self.facts is None:
            return
        source = draft_source(self.facts, offer)
        screen = self._interview_screen()
        if source is not None and screen is not None:  # the draft chose another folder: read it in a worker
            screen.rescanning = source  # the screen says so, and asks nothing meanwhile
            await screen.show(focus=screen is self.screen)
            self._resume_worker(offer)
            return
        try:
            interview = type(self.interview).from_draft(self.interview.questions, self.facts, offer)
        except ValueError as exc:
            self.notify(f"The draft cannot be resumed: {exc}", severity="warning")
            return
        await self._resumed(self.facts, interview)

    @work(exclusive=True, group="resume", exit_on_error=False)
    async def _resume_worker(self, offer: Mapping[str, Any]) -> None:
        assert self.interview is not None and self.facts is not None
        questions, found = self.interview.questions, self.facts

        def read() -> tuple[dict[str, Any], Interview]:
            facts = facts_for_draft(self.repo, found, offer, self.rescanner)
            return facts, type(self.interview).from_draft(questions, facts, offer)  # type: ignore[union-attr]

        try:
            facts, interview = await in_thread("k8s-wizard-resume", read)
        except ValueError as exc:
            await self._resume_failed(str(exc))
        except Exception as exc:  # noqa: BLE001 - reported by the command line once the terminal is back
            self._unreadable(exc)
        else:
            await self._resumed(facts, interview)

    async def _resumed(self, facts: dict[str, Any], interview: Interview) -> None:
        self.facts, self.interview = facts, interview
        screen = self._interview_screen()
        if screen is not None:
            screen.rescanning = None
            screen.interview, screen.facts, screen.greeting = interview, facts, RESUMED_GREETING
            await screen.show(focus=screen is self.screen)
        self.start_answers = dict(interview.draft()["answers"])

    async def _resume_failed(self, message: str) -> None:
        screen = self._interview_screen()
        if screen is not None:
            screen.rescanning = None
            await screen.show(focus=screen is self.screen)
        self.notify(f"The draft cannot be resumed: {message}", severity="warning")

    def release(self) -> None:
        """Stop what reads the repository when it is a process of its own (a `ForkedReader`): once the app has
        closed, nothing waits for it."""
        close = getattr(self.scanner, "close", None)
        if callable(close):
            close()

    # -- moving between screens --------------------------------------------------------------------

    def on_interview_screen_rescanned(self, message: InterviewScreen.Rescanned) -> None:
        """Follow the interview onto the folder the person named."""
        self.interview, self.facts = message.interview, message.facts

    def on_interview_screen_planned(self, message: InterviewScreen.Planned) -> None:
        """Show the plan."""
        from wizard.tui.plan import PlanScreen

        self.push_screen(PlanScreen(message.outcome))

    def on_plan_screen_compare_requested(self, message: PlanScreen.CompareRequested) -> None:
        """Plan -> Compare environments (Esc comes back)."""
        from wizard.tui.compare import CompareScreen

        self.push_screen(CompareScreen(self.repo, message.outcome))

    def on_plan_screen_accepted(self, message: PlanScreen.Accepted) -> None:
        """Show the files."""
        from wizard.tui.preview import PreviewScreen

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
        from wizard.core.pipeline import refuse_unbuildable, write

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
        from wizard.tui.done import DoneScreen

        self.switch_screen(DoneScreen(outcome, written, self.repo.name))

    # -- app-wide actions --------------------------------------------------------------------------

    def save_draft(self) -> None:
        """Keep the answers so far outside the repository (nothing once written, nor when nothing changed)."""
        if self.interview is None:  # still reading the repository: nothing answered yet
            return
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
        from wizard.tui.compare import CompareScreen
        from wizard.tui.plan import PlanScreen
        from wizard.tui.preview import PreviewScreen

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
    store: DraftStore | None = None, scanner: Scanner = start_facts, rescanner: Rescanner = folder_facts,
) -> WizardApp:
    """The app for a repository: shared by the command line, the tests and the screenshot script.

    Without `facts` the app reads the repository in a worker once its first screen is up (`scanner`, default
    `start_facts`); `draft` resumes that draft at once; without one, a draft left by an earlier run is offered
    for resuming, and saved answers (`.k8s-wizard.yaml`) are the start.
    """
    repo = repo.resolve()
    store = store or DraftStore(repo)
    greeting = ""
    try:
        saved = saved_answers(repo)
    except WizardError as exc:
        saved, greeting = None, f"I could not read `{ANSWERS_FILE}` ({exc}), so we start from scratch."
    offer = store.load() if draft is None else None
    if facts is None:
        return WizardApp(repo, None, None, store, greeting=greeting, offer=offer, saved=saved, draft=draft,
                         scanner=scanner, rescanner=rescanner)
    facts, interview, said = begin(repo, facts, saved, draft)
    return WizardApp(repo, facts, interview, store, greeting=said or greeting, offer=offer, rescanner=rescanner)
