"""The preview: what a write would do to each file, with hand edits merged three ways.

For every file the tool renders it compares three texts: what it generated last time (the record
in `.k8s-wizard/generated.json`), what is on disk now, and what it generates now. An untouched file
is simply replaced; a hand-edited one is merged, so edits that do not collide with the change are
kept; a collision is a conflict for the user to settle. A file the tool never generated is never
touched, and one the user deleted is reported, not recreated.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Literal

from wizard.core.errors import InputError
from wizard.core.layout import STATE_FILE
from wizard.core.model import ChangeKind, FileChange
from wizard.core.write.merge import merge3, resolve


def read_state(repo: Path) -> dict[str, str]:
    """What the tool generated last time, by path ({} before the first apply)."""
    path = repo / STATE_FILE
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        files = data["files"]
        assert isinstance(files, dict)
        return {str(k): str(v) for k, v in files.items()}
    except (ValueError, KeyError, AssertionError):
        raise InputError(f"{STATE_FILE}: unreadable record of generated files; delete it to start over") from None


def state_text(generated: dict[str, str]) -> str:
    """The record written after a successful apply (sorted: byte-identical for the same input)."""
    return json.dumps({"version": 1, "files": dict(sorted(generated.items()))}, indent=1, sort_keys=False) + "\n"


def _read(repo: Path, rel: str) -> str | None:
    path = repo / rel
    if not path.is_file():
        return None
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        return None


def preview(
    repo: Path,
    rendered: dict[str, str],
    *,
    owned_prefixes: tuple[str, ...] = (),
    bases: dict[str, str] | None = None,
) -> list[FileChange]:
    """Every file a write would touch, classified, sorted by path.

    `bases` gives, for some paths, the merge base to use instead of the record (the answers file is
    merged against its own normalized text, so comments and formatting in it are the user's edits).
    """
    state = read_state(repo)
    bases = bases or {}
    changes: list[FileChange] = []
    for rel in sorted(rendered):
        disk = _read(repo, rel)
        base = bases.get(rel, state.get(rel)) if disk is not None else state.get(rel)
        changes.append(classify(rel, disk, base, rendered[rel]))
    for rel in sorted(set(state) - set(rendered)):
        disk = _read(repo, rel)
        if disk is not None:
            changes.append(classify(rel, disk, state[rel], None))
    return changes


def classify(path: str, disk: str | None, base: str | None, new: str | None) -> FileChange:
    """What a write does to one file, from what is on disk, what was generated last time and what is generated now.

    `new` None: the file is no longer generated. `base` None: the tool has no record of generating it.
    """

    def change(kind: ChangeKind, result: str | None, note: str = "", conflicts: int = 0) -> FileChange:
        return FileChange(path, kind, disk, result, note, base, new, conflicts)

    if new is None:  # no longer generated: remove it, unless the user edited it
        if disk == base:
            return change(ChangeKind.REMOVE, None, "no longer generated")
        return change(ChangeKind.CONFLICT, None, "no longer generated, but you edited it", 1)
    if disk is None:
        if base is not None:
            return change(ChangeKind.UNCHANGED, None, "you deleted it; not recreated")
        return change(ChangeKind.CREATE, new)
    if disk == new:
        return change(ChangeKind.UNCHANGED, new)
    if base is None:
        return replace(change(ChangeKind.CONFLICT, new, "exists and was not written by k8s-wizard", 1), base="")
    if disk == base:
        return change(ChangeKind.CHANGE, new)
    merged = merge3(base, disk, new)
    if merged.clean:
        return change(ChangeKind.UNCHANGED if merged.text == disk else ChangeKind.CHANGE, merged.text, "your edits kept")
    return change(ChangeKind.CONFLICT, new, "your edits collide with the change", len(merged.conflicts))


Choice = Literal["mine", "new", "markers"]


def settle(change: FileChange, choice: Choice) -> FileChange:
    """A conflict resolved the user's way: keep mine, take new, or write conflict markers."""
    if change.kind is not ChangeKind.CONFLICT:
        return change
    disk = change.old or ""
    if change.generated is None:  # no longer generated, edited: keep it or delete it
        if choice == "new":
            return FileChange(change.path, ChangeKind.REMOVE, change.old, None, "removed (took new)", change.base)
        return FileChange(change.path, ChangeKind.UNCHANGED, change.old, change.old, "kept (yours)", change.base)
    if choice == "mine":
        merged = resolve(change.base or "", disk, change.generated, "mine") if change.base else disk
    elif choice == "new":
        merged = resolve(change.base or "", disk, change.generated, "new") if change.base else change.generated
    else:
        merged = resolve(change.base or "", disk, change.generated, "markers")
    kind = ChangeKind.UNCHANGED if merged == disk else ChangeKind.CHANGE
    return FileChange(change.path, kind, change.old, merged, f"conflict settled: {choice}", change.base, change.generated)


def summary(changes: list[FileChange]) -> str:
    """'3 to create, 1 to change, 0 to remove, 12 unchanged, 1 conflict'."""
    count = {k: sum(1 for c in changes if c.kind is k) for k in ChangeKind}
    parts = [
        f"{count[ChangeKind.CREATE]} to create",
        f"{count[ChangeKind.CHANGE]} to change",
        f"{count[ChangeKind.REMOVE]} to remove",
        f"{count[ChangeKind.UNCHANGED]} unchanged",
    ]
    if count[ChangeKind.CONFLICT]:
        parts.append(f"{count[ChangeKind.CONFLICT]} in conflict")
    return ", ".join(parts)
