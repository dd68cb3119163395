"""Reading the repository in a child process, started by the command line before Textual is imported.

Reading a large repository is Python work that would share the GIL with Textual's start (imports, the first
paint) if it ran in a thread. The command line forks a child instead, before Textual is loaded and while no
thread exists (so the fork is safe): it reads on the other core while the app starts, and streams what it
learns over a pipe, in the order `start_facts` learns it: the folders found, the first facts (what the
search for manifests alone tells), the facts, the inventories read (for the side panel's resolver). The
app takes a `ForkedReader` as its `Scanner` and reads the pipe in its reading thread.

An error in the child reaches the app as today's errors do: a WizardError keeps its class and message (they
never hold a secret value); any other exception is an internal error named by its type and place only. The
child dies with the app: `close` kills it (quitting while reading waits for nothing), and a child whose
parent is gone dies on its next write to the pipe.
"""

from __future__ import annotations

import json
import os
import pickle
import select
import signal
import threading
import time
import traceback
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wizard.core import errors
from wizard.core.errors import WizardError
from wizard.tui.startup import First, Found, start_facts

if TYPE_CHECKING:
    from wizard.core.scan.manifests import Inventory

READER_NICENESS = 5
"""The child's niceness once the folders are found (the first question is asked from them: the search runs at
the app's niceness, the scan after it yields to the app). On idle cores it changes nothing; on a busy 2-core
machine (load 5) a child at niceness 0 throughout took CPU from the app's start: median of 6 runs at 1,000
objects, interview screen 1.33 s / first question 1.41 s at niceness 0, 0.92 s / 1.11 s at 5 (facts in: 1.84 s /
1.80 s), same minutes, when the first question still waited for the scan."""

FOUND, FIRST, FACTS, SCANS, ERROR = b"F", b"P", b"R", b"S", b"X"
_HEADER = 5  # one byte of kind, four of length


class InternalReadError(WizardError):
    """An unexpected exception in the reading child: its type and place, never its message (it may quote input)."""

    exit_code = 2


class ForkedReader:
    """The facts of one repository, read by a forked child; call it like `start_facts` (the app's `Scanner`)."""

    def __init__(self, repo: Path, saved: Mapping[str, Any] | None, pid: int, fd: int) -> None:
        """Use `start`."""
        self.repo = repo
        self.saved = saved
        self.pid = pid
        self.found: list[dict[str, str]] | None = None
        """The folders found, once the child has said (`first_facts` reads them without waiting)."""
        self.first: dict[str, Any] | None = None
        """The first facts, once the child has said."""
        self._fd: int | None = fd
        self._buffer = bytearray()
        self._frames: list[tuple[bytes, bytes]] = []
        self._facts: dict[str, Any] | None = None
        self._reaped = False
        self._lock = threading.Lock()

    @classmethod
    def start(cls, repo: Path, saved: Mapping[str, Any] | None, *, threads_ok: bool = False) -> ForkedReader | None:
        """Fork the reading child; None where a fork is not available or not safe (another thread runs: a lock
        it holds would stay held in the child). `threads_ok` is for tests, whose runner has threads of its own."""
        if not hasattr(os, "fork") or (threading.active_count() > 1 and not threads_ok):
            return None
        repo = repo.resolve()
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: never returns
            os.close(read_end)
            _child(repo, saved, write_end)
        os.close(write_end)
        return cls(repo, saved, pid, read_end)

    def first_facts(self, wait: float = 0.0) -> dict[str, Any] | None:
        """The first facts if the child has sent them by now or within `wait` seconds; the frames read are kept
        for the call."""
        deadline = time.monotonic() + wait
        with self._lock:
            while self.first is None and self._fd is not None and select.select(
                [self._fd], [], [], max(0.0, deadline - time.monotonic()),
            )[0]:
                if not self._fill(self._fd):
                    break
                self._frames += self._complete()
        return self.first

    def __call__(
        self, repo: Path, saved: Mapping[str, Any] | None, on_found: Found | None = None,
        scanned: dict[str, Inventory] | None = None, on_first: First | None = None,
    ) -> dict[str, Any]:
        """The facts, as `start_facts(repo, saved, on_found, scanned, on_first)` gives them (read once: a second
        call, or one for another repository or other saved answers, reads in this process)."""
        with self._lock:
            fd, self._fd = self._fd, None
            frames, self._frames = self._frames, []
        if fd is None or repo.resolve() != self.repo or saved != self.saved:
            if fd is not None:
                os.close(fd)
            self.close()
            return start_facts(repo, saved, on_found, scanned, on_first)
        try:
            while True:
                for kind, payload in frames:
                    facts = self._deliver(kind, payload, on_found, scanned, on_first)
                    if facts is not None:
                        return facts
                if not self._fill(fd):
                    raise InternalReadError("internal error (the process reading the repository stopped); nothing "
                                            "was written. This is a bug in k8s-wizard: please report it with the "
                                            "command you ran.")
                frames = self._complete()
        finally:
            os.close(fd)
            self.close()  # done (the child is leaving), or a callback failed: it reads on for nobody

    def _fill(self, fd: int) -> bool:
        """Read what the pipe holds (waiting for something); False at its end."""
        data = os.read(fd, 1 << 20)
        self._buffer += data
        return bool(data)

    def _complete(self) -> list[tuple[bytes, bytes]]:
        """The whole frames in the buffer (taken out of it)."""
        frames = []
        while len(self._buffer) >= _HEADER:
            size = int.from_bytes(self._buffer[1:_HEADER], "big")
            if len(self._buffer) < _HEADER + size:
                break
            kind, payload = bytes(self._buffer[:1]), bytes(self._buffer[_HEADER : _HEADER + size])
            del self._buffer[: _HEADER + size]
            if kind == FOUND:
                self.found = json.loads(payload)
            elif kind == FIRST:
                self.first = json.loads(payload)
            frames.append((kind, payload))
        return frames

    def _deliver(
        self, kind: bytes, payload: bytes, on_found: Found | None, scanned: dict[str, Inventory] | None,
        on_first: First | None,
    ) -> dict[str, Any] | None:
        """Hand one frame on; the facts once the last frame (the inventories) is in."""
        if kind == FOUND and on_found is not None and self.found is not None:
            on_found(self.found)
        elif kind == FIRST and on_first is not None and self.first is not None:
            on_first(self.first)
        elif kind == FACTS:
            self._facts = json.loads(payload)
        elif kind == SCANS:
            if scanned is not None:
                scanned.update(pickle.loads(payload))  # noqa: S301 - our own child's inventories
            return self._facts
        elif kind == ERROR:
            raise _error(json.loads(payload))
        return None

    def close(self) -> None:
        """Stop the child (when it still reads) and reap it; it never waits for the reading to end."""
        with self._lock:
            fd, self._fd = self._fd, None  # never handed to a call: nobody else closes it
        if fd is not None:
            os.close(fd)
        if not self._reaped:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self._reap()

    def _reap(self) -> None:
        with self._lock:
            if self._reaped:
                return
            self._reaped = True
        try:
            os.waitpid(self.pid, 0)
        except ChildProcessError:
            pass


