"""`k8s-wizard` / `k8s-wizard init`: the interview (Textual app, or plain prompts).

The Textual app runs when the terminal can show it; `--plain`, a missing terminal or TERM=dumb give
the same interview through questionary, then the same preview and confirmation on the terminal.
Textual is imported only inside `init` (importing the command line must not load it), and the core only
once it is needed: the Textual app reads the repository in a worker after its first screen. Quitting at any
point writes nothing to the project; the answers so far are kept in a draft outside it.
"""

from __future__ import annotations

import argparse
import gc
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from wizard.core.errors import BlockingError, InputError
from wizard.core.layout import ANSWERS_FILE
from wizard.tui.startup import DraftStore, facts_for_draft, saved_answers, start_facts

if TYPE_CHECKING:  # the core and questionary are loaded by the plain mode; the Textual app loads the core itself
    from wizard.plain import PromptFn
    from wizard.tui.app import WizardApp

EXIT_NOT_WRITTEN = 1
EXIT_INTERRUPTED = 130
_SETTLE_CHOICES = (
    ("mine", "Keep mine: your edits win where they collide"),
    ("new", "Take new: the generated text wins where they collide"),
    ("markers", "Markers: write both sides with conflict markers to edit by hand"),
)


def textual_can_run(stdin: TextIO, out: TextIO) -> bool:
    """True when both ends are a terminal that is not TERM=dumb."""
    term = os.environ.get("TERM", "")
    ttys = all(getattr(stream, "isatty", lambda: False)() for stream in (stdin, out))
    return ttys and term not in ("", "dumb", "unknown")


def init(args: argparse.Namespace, stdin: TextIO, out: TextIO, *, prompt: PromptFn | None = None) -> int:
    """Run the interview, then plan, preview, confirm and write; `prompt` replaces the plain mode's prompts."""
    repo = Path(args.repo).resolve()
    if not repo.is_dir():
        raise InputError(f"--repo: {args.repo} is not a folder")
    saved = saved_answers(repo)
    if getattr(args, "plain", False) or prompt is not None or not textual_can_run(stdin, out):
        from wizard.plain import QuestionaryPrompt

        return run_plain_mode(repo, start_facts(repo, saved), saved, out, prompt or QuestionaryPrompt())
    app = open_app(repo, saved)
    try:
        code = app.run()
    finally:
        app.release()
        if _collect_again in app.when_drawn:  # closed before its first screen was drawn: the collector runs again
            _collect_again()
    if app.failure is not None:
        raise app.failure  # a folder that cannot be read: reported like any other command's error (exit 2)
    code = EXIT_NOT_WRITTEN if code is None else int(code)
    if code != 0:
        kept = app.store.load() is not None
        tail = "; your answers are kept, the next start offers to resume" if kept else ""
        print(f"{'interrupted: ' if code == EXIT_INTERRUPTED else ''}nothing written{tail}", file=out)
    return code


def open_app(repo: Path, saved: dict[str, Any] | None) -> WizardApp:
    """The Textual app, with the repository already being read: by a child forked before Textual is imported
    (it reads on the other core while the app starts), else in a thread once the first screen is up. The
    caller runs the app, then `release()`s it (the child never outlives it)."""
    from wizard.tui.reader import ForkedReader

    reader = ForkedReader.start(repo, saved)
    held = _hold_collector()
    from wizard.tui.app import make_app  # Textual is loaded only here, after the fork

    app = make_app(repo, scanner=reader or start_facts)
    if held:
        app.when_drawn.append(_collect_again)
    return app


def _hold_collector() -> bool:
    """Switch the cyclic garbage collector off until the first screen is drawn (True if it was on).

    Importing Textual and building the first screen leave ~75,000 objects the collector tracks, nearly all living
    as long as the app; meanwhile it would walk them again and again (each full pass visits every one) for almost
    no garbage (measured: ~10% of the parent's CPU to the first question). Then `_collect_again` freezes them
    (never walked again) and switches it back on. The reading child is forked before: it keeps the collector.
    """
    if not gc.isenabled():
        return False
    gc.disable()
    return True


def _collect_again() -> None:
    """After the first screen: what was allocated so far is kept out of the collector's walks, and it runs again."""
    gc.freeze()
    gc.enable()


