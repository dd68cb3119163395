"""File operations relative to the repository's root folder descriptor, never through a symlink.

Every folder on the way to a file is opened with O_NOFOLLOW | O_DIRECTORY from the folder before it,
starting at a descriptor of the repository root, so a path component swapped for a symlink mid-write
(`k8s/overlays/qa` -> a folder outside) makes the operation fail instead of writing through it.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import PurePosixPath

from wizard.core.errors import InputError

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
_READ_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
_NEW_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)


_CONTROL = re.compile("[\x00-\x1f\x7f]")


def parts_of(rel: str) -> tuple[str, ...]:
    """The components of a repository-relative path; refuses absolute paths, '..' and control characters."""
    if not rel or rel.startswith("/") or _CONTROL.search(rel):
        raise InputError(f"{rel!r}: refusing to write outside the repository (not a plain relative path)")
    parts = tuple(p for p in PurePosixPath(rel).parts if p not in ("", "."))
    if not parts or ".." in parts:
        raise InputError(f"{rel}: refusing to write outside the repository")
    return parts


class Tree:
    """The repository root, held open; every path below is reached without following a symlink."""

    def __init__(self, root_fd: int) -> None:
        self.fd = root_fd

    @classmethod
    @contextmanager
    def open(cls, root: str | os.PathLike[str]) -> Iterator[Tree]:
        fd = os.open(root, _DIR_FLAGS & ~os.O_NOFOLLOW)  # the root itself may be reached through a link
        try:
            yield cls(fd)
        finally:
            os.close(fd)

    @contextmanager
    def folder(self, parts: tuple[str, ...], *, create: bool = False, made: list[str] | None = None) -> Iterator[int]:
        """A descriptor of the folder `parts` (created when asked; created folders are appended to `made`)."""
        fd = os.dup(self.fd)
        try:
            for i, name in enumerate(parts):
                try:
                    nxt = os.open(name, _DIR_FLAGS, dir_fd=fd)
                except FileNotFoundError:
                    if not create:
                        raise
                    os.mkdir(name, 0o755, dir_fd=fd)
                    if made is not None:
                        made.append("/".join(parts[: i + 1]))
                    nxt = os.open(name, _DIR_FLAGS, dir_fd=fd)
                except OSError as exc:
                    if exc.errno not in (errno.ENOTDIR, errno.ELOOP):
                        raise
                    where = "/".join(parts[: i + 1])
                    if stat.S_ISLNK(os.stat(name, dir_fd=fd, follow_symlinks=False).st_mode):
                        raise InputError(f"{where}: became a symbolic link while k8s-wizard was writing; "
                                         "nothing was written through it") from None
                    raise InputError(f"{where}: is a file where a folder must go") from None
                os.close(fd)
                fd = nxt
            yield fd
        finally:
            os.close(fd)

    def lstat(self, parts: tuple[str, ...]) -> os.stat_result | None:
        """The entry's own status (a symlink is not followed); None when it or a folder on the way is missing."""
        try:
            with self.folder(parts[:-1]) as fd:
                return os.stat(parts[-1], dir_fd=fd, follow_symlinks=False)
        except FileNotFoundError:
            return None

    def missing_folders(self, parts: tuple[str, ...]) -> list[str]:
        """The folders on the way to a file that do not exist yet (outermost first)."""
        for i in range(len(parts) - 1):
            info = self.lstat(parts[: i + 1])
            if info is None:
                return ["/".join(parts[: j + 1]) for j in range(i, len(parts) - 1)]
            if stat.S_ISLNK(info.st_mode):
                raise InputError(f"{'/'.join(parts[: i + 1])}: is a symbolic link; k8s-wizard never writes through one")
            if not stat.S_ISDIR(info.st_mode):
                raise InputError(f"{'/'.join(parts[: i + 1])}: is a file where a folder must go")
        return []


def read_bytes(dir_fd: int, name: str) -> bytes | None:
    """A regular file's bytes (None when missing); a symlink or a folder is refused by the caller's check."""
    try:
        fd = os.open(name, _READ_FLAGS, dir_fd=dir_fd)
    except FileNotFoundError:
        return None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise InputError(f"{name}: became a symbolic link while k8s-wizard was writing") from None
        raise
    try:
        chunks = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def write_new(dir_fd: int, name: str, data: bytes, mode: int) -> os.stat_result:
    """Create `name` (it must not exist), write and fsync it; returns its status (device and inode)."""
    fd = os.open(name, _NEW_FLAGS, mode, dir_fd=dir_fd)
    try:
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        os.fchmod(fd, mode)
        os.fsync(fd)
        return os.fstat(fd)
    finally:
        os.close(fd)


def fsync_dir(fd: int) -> None:
    """Make renames in a folder durable (best effort: some file systems refuse to fsync a folder)."""
    try:
        os.fsync(fd)
    except OSError:
        pass