def _error(data: Mapping[str, Any]) -> WizardError:
    """The child's error as the same WizardError class (its message is the core's: never a secret value)."""
    kind = getattr(errors, str(data.get("type")), None)
    cls = kind if isinstance(kind, type) and issubclass(kind, WizardError) else InternalReadError
    return cls(str(data.get("message")))


def _child(repo: Path, saved: Mapping[str, Any] | None, fd: int) -> None:
    """Read, send everything over `fd`, and leave without running anything of the parent's (os._exit)."""
    code = 0
    try:
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl+C before the app owns the terminal: die quietly
        null = os.open(os.devnull, os.O_RDWR)
        for std in (0, 1, 2):  # nothing of the child's may reach the app's terminal
            os.dup2(null, std)
        with os.fdopen(fd, "wb") as pipe:

            def send(kind: bytes, payload: bytes) -> None:
                pipe.write(kind + len(payload).to_bytes(4, "big") + payload)
                pipe.flush()

            def send_json(kind: bytes) -> Callable[[Any], None]:
                return lambda data: send(kind, json.dumps(data).encode("utf-8"))

            scanned: dict[str, Inventory] = {}
            try:
                def found(data: Any) -> None:
                    send_json(FOUND)(data)
                    os.nice(READER_NICENESS)  # the first question is asked from the search: the scan yields to the app

                facts = start_facts(repo, saved, found, scanned, send_json(FIRST))
                send(FACTS, json.dumps(facts).encode("utf-8"))
                send(SCANS, pickle.dumps(scanned, protocol=pickle.HIGHEST_PROTOCOL))
            except WizardError as exc:
                send_json(ERROR)({"type": type(exc).__name__, "message": str(exc)})
            except Exception as exc:  # noqa: BLE001 - named by type and place, never by its message
                send_json(ERROR)({"type": "internal", "message": _internal(exc)})
    except BaseException:  # noqa: BLE001 - the parent is gone (a broken pipe) or a signal: just leave
        code = 1
    finally:
        os._exit(code)


DEBUG_ENV = "K8S_WIZARD_DEBUG"
"""As the command line's: set, an internal error in the child carries its traceback (it may quote input values)."""


def _internal(exc: BaseException) -> str:
    """As the command line names an internal error: its type and where it happened, never its message."""
    where = errors.raised_at(exc)
    text = (f"internal error ({type(exc).__name__}{where}) while reading the repository; nothing was written. This "
            f"is a bug in k8s-wizard: please report it with the command you ran (set {DEBUG_ENV}=1 to see the "
            "traceback).")
    if os.environ.get(DEBUG_ENV):
        text += "\n" + "".join(traceback.format_exception(exc))
    return text
