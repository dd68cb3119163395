"""The data that flows through the pipeline: findings, plan, file changes.

Scan -> answers -> plan -> render -> preview -> write -> validate. Every stage hands the next one
plain, immutable values from this module; nothing here knows about a user interface.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from enum import StrEnum


class Level(StrEnum):
    """How much a finding matters: an error blocks `apply`, a warning needs a reviewer's eye."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class Finding:
    """Something a reviewer must know about the migration (a risk, a decision the tool made)."""

    level: Level
    code: str
    message: str
    path: str | None = None
    environment: str | None = None


@dataclass(frozen=True)
class Step:
    """One step of a phase: what to do, why, and the exact commands."""

    title: str
    detail: str = ""
    commands: tuple[str, ...] = ()
    files: tuple[str, ...] = ()


@dataclass(frozen=True)
class Phase:
    """A phase of the migration (prepare base, create staging, migrate production, clean up)."""

    title: str
    summary: str
    steps: tuple[Step, ...] = ()


class ChangeKind(StrEnum):
    """What a write would do to one file."""

    CREATE = "create"
    CHANGE = "change"
    UNCHANGED = "unchanged"
    REMOVE = "remove"
    CONFLICT = "conflict"


@dataclass(frozen=True)
class FileChange:
    """One file of the preview: its path relative to the repo, what is on disk, what would be written."""

    path: str
    kind: ChangeKind
    old: str | None
    new: str | None
    note: str = ""
    base: str | None = None
    """What the tool generated last time (for a three-way merge), when it has a record."""
    generated: str | None = None
    """What the tool generates now, before any merge with hand edits."""
    conflicts: int = 0
    """How many regions a hand edit and the new generation both changed (kind CONFLICT)."""

    def diff(self) -> str:
        """A unified diff of the change ('' for an unchanged file)."""
        if self.kind is ChangeKind.UNCHANGED:
            return ""
        old = (self.old or "").splitlines(keepends=True)
        new = (self.new or "").splitlines(keepends=True)
        lines = difflib.unified_diff(
            old,
            new,
            fromfile="/dev/null" if self.old is None else f"a/{self.path}",
            tofile="/dev/null" if self.new is None else f"b/{self.path}",
        )
        return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)


@dataclass(frozen=True)
class Plan:
    """The migration plan: phases with steps, every finding, and the file changes it implies."""

    app: str
    environments: tuple[str, ...]
    phases: tuple[Phase, ...]
    findings: tuple[Finding, ...]
    changes: tuple[FileChange, ...] = field(default=())
    first_deployment: bool = False
    """A new app: nothing runs today, so the plan is a first deployment, not a migration."""

    @property
    def blocking(self) -> tuple[Finding, ...]:
        """The error-level findings: `apply` refuses to write while there are any."""
        return tuple(f for f in self.findings if f.level is Level.ERROR)
