"""Three-way merge for re-generating files the user may have edited: `git merge-file`, as copier does.

`base` is what the tool generated last time, `ours` is what is on disk now (the user's version) and
`theirs` is what the tool would generate now. git's own merge (`git merge-file --diff3`; git is a given in a
GitOps repository) decides: a change made on one side only is taken, the same change made on both sides is
taken once, and changes whose base ranges overlap or touch conflict. Lines keep their endings, so CRLF files
and a missing final newline survive a merge. This module only runs git on temporary copies and reads its
answer: the merged text, the conflicts (parsed from diff3 markers), or the merge settled one way.

Why not a Python library: `merge3` (PyPI) pairs hunks differently from git (adjacent edits merge cleanly
there, they conflict in git), so a file would merge one way here and another in `git merge`; the previous
hand-written port of xdiff was 459 lines to keep in step with git by hand.
"""

from __future__ import annotations

import functools
import os
import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from wizard.core.errors import InputError, WizardError

__all__ = [
    "MARK_BASE",
    "MARK_OURS",
    "MARK_SEP",
    "MARK_THEIRS",
    "Conflict",
    "MergeResult",
    "merge3",
    "resolve",
    "with_markers",
]

LABEL_OURS, LABEL_BASE, LABEL_THEIRS = "yours (on disk)", "generated last time", "k8s-wizard (new)"
MARK_OURS = f"<<<<<<< {LABEL_OURS}"
MARK_BASE = f"||||||| {LABEL_BASE}"
MARK_SEP = "======="
MARK_THEIRS = f">>>>>>> {LABEL_THEIRS}"

_LINE = re.compile(r"[^\n]*\n|[^\n]+")
_MARKER_RUN = re.compile(r"^([<|=>])\1*", re.MULTILINE)


@dataclass(frozen=True)
class Conflict:
    """One conflicting region. The line tuples hold the region's lines without their line endings."""

    line: int
    ours: tuple[str, ...]
    theirs: tuple[str, ...]
    base: tuple[str, ...]


@dataclass(frozen=True)
class MergeResult:
    """The merged text (each conflict region holds the user's lines) and the conflicts found."""

    text: str
    conflicts: tuple[Conflict, ...]

    @property
    def clean(self) -> bool:
        """True when the merge needed no decision."""
        return not self.conflicts


@functools.lru_cache(maxsize=128)
def _git_merge_file(base: str, ours: str, theirs: str, *options: str) -> tuple[str, int]:
    """`git merge-file -p --diff3 OPTIONS` on temporary copies: (output, number of conflicts).

    Kept by its inputs (the merge reads nothing else, git's configuration is left out): the preview, the settling
    of a conflict and the next run of a process merge the same three texts again.
    """
    # Without the user's or the system's git configuration: the same merge on every machine.
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}
    with tempfile.TemporaryDirectory(prefix="k8s-wizard-merge-") as tmp:
        paths = []
        for name, text in (("ours", ours), ("base", base), ("theirs", theirs)):
            path = Path(tmp) / name
            path.write_bytes(text.encode("utf-8"))
            paths.append(str(path))
        labels = ["-L", LABEL_OURS, "-L", LABEL_BASE, "-L", LABEL_THEIRS]
        try:
            proc = subprocess.run(
                ["git", "merge-file", "-p", "--diff3", *options, *labels, *paths],
                capture_output=True, env=env, check=False,
            )
        except FileNotFoundError:
            raise WizardError("merging your edits with the new output needs git (`git merge-file`): install git") from None
    if not 0 <= proc.returncode <= 127:  # negative (as 128..255) on error, else the number of conflicts
        detail = proc.stderr.decode("utf-8", "replace").strip()
        raise WizardError(f"git merge-file failed: {detail or f'exit {proc.returncode}'}")
    return proc.stdout.decode("utf-8"), proc.returncode


def _marker_size(*texts: str) -> int:
    """A conflict-marker length no line of the inputs starts with, so markers are found exactly."""
    longest = max((len(m.group(0)) for text in texts for m in _MARKER_RUN.finditer(text)), default=0)
    return max(7, longest + 1)


def _strip(lines: list[str]) -> tuple[str, ...]:
    """Lines without their terminators."""
    return tuple(line.removesuffix("\n").removesuffix("\r") for line in lines)


def _conflicts(marked: str, size: int) -> tuple[Conflict, ...]:
    """The conflicts in diff3-marked text, with their first line in the merge that keeps the user's lines."""

    def is_marker(line: str, char: str) -> bool:
        return line.startswith(char * size) and line[size : size + 1] in ("", " ", "\n", "\r")

    found: list[Conflict] = []
    line_no = 0
    lines = _LINE.findall(marked)
    i = 0
    while i < len(lines):
        if not is_marker(lines[i], "<"):
            line_no += 1
            i += 1
            continue
        sides: dict[str, list[str]] = {"ours": [], "base": [], "theirs": []}
        side = "ours"
        i += 1
        while i < len(lines) and not is_marker(lines[i], ">"):
            if is_marker(lines[i], "|"):
                side = "base"
            elif is_marker(lines[i], "="):
                side = "theirs"
            else:
                sides[side].append(lines[i])
            i += 1
        i += 1
        found.append(Conflict(line_no + 1, _strip(sides["ours"]), _strip(sides["theirs"]), _strip(sides["base"])))
        line_no += len(sides["ours"])
    return tuple(found)


def merge3(base: str, ours: str, theirs: str) -> MergeResult:
    """Three-way merge; conflict regions keep the user's (`ours`) lines and are listed in `conflicts`."""
    if ours == base or ours == theirs:
        return MergeResult(theirs, ())
    if theirs == base:
        return MergeResult(ours, ())
    size = _marker_size(base, ours, theirs)
    marked, count = _git_merge_file(base, ours, theirs, f"--marker-size={size}")
    if count == 0:
        return MergeResult(marked, ())
    text, _ = _git_merge_file(base, ours, theirs, "--ours")
    return MergeResult(text, _conflicts(marked, size))


def with_markers(base: str, ours: str, theirs: str) -> str:
    """The merge with git-style (diff3) conflict markers around every conflict."""
    return _git_merge_file(base, ours, theirs)[0]


def resolve(base: str, ours: str, theirs: str, choice: Literal["mine", "new", "markers"]) -> str:
    """The merge with every conflict settled the same way: the user's lines, the new lines, or markers."""
    if choice == "markers":
        return with_markers(base, ours, theirs)
    if choice not in ("mine", "new"):
        raise InputError(f"unknown conflict resolution {choice!r}: expected 'mine', 'new' or 'markers'")
    return _git_merge_file(base, ours, theirs, "--ours" if choice == "mine" else "--theirs")[0]
