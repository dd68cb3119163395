"""`apply`, `plan` and `validate`: the non-interactive engine on the command line."""

from __future__ import annotations

import argparse
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Literal, TextIO

from wizard.commands.output import confirm, print_findings, print_preview
from wizard.core.answers.parse import ANSWERS_FILE, read_answers_file
from wizard.core.errors import BlockingError, InputError
from wizard.core.kustomize import Build
from wizard.core.layout import STATE_FILE
from wizard.core.model import ChangeKind, Level
from wizard.core.pipeline import Outcome, build, build_errors, read_answers, settle_conflicts, write
from wizard.core.plan.export import to_json, to_markdown, to_tree
from wizard.core.validate.checks import validate as run_validate
from wizard.core.validate.placeholders import in_files as placeholder_files
from wizard.core.write.atomic import write_changes
from wizard.core.write.changes import Choice, read_state
from wizard.core.write.plan_output import plan_output


def _repo(args: argparse.Namespace) -> Path:
    repo = Path(args.repo).resolve()
    if not repo.is_dir():
        raise InputError(f"--repo: {args.repo} is not a folder")
    return repo


def finish(repo: Path, outcome: Outcome, args: argparse.Namespace, stdin: TextIO, out: TextIO) -> int:
    """Preview, settle conflicts, confirm and write: shared by apply, add-env and remove-env."""
    conflicts_choice: Choice | Literal["fail"] = getattr(args, "conflicts", "fail")
    marked = [c.path for c in outcome.conflicts] if conflicts_choice == "markers" else []
    if outcome.conflicts and conflicts_choice != "fail":
        outcome = settle_conflicts(outcome, conflicts_choice)
    print_preview(outcome, out)
    print_findings(outcome.plan.findings, out)
    if outcome.plan.blocking:
        raise BlockingError(f"{len(outcome.plan.blocking)} blocking finding(s): nothing written")
    if outcome.conflicts:
        paths = ", ".join(c.path for c in outcome.conflicts)
        raise BlockingError(
            f"your edits collide with the change in: {paths}. Nothing written. Re-run with --conflicts mine|new|markers "
            "(or run `k8s-wizard` to choose per file)."
        )
    pending = [c for c in outcome.plan.changes if c.kind is not ChangeKind.UNCHANGED]
    dry_run = bool(getattr(args, "dry_run", False))
    if marked:
        # Conflict markers were asked for: the files are for a person to finish, and do not build until then.
        print(f"build check skipped: conflict markers written on request in {', '.join(marked)}", file=out)
    elif dry_run and not getattr(args, "build", False):
        # A dry run shows what would change; building every overlay costs several kustomize builds, so it is asked for.
        print("build check skipped in a dry run: a write builds every overlay first (--dry-run --build builds now)", file=out)
    else:
        check_builds(repo, outcome, out)
    if dry_run:
        print("dry run: nothing written", file=out)
        return 0
    if not pending:
        print("nothing to change", file=out)
        write(repo, outcome)  # refresh the record only if it differs; write() is atomic and idempotent
        return 0
    if not args.yes:
        if not stdin.isatty():
            print("no terminal to confirm on and no --yes: nothing written", file=out)
            return 1
        if not confirm(f"Write {len(pending)} file(s)?", stdin, out):
            print("nothing written", file=out)
            return 1
    written = write(repo, outcome)
    print(f"wrote {len(written)} file(s); next: review MIGRATION.md, then `k8s-wizard validate`", file=out)
    return 0


def check_builds(repo: Path, outcome: Outcome, out: TextIO) -> None:
    """The real kustomize build of every overlay as the write would leave it (the preview's check) gates the write.

    No command writes an overlay that does not build: a failed build or one that prints a warning is exit 1 with
    nothing written (`validate` reports the other checks). Each overlay's line is printed as its build finishes.
    """
    _, errors = build_errors(repo, outcome, on_done=progress(out, "  ", ("builds", "FAILS"), width=7))
    if errors:
        print_findings(errors, out)
        raise BlockingError(f"{len(errors)} overlay build error(s): the result would not build. Nothing written.")


def progress(out: TextIO, indent: str, words: tuple[str, str], width: int) -> Callable[[Build], None]:
    """A callback printing one line per finished build (ok or not, objects, seconds or `unchanged`)."""
    lock = threading.Lock()

    def done(b: Build) -> None:
        status = words[0] if b.ok and not b.stderr else words[1]
        timing = "inputs unchanged, not rebuilt" if b.reused else f"{b.seconds:.1f} s"
        with lock:
            print(f"{indent}{status:<{width}} {b.path} ({len(b.objects)} objects, {timing})", file=out)
            out.flush()

    return done


def apply(args: argparse.Namespace, stdin: TextIO, out: TextIO) -> int:
    repo = _repo(args)
    answers, inventory = read_answers(repo, args.answers)
    outcome = build(repo, answers, inventory)
    return finish(repo, outcome, args, stdin, out)


def plan(args: argparse.Namespace, stdin: TextIO, out: TextIO) -> int:
    repo = _repo(args)
    answers, inventory = read_answers(repo, args.answers)
    outcome = build(repo, answers, inventory)
    render = {"markdown": to_markdown, "tree": to_tree, "json": to_json}[args.format]
    text = render(outcome.plan)
    if args.output:
        owned = {ANSWERS_FILE, STATE_FILE, *outcome.rendered, *read_state(repo)}
        if args.answers is not None and Path(args.answers).resolve().is_relative_to(repo):
            owned.add(Path(args.answers).resolve().relative_to(repo).as_posix())
        changes, extra, rel = plan_output(repo, str(args.output), text, source=answers.source, owned=owned)
        write_changes(repo, changes, extra=extra)
        print(f"wrote {rel}", file=out)
    else:
        out.write(text)
    return 1 if outcome.plan.blocking else 0


def validate(args: argparse.Namespace, stdin: TextIO, out: TextIO) -> int:
    repo = _repo(args)
    output = "k8s"
    answers_path = repo / ANSWERS_FILE
    answers = None
    if answers_path.is_file():
        data = read_answers_file(answers_path)
        if isinstance(data, dict) and data.get("output"):
            output = str(data["output"])
        if isinstance(data, dict) and data.get("helm") is not None:
            answers = read_answers(repo, answers_path)[0]  # a Helm app's checks compare with today's release
    builds, findings = run_validate(repo, output, answers, on_done=progress(out, "", ("ok", "FAILED"), width=6))
    findings = [*findings, *placeholder_files(repo, output)]  # written files only: the preview's check allows them
    print_findings(findings, out, minimum=Level.INFO)
    errors = [f for f in findings if f.level is Level.ERROR]
    print(f"{len(builds)} overlay(s) built, {len(errors)} error(s)", file=out)
    return 1 if errors else 0
