"""The write journal: a transaction over many files that a crash at any instant cannot leave half done.

`.k8s-wizard/txn/` holds the staged contents (`<n>.new`), the backups of replaced or removed files
(`<n>.old`) and `journal.json`. Before anything else, every command runs `recover`: a staging folder
without a journal is deleted (the tree was never touched); a journal still `switching` is rolled back
(backups renamed back, files it created removed, folders it made removed); a `committed` journal is
finished (backups deleted). Either way the tree is entirely old or entirely new, and no temporary file
remains. A lock (flock on the repository folder) keeps two writers, or a writer and a recovery, apart.

`K8S_WIZARD_FAULT=kill:N` (SIGKILL itself) or `sigint:N` (two SIGINTs) at step N of a write exists for
the crash tests (tests/test_write_crash.py, scripts/harden_campaign.py).
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import signal
import stat
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

from wizard.core.errors import BlockingError, InputError
from wizard.core.write.tree import Tree, fsync_dir, parts_of, read_bytes, write_new

STATE_FOLDER = ".k8s-wizard"
TXN = (STATE_FOLDER, "txn")
JOURNAL = "journal.json"
FAULT_ENV = "K8S_WIZARD_FAULT"
_HELD_SIGNALS = tuple(s for s in (signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGHUP", None)) if s is not None)
_current: list[str] = []  # the path being switched, for error messages


def current_path() -> str | None:
    """The file the last failing write was at (for the error message)."""
    return _current[-1] if _current else None


@dataclass
class Entry:
    """One file to switch: write (create or replace) or remove."""

    shown: str  # the path as the caller named it
    path: str  # the same, with symlinked folders inside the repository resolved
    op: str  # "write" | "remove"
    staged: str
    backup: str
    mode: int = 0o644
    folders: list[str] | None = None  # folders to create on the way (outermost first)
    inode: tuple[int, int] | None = None  # of the staged file: a target with it is ours

    @property
    def parts(self) -> tuple[str, ...]:
        return parts_of(self.path)

    def record(self) -> dict[str, Any]:
        return {"path": self.path, "op": self.op, "staged": self.staged, "backup": self.backup,
                "inode": list(self.inode) if self.inode else None, "folders": self.folders or []}

    @classmethod
    def from_record(cls, data: dict[str, Any]) -> Entry:
        inode = data.get("inode")
        return cls(shown=str(data["path"]), path=str(data["path"]), op=str(data["op"]), staged=str(data["staged"]),
                   backup=str(data["backup"]), folders=[str(f) for f in data.get("folders") or []],
                   inode=(int(inode[0]), int(inode[1])) if inode else None)


class _Changed(Exception):
    """A file changed on disk since the preview read it."""

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.path = path


# --- signals and faults ----------------------------------------------------------------------------------


class Signals:
    """Hold SIGINT/SIGTERM/SIGHUP while files are switched; the write checks `caught` at safe points.

    Only in the main thread (Python installs handlers there only); elsewhere signals are left alone.
    """

    def __init__(self) -> None:
        self.caught: int | None = None
        self._old: dict[int, Any] = {}

    def _hold(self, signum: int, frame: FrameType | None) -> None:
        self.caught = self.caught or signum

    def __enter__(self) -> Signals:
        if threading.current_thread() is threading.main_thread():
            for sig in _HELD_SIGNALS:
                self._old[sig] = signal.signal(sig, self._hold)
        return self

    def __exit__(self, *exc: object) -> None:
        for sig, handler in self._old.items():
            signal.signal(sig, handler)


class _Faults:
    """The crash-test hook: act at step N of a write (never set outside the tests)."""

    def __init__(self) -> None:
        spec = os.environ.get(FAULT_ENV, "")
        action, _, number = spec.partition(":")
        self.action = action
        self.at = int(number) if number.isdigit() else -1
        self.step = 0

    def __call__(self) -> None:
        self.step += 1
        if self.step != self.at:
            return
        if self.action == "kill":
            os.kill(os.getpid(), signal.SIGKILL)
        elif self.action == "sigint":
            os.kill(os.getpid(), signal.SIGINT)
            os.kill(os.getpid(), signal.SIGINT)
        elif self.action == "enospc":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


# --- locking ---------------------------------------------------------------------------------------------


@contextmanager
def locked(tree: Tree) -> Iterator[None]:
    """Exclusive use of the repository for writing (released by the OS if the process dies)."""
    try:
        fcntl.flock(tree.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise BlockingError("another k8s-wizard is writing in this repository: nothing written; try again") from None
    try:
        yield
    finally:
        fcntl.flock(tree.fd, fcntl.LOCK_UN)


# --- the transaction -------------------------------------------------------------------------------------


class Journal:
    """One write, run through stage -> journal -> switch -> commit (see the module docstring of atomic.py)."""

    def __init__(self, tree: Tree, entries: list[Entry], signals: Signals) -> None:
        self.tree = tree
        self.entries = entries
        self.signals = signals
        self.fault = _Faults()
        self.made_state = False

    def _checkpoint(self) -> None:
        self.fault()
        if self.signals.caught:
            raise KeyboardInterrupt

    def run(self, contents: list[bytes | None], expected: list[bytes | None]) -> None:
        made: list[str] = []
        _current.clear()
        with self.tree.folder(TXN[:1], create=True, made=made) as state_fd:
            try:
                os.mkdir(TXN[1], 0o700, dir_fd=state_fd)
            except FileExistsError:  # left by a crash the recovery could not remove: start over
                _remove_txn(self.tree)
                os.mkdir(TXN[1], 0o700, dir_fd=state_fd)
        with self.tree.folder(TXN) as txn:
            journaled = False
            try:
                for entry, data in zip(self.entries, contents, strict=True):  # 1. stage
                    if data is not None:
                        _current.append(entry.shown)
                        info = write_new(txn, entry.staged, data, entry.mode)
                        entry.inode = (info.st_dev, info.st_ino)
                        self._checkpoint()
                _write_journal(txn, "switching", self.entries)  # 2. journal
                journaled = True
                self._checkpoint()
                for entry, want in zip(self.entries, expected, strict=True):  # 3. switch
                    _current.append(entry.shown)
                    self._switch(txn, entry, want)
                for folder in {e.parts[:-1] for e in self.entries}:
                    with self.tree.folder(folder) as fd:
                        fsync_dir(fd)
                _write_journal(txn, "committed", self.entries)  # 4. commit
            except BaseException as exc:
                if journaled:
                    _rollback(self.tree, txn, self.entries)  # _Stuck: the journal stays for the next run
                _remove_txn(self.tree)
                _remove_empty(self.tree, made)
                if isinstance(exc, _Changed):
                    raise BlockingError(
                        f"{exc.path} changed on disk while k8s-wizard was writing (a hand edit?): nothing written. "
                        "Run again to see the change in the preview."
                    ) from None
                raise
        self.fault()
        try:
            _finish(self.tree, self.entries)
        except OSError:
            pass  # the files are written; the next run's recovery removes what is left of the staging folder
        _current.clear()

    def _switch(self, txn: int, entry: Entry, want: bytes | None) -> None:
        parts = entry.parts
        with self.tree.folder(parts[:-1], create=True) as parent:
            name = parts[-1]
            try:
                os.rename(name, entry.backup, src_dir_fd=parent, dst_dir_fd=txn)
                existed = True
            except FileNotFoundError:
                existed = False
            self._checkpoint()
            if existed:
                info = os.stat(entry.backup, dir_fd=txn, follow_symlinks=False)
                if not _regular(info.st_mode) or want is None or read_bytes(txn, entry.backup) != want:
                    raise _Changed(entry.shown)
            elif want is not None and entry.op == "write":
                raise _Changed(entry.shown)  # deleted since it was read
            if entry.op == "write":
                try:
                    os.link(entry.staged, name, src_dir_fd=txn, dst_dir_fd=parent, follow_symlinks=False)
                except FileExistsError:
                    raise _Changed(entry.shown) from None
                except OSError as exc:
                    if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK):
                        raise
                    os.rename(entry.staged, name, src_dir_fd=txn, dst_dir_fd=parent)  # no hard links here
            self._checkpoint()


def _regular(mode: int) -> bool:
    return stat.S_ISREG(mode)


def _write_journal(txn: int, state: str, entries: list[Entry]) -> None:
    data = json.dumps({"version": 1, "state": state, "entries": [e.record() for e in entries]}, indent=1).encode()
    try:
        os.unlink("journal.tmp", dir_fd=txn)
    except FileNotFoundError:
        pass
    write_new(txn, "journal.tmp", data, 0o600)
    os.rename("journal.tmp", JOURNAL, src_dir_fd=txn, dst_dir_fd=txn)
    fsync_dir(txn)


def _rollback(tree: Tree, txn: int, entries: list[Entry]) -> None:
    """Put every switched file back as it was (backups renamed back, created files removed, folders too).

    Only entries that were switched are touched: a backup exists, or the staged file was linked into
    place (its link count is 2) or moved there. If one cannot be put back (its folder became a symlink,
    say) the journal and the backups stay for the next run, and the error says so.
    """
    failed: list[str] = []
    for entry in reversed(entries):
        try:
            _undo(tree, txn, entry)
        except (OSError, InputError):
            failed.append(entry.path)
    if failed:
        raise _Stuck(failed)
    folders = [f for e in entries for f in e.folders or []]
    _remove_empty(tree, folders)


def _undo(tree: Tree, txn: int, entry: Entry) -> None:
    has_backup = _exists(txn, entry.backup)
    if not has_backup:
        if entry.op == "remove" or entry.inode is None:
            return
        try:
            staged = os.stat(entry.staged, dir_fd=txn, follow_symlinks=False)
            if staged.st_nlink == 1:
                return  # never linked into place
        except FileNotFoundError:
            pass  # moved into place (no hard links on this file system)
    parts = entry.parts
    try:
        with tree.folder(parts[:-1]) as parent:
            if has_backup:
                os.rename(entry.backup, parts[-1], src_dir_fd=txn, dst_dir_fd=parent)
                return
            info = os.stat(parts[-1], dir_fd=parent, follow_symlinks=False)
            if (info.st_dev, info.st_ino) == entry.inode:
                os.unlink(parts[-1], dir_fd=parent)
    except FileNotFoundError:
        if has_backup:
            raise


def _exists(dir_fd: int, name: str) -> bool:
    try:
        os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
        return True
    except FileNotFoundError:
        return False


class _Stuck(InputError):
    """A rollback that could not put every file back: the journal stays for the next run."""

    def __init__(self, paths: list[str]) -> None:
        shown = ", ".join(sorted(paths)[:5]) + (" ..." if len(paths) > 5 else "")
        super().__init__(
            f"the write was interrupted and {len(paths)} file(s) could not be put back yet ({shown}): their old "
            f"contents are kept in {'/'.join(TXN)}/. Fix what blocks them (a folder replaced by a symlink?) and run "
            "any k8s-wizard command in this repository: it finishes undoing the write first."
        )


def _remove_empty(tree: Tree, folders: list[str]) -> None:
    """Remove the folders that are empty, innermost first."""
    for folder in sorted(set(folders), key=lambda f: -f.count("/")):
        parts = parts_of(folder)
        try:
            with tree.folder(parts[:-1]) as parent:
                os.rmdir(parts[-1], dir_fd=parent)
        except OSError:
            pass


def _remove_txn(tree: Tree) -> None:
    """Delete the staging folder and everything in it, and `.k8s-wizard/` when that leaves it empty."""
    try:
        with tree.folder(TXN) as txn:
            for name in os.listdir(txn):
                try:
                    os.unlink(name, dir_fd=txn)
                except IsADirectoryError:
                    pass
        with tree.folder(TXN[:1]) as state:
            os.rmdir(TXN[1], dir_fd=state)
    except FileNotFoundError:
        pass
    _remove_empty(tree, [STATE_FOLDER])


def _finish(tree: Tree, entries: list[Entry]) -> None:
    """After the commit: drop the backups and staging, and folders that removals left empty."""
    _remove_txn(tree)
    for entry in entries:
        if entry.op != "remove":
            continue
        parts = entry.parts[:-1]
        while parts:
            try:
                with tree.folder(parts[:-1]) as parent:
                    os.rmdir(parts[-1], dir_fd=parent)
            except OSError:
                break
            parts = parts[:-1]


# --- recovery --------------------------------------------------------------------------------------------


def recover_locked(tree: Tree) -> str | None:
    """Finish or roll back an interrupted write (the lock is held). Returns what was done, for a note."""
    try:
        with tree.folder(TXN) as txn:
            raw = read_bytes(txn, JOURNAL)
            if raw is None:
                outcome = None if not os.listdir(txn) else "an interrupted write had only staged files: removed them"
            else:
                try:
                    data = json.loads(raw)
                    entries = [Entry.from_record(e) for e in data["entries"]]
                    state = data["state"]
                except (ValueError, KeyError, TypeError, IndexError):
                    raise InputError(f"{'/'.join(TXN)}/{JOURNAL}: unreadable write journal; check the files it lists "
                                     "by hand, then delete the folder") from None
                if state == "committed":
                    _finish(tree, entries)
                    return f"an interrupted write of {len(entries)} file(s) was finished"
                _rollback(tree, txn, entries)
                outcome = f"an interrupted write of {len(entries)} file(s) was undone: the files are as before it"
    except FileNotFoundError:
        return None
    except NotADirectoryError:
        raise InputError(f"{'/'.join(TXN)}: is not a folder; move it away") from None
    _remove_txn(tree)
    return outcome


def recover(repo: Path) -> str | None:
    """Before a command reads the repository: finish or undo a write a crash interrupted (None: nothing to do)."""
    try:
        info = os.stat(repo / STATE_FOLDER / TXN[1], follow_symlinks=False)
    except OSError:
        return None
    del info
    try:
        with Tree.open(repo.resolve()) as tree:
            try:
                with locked(tree):
                    return recover_locked(tree)
            except BlockingError:
                return None  # a live writer holds the lock: its journal is not ours to touch
    except OSError as exc:
        raise InputError(
            f"{'/'.join(TXN)}: an interrupted write could not be finished or undone ({exc.strerror or exc}); "
            "fix that and run the command again (the journal is kept)"
        ) from None