def _yes_no(prompt: PromptFn, id: str, message: str, default: bool = True) -> bool:
    """A yes/no through the prompt function; cancelling counts as no."""
    from wizard.plain import PromptRequest

    answer = prompt(PromptRequest(id=id, kind="confirm", message=message, text=message, default=default))
    return bool(answer) and answer != "?"


def run_plain_mode(repo: Path, facts: dict[str, Any], saved: dict[str, Any] | None, out: TextIO, prompt: PromptFn) -> int:
    """The questionary interview, then the printed preview, a confirmation and the write."""
    from wizard.commands.output import print_diffs, print_findings, print_preview
    from wizard.commands.run import check_builds
    from wizard.core.model import ChangeKind
    from wizard.core.pipeline import build, load_answers, settle_conflicts, write
    from wizard.core.pipeline import facts as scan_facts
    from wizard.core.plan.export import to_tree
    from wizard.core.resolve.draft import DraftResolver
    from wizard.core.resolve.known import EVERY_TOPIC
    from wizard.interview.model import Choice, load_questions
    from wizard.interview.saved import draft_from_answers
    from wizard.plain import InterviewCancelled, PromptRequest, run_plain

    store = DraftStore(repo)
    questions = load_questions()
    draft = store.load()
    if draft is not None and not _yes_no(prompt, "resume", f"Resume the interview you left ({len(draft['answers'])} answers)?"):
        draft = None
    if draft is None and saved is not None and _yes_no(prompt, "saved", f"Start from your saved answers in {ANSWERS_FILE}?"):
        draft = draft_from_answers(questions, facts, saved)
    start = dict((draft or {}).get("answers") or {})
    if draft is not None:
        facts = facts_for_draft(repo, facts, draft)
    candidates = facts.get("candidates")
    try:
        answers = run_plain(facts, prompt=prompt, draft=draft, questions=questions,
                            rescan=lambda source: scan_facts(repo, source, candidates))
    except InterviewCancelled as cancelled:
        kept = bool(cancelled.draft["answers"]) and cancelled.draft["answers"] != start
        if kept:
            store.save(cancelled.draft)
        tail = "; your answers are kept, the next start offers to resume" if kept else ""
        print(f"\ninterview left: nothing written{tail}", file=out)
        return EXIT_INTERRUPTED
    store.save(draft_from_answers(questions, facts, answers))  # declining the write keeps the answers
    known = DraftResolver(repo).known(answers, EVERY_TOPIC)  # what the Textual app's side panel shows
    print("What I know:", *(f"  {line}" for line in known.lines()), sep="\n", file=out)
    loaded, inventory = load_answers(repo, answers, "your answers")
    outcome = build(repo, loaded, inventory)
    for conflict in outcome.conflicts:
        choice = prompt(PromptRequest(
            id="conflict", kind="select", message=f"{conflict.path}: {conflict.note}. Settle it how?",
            text=conflict.path, default="mine", choices=tuple(Choice(*c) for c in _SETTLE_CHOICES),
        ))
        if choice is None:
            print("nothing written", file=out)
            return EXIT_NOT_WRITTEN
        outcome = settle_conflicts(outcome, choice, {conflict.path})
    print(to_tree(outcome.plan), file=out)
    print_preview(outcome, out, diffs=False)
    print_findings(outcome.plan.findings, out)
    if any(c.kind is not ChangeKind.UNCHANGED for c in outcome.plan.changes) and _yes_no(
        prompt, "diffs", "Show the diff of every file?", default=False
    ):
        print_diffs(outcome, out)
    if outcome.plan.blocking:
        raise BlockingError(f"{len(outcome.plan.blocking)} blocking finding(s): nothing written")
    pending = [c for c in outcome.plan.changes if c.kind is not ChangeKind.UNCHANGED]
    if not pending:
        print("nothing to change", file=out)
        return 0
    check_builds(repo, outcome, out)
    if not _yes_no(prompt, "write", f"Write {len(pending)} file(s)?"):
        print("nothing written; your answers are kept, the next start offers to resume", file=out)
        return EXIT_NOT_WRITTEN
    written = write(repo, outcome)
    store.clear()
    print(f"wrote {len(written)} file(s); next: review MIGRATION.md, then `k8s-wizard validate`", file=out)
    return 0
