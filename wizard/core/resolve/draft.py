"""Resolve the interview's answers so far, cheaply and without ever raising: what "What I know" shows.

The interview hands over its answers dict (the questions not asked yet carry their proposals) and the
answers-file keys the person has settled. `DraftResolver.known()` parses and resolves them exactly as
`apply` would (the same parser, the same `resolve()`), and summarises the result (`resolve/known.py`).
An answer the core refuses comes back as `Known.problem`, with the scan's facts still listed; nothing is
raised into the front-end. No kustomize build and no write: the scan is kept per source folder (and a
chart's per chart answer), so each answer costs a parse and a resolve.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from wizard.core.answers import semantic
from wizard.core.answers.parse import Answers, parse_answers
from wizard.core.errors import WizardError
from wizard.core.resolve.app import app_facts, today_namespace
from wizard.core.resolve.known import Known, found, summarise
from wizard.core.resolve.model import AppFacts
from wizard.core.resolve.stage import resolve
from wizard.core.scan.app import scan_app
from wizard.core.scan.gitinfo import GitFacts, git_facts
from wizard.core.scan.manifests import Inventory, scan

ORIGIN = "your answers"
"""How messages name the answers (as the planning step does)."""


_KEY_PATH = re.compile(r"^(?:your answers|answers): (?P<path>[A-Za-z_][\w.\[\]-]*): (?P<reason>.*)$", re.DOTALL)


def unasked(message: str, settled: frozenset[str]) -> str:
    """A refusal of a key nobody has answered yet says so: it is the interview's proposal that does not fit."""
    match = _KEY_PATH.match(message)
    if match is None:
        return message
    path = re.sub(r"\[\d+\]", "[*]", match["path"])
    if any(path == key or path.startswith(f"{key}.") or key.startswith(f"{path}.") for key in settled):
        return message
    return f"not asked yet, but the proposal for {match['path']} would be refused: {match['reason']}"


class DraftResolver:
    """Resolves draft answers for one repository, keeping what does not change between answers."""

    def __init__(self, repo: Path, scans: Mapping[str, Inventory] | None = None) -> None:
        """`scans`: folders already read (by the start's scan), by folder, so they are not read again."""
        self.repo = repo
        self._scans: dict[str | None, Inventory] = {folder: inventory for folder, inventory in (scans or {}).items()}
        self._charts: dict[str, Inventory] = {}
        self._git: GitFacts | None = None
        self._apps: dict[tuple[int, str | None], AppFacts] = {}
        self._lock = threading.Lock()  # a front-end may resolve in a worker thread while an older one finishes

    def known(self, data: Mapping[str, Any], settled: Iterable[str] = ()) -> Known:
        """What the answers so far resolve to; never raises (a refused answer is `Known.problem`)."""
        keys = frozenset(settled)
        with self._lock:
            try:
                return self._known(data, keys)
            except WizardError as exc:
                message = unasked(str(exc), keys)
            except Exception as exc:  # noqa: BLE001 - the panel must never take the interview down; planning reports it
                message = f"I could not work these answers out ({type(exc).__name__}); planning will say what is wrong."
            try:
                return self._unresolved(data, keys, message)
            except Exception:  # noqa: BLE001 - same
                return Known(problem=message)

    # -- internals ---------------------------------------------------------------------------------

    def git(self) -> GitFacts:
        """The repository's git remote and branch (read once)."""
        if self._git is None:
            self._git = git_facts(self.repo)
        return self._git

    def _git_line(self) -> tuple[str | None, str | None]:
        git = self.git()
        return git.remote_url, git.branch

    def scan(self, source: str | None) -> Inventory:
        """Today's manifests in `source` (scanned once per folder)."""
        if source not in self._scans:
            self._scans[source] = scan(self.repo, source) if source else Inventory(repo=self.repo, source=None)
        return self._scans[source]

    def _app_inventory(self, answers: Answers, scanned: Inventory) -> Inventory:
        """The inventory resolve needs: the scanned folder, a new app's objects, or the chart (kept per chart answer)."""
        if answers.new_app is not None:
            return scan_app(self.repo, answers)  # built from the answers: no file is read
        if answers.helm is not None:
            key = repr(answers.helm)
            if key not in self._charts:
                self._charts[key] = scan_app(self.repo, answers)
            return self._charts[key]
        return scanned

    def _known(self, data: Mapping[str, Any], settled: frozenset[str]) -> Known:
        source = data.get("source")
        problem = semantic.source_problem(source)
        if problem is not None:  # before the scan: never read a folder the answers may not name
            raise WizardError(f"{ORIGIN}: {problem[0]}: {problem[1]}")
        scanned = self.scan(str(source).rstrip("/") if source else None)
        git = self.git()
        answers = parse_answers(dict(data), ORIGIN, today_namespace=scanned.today_namespace,
                                git_url=git.remote_url, git_branch=git.branch)
        inventory = self._app_inventory(answers, scanned)
        today = today_namespace(inventory, answers)
        key = (id(inventory), today)
        if inventory.generated:  # a new app's objects are built from the answers: nothing to keep
            resolved = resolve(inventory, answers)
        else:
            if key not in self._apps:
                self._apps[key] = app_facts(inventory, today)
            resolved = resolve(inventory, answers, known_app=self._apps[key])
        return summarise(resolved, settled, self._git_line())

    def _unresolved(self, data: Mapping[str, Any], settled: frozenset[str], message: str) -> Known:
        """The scan's facts and why the answers do not resolve."""
        source = data.get("source")
        try:
            inventory = self.scan(str(source).rstrip("/")) if source and semantic.source_problem(source) is None else None
            git = self._git_line()
        except Exception:  # noqa: BLE001 - the folder does not scan: the message says enough
            inventory, git = None, (None, None)
        if inventory is None:
            return Known(problem=message)
        today = inventory.home_namespace(None)
        return Known(found=tuple(found(inventory, app_facts(inventory, today), today, settled, git)), problem=message)
