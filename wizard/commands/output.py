"""Printing the preview and findings, and asking for confirmation, on a plain terminal."""

from __future__ import annotations

from typing import TextIO

from wizard.core.model import ChangeKind, Finding, Level
from wizard.core.pipeline import Outcome
from wizard.core.write.changes import summary

MARK = {
    ChangeKind.CREATE: "create",
    ChangeKind.CHANGE: "change",
    ChangeKind.UNCHANGED: "unchanged",
    ChangeKind.REMOVE: "remove",
    ChangeKind.CONFLICT: "CONFLICT",
}


def print_findings(findings: tuple[Finding, ...] | list[Finding], out: TextIO, *, minimum: Level = Level.WARNING) -> None:
    order = [Level.ERROR, Level.WARNING, Level.INFO]
    shown = [f for f in findings if order.index(f.level) <= order.index(minimum)]
    for f in sorted(shown, key=lambda f: order.index(f.level)):
        where = f" ({f.path})" if f.path else ""
        print(f"{f.level.value}: {f.code}{where}: {f.message}", file=out)


def print_preview(outcome: Outcome, out: TextIO, *, diffs: bool = True) -> None:
    """Every file with what a write does to it, then a unified diff of each change."""
    changes = outcome.plan.changes
    print(f"Preview for {outcome.answers.app}: {' -> '.join(outcome.plan.environments)}", file=out)
    for c in changes:
        note = f"  ({c.note})" if c.note else ""
        print(f"  {MARK[c.kind]:<9} {c.path}{note}", file=out)
    if diffs:
        print_diffs(outcome, out)
    print(summary(list(changes)), file=out)


def print_diffs(outcome: Outcome, out: TextIO) -> None:
    """A unified diff of each change (conflicts with their markers)."""
    for c in outcome.plan.changes:
        if c.kind in (ChangeKind.CREATE, ChangeKind.CHANGE, ChangeKind.REMOVE):
            out.write(c.diff())
        elif c.kind is ChangeKind.CONFLICT:
            print(f"--- conflict in {c.path}: {c.note} ({c.conflicts} region(s)); on disk vs new:", file=out)
            from wizard.core.write.merge import with_markers

            if c.generated is not None and c.base:
                out.write(with_markers(c.base, c.old or "", c.generated))


def confirm(question: str, stdin: TextIO, out: TextIO) -> bool:
    """Ask yes/no on the terminal; anything but y/yes is no."""
    out.write(f"{question} [y/N] ")
    out.flush()
    answer = stdin.readline()
    return answer.strip().lower() in ("y", "yes")
