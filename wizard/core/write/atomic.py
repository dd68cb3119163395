"""Write the previewed changes: all files or none, inside the repository only, whatever happens.

The protocol (a journal in `.k8s-wizard/txn/`, see journal.py for recovery):

1. Stage: every new content is written and fsynced to `.k8s-wizard/txn/<n>.new`. Nothing in the tree
   has changed yet; a crash leaves only the staging folder, which the next run deletes.
2. Journal: `journal.json` lists every switch (path, staged file and its inode, backup name, folders
   to create). From here on a crash is undone by the next run (journal.recover) before anything else.
3. Switch: per file, the old file is renamed into the staging folder as its backup and compared with
   what the preview read (a file edited since is a conflict: everything is put back, exit 1), then the
   staged file is linked into place (a file created meanwhile is a conflict too).
4. Commit: the journal is marked committed; backups and the staging folder are deleted.

Every path is reached from a descriptor of the repository root without following a symlink (tree.py),
SIGINT/SIGTERM/SIGHUP are held until a safe point (then everything is undone and the run exits 130),
and an OS error (disk full, read-only, permission, a file where a folder goes) undoes everything and is
reported as bad input (exit 2) with no temporary file left behind.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from wizard.core.errors import BlockingError, InputError, WizardError
from wizard.core.model import ChangeKind, FileChange
from wizard.core.write import journal
from wizard.core.write.journal import Entry, Journal, Signals, locked
from wizard.core.write.tree import Tree, parts_of, read_bytes

_REASONS = {
    errno.ENOSPC: "no space left on the device",
    errno.EDQUOT: "the disk quota is exceeded",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted (an immutable file or folder?)",
    errno.ENOTDIR: "a file stands where a folder must go",
    errno.EISDIR: "a folder stands where a file must go",
    errno.ELOOP: "a folder on the way became a symbolic link",
    errno.ENAMETOOLONG: "the name is too long",
}


def os_problem(exc: OSError, rel: str) -> InputError:
    """An OS error as a message the user can act on (exit 2)."""
    reason = _REASONS.get(exc.errno or 0, exc.strerror or exc.__class__.__name__)
    return InputError(f"cannot write {rel}: {reason}. Nothing was written.")


def _real_rel(root: Path, rel: str, resolved: dict[str, str] | None = None) -> str:
    """The path with symlinked folders inside the repository resolved; refuses one that leads outside.

    `root` is resolved already; `resolved` keeps the folders resolved so far in one write (its files share a few).
    """
    parts_of(rel)
    folder, _, name = rel.rstrip("/").rpartition("/")
    if resolved is None:
        resolved = {}
    if folder not in resolved:
        resolved[folder] = os.path.realpath(os.path.join(root, folder)) if folder else str(root)
    parent = resolved[folder]
    top = str(root)
    if parent == top:
        return name
    inside = top.rstrip("/") + "/"
    if not parent.startswith(inside):
        raise InputError(f"{rel}: refusing to write through a symlink that leads outside the repository")
    return f"{parent[len(inside):]}/{name}"


def write_changes(repo: Path, changes: list[FileChange], extra: dict[str, str] | None = None) -> list[str]:
    """Apply the changes (creates, changes, removes; conflicts must be settled first). Returns the paths written.

    `extra` maps paths to contents written only when they differ from the disk (the generated-files record).
    """
    if any(c.kind is ChangeKind.CONFLICT for c in changes):
        raise WizardError("unsettled conflicts: nothing written")
    pending = [c for c in changes if c.kind in (ChangeKind.CREATE, ChangeKind.CHANGE, ChangeKind.REMOVE)]
    root = repo.resolve()
    try:
        with Tree.open(root) as tree, locked(tree), Signals() as signals:
            journal.recover_locked(tree)
            entries: list[Entry] = []
            resolved: dict[str, str] = {}
            contents: list[bytes | None] = []
            expected: list[bytes | None] = []
            for c in pending:
                op = "remove" if c.kind is ChangeKind.REMOVE else "write"
                entries.append(_entry(tree, root, c.path, op, len(entries), resolved))
                contents.append(None if c.kind is ChangeKind.REMOVE else (c.new or "").encode("utf-8"))
                expected.append(c.old.encode("utf-8") if c.kind is not ChangeKind.CREATE and c.old is not None else None)
            for rel, text in (extra or {}).items():
                entry = _entry(tree, root, rel, "write", len(entries), resolved)
                current = None
                if tree.lstat(entry.parts) is not None:
                    with tree.folder(entry.parts[:-1]) as fd:
                        current = read_bytes(fd, entry.parts[-1])
                if current == text.encode("utf-8"):
                    continue
                entries.append(entry)
                contents.append(text.encode("utf-8"))
                expected.append(current)
            if not entries:
                return []
            Journal(tree, entries, signals).run(contents, expected)
    except OSError as exc:
        raise os_problem(exc, journal.current_path() or str(exc.filename or repo)) from None
    return sorted(e.shown for e in entries)


def check_targets(repo: Path, paths: list[str]) -> None:
    """Before the preview goes on: every path can be written (inside the repository, no symlink on the way,
    no file where a folder goes, no folder or link where the file goes). InputError (exit 2) otherwise."""
    root = repo.resolve()
    try:
        with Tree.open(root) as tree:
            resolved: dict[str, str] = {}
            for index, rel in enumerate(paths):
                _entry(tree, root, rel, "write", index, resolved)
    except OSError as exc:
        raise os_problem(exc, str(exc.filename or repo)) from None


def _entry(tree: Tree, root: Path, rel: str, op: str, index: int, resolved: dict[str, str] | None = None) -> Entry:
    """One switch to make, checked: the path is inside the repository, its folders are folders (`resolved`: see
    `_real_rel`)."""
    real = _real_rel(root, rel, resolved)
    parts = parts_of(real)
    folders = tree.missing_folders(parts)
    info = None if folders else tree.lstat(parts)
    if info is not None and stat.S_ISLNK(info.st_mode):
        raise InputError(f"{rel}: is a symbolic link; k8s-wizard replaces regular files only, never a link")
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise InputError(f"{rel}: is a folder where k8s-wizard writes a file")
    mode = 0o755 if rel.endswith(".sh") else 0o644
    return Entry(shown=rel, path=real, op=op, staged=f"{index}.new", backup=f"{index}.old", mode=mode, folders=folders)


__all__ = ["BlockingError", "os_problem", "write_changes"]
