"""What both interactive front-ends need at start: the scan's facts, saved answers and the draft store.

No Textual here: `k8s-wizard init --plain` uses this module too, and importing it must stay cheap (the
core is loaded by the first call that scans: the Textual app makes that call in a worker, after its first
screen is up).
A draft lives outside the repository (under the XDG state folder), so quitting the interview writes
nothing to the project; it holds answers only, never a secret value (the interview asks key names).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wizard.core.errors import InputError, WizardError
from wizard.core.layout import ANSWERS_FILE

if TYPE_CHECKING:
    from wizard.core.scan.manifests import Inventory
    from wizard.interview.engine import Interview

Found = Callable[[list[dict[str, str]]], None]
"""Told the folders that hold Kubernetes objects (found by content, {value, label}) before they are read."""
First = Callable[[dict[str, Any]], None]
"""Told the first facts (`wizard.core.facts.first_facts`): what the search for manifests alone tells, before any
folder is read (the app asks its first question from them; answering it waits for the facts)."""
Scanner = Callable[
    [Path, "Mapping[str, Any] | None", "Found | None", "dict[str, Inventory] | None", "First | None"], dict[str, Any]
]
"""What reads a repository's facts at start: `start_facts`, or the command line's `ForkedReader` (the Textual tests
wrap `start_facts` to hold it back)."""
Rescanner = Callable[[Path, str, "list[dict[str, str]] | None"], dict[str, Any]]
"""What reads the folder the person named instead of the one found: `folder_facts` (tests hold it back)."""
RESUMED = "Welcome back: here is where you left off."

STATE_DIR_ENV = "K8S_WIZARD_STATE_DIR"
"""Environment variable naming the folder that holds drafts (tests point it at a temporary folder)."""


def state_dir() -> Path:
    """Where drafts go: $K8S_WIZARD_STATE_DIR, else $XDG_STATE_HOME/k8s-wizard, else ~/.local/state/k8s-wizard."""
    if os.environ.get(STATE_DIR_ENV):
        return Path(os.environ[STATE_DIR_ENV])
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "k8s-wizard"


class DraftStore:
    """The interview draft of one repository, kept in a JSON file named after a hash of its path."""

    def __init__(self, repo: Path, folder: Path | None = None) -> None:
        """`folder` defaults to `state_dir()`."""
        self.repo = repo.resolve()
        digest = hashlib.sha256(str(self.repo).encode("utf-8")).hexdigest()[:16]
        self.path = (folder or state_dir()) / f"{digest}.json"

    def load(self) -> dict[str, Any] | None:
        """The saved draft, or None when there is none (or it cannot be read)."""
        from wizard.interview.engine import DRAFT_VERSION

        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        draft = data.get("draft") if isinstance(data, dict) else None
        if not isinstance(draft, dict) or draft.get("version") != DRAFT_VERSION or not draft.get("answers"):
            return None
        return draft

    def save(self, draft: Mapping[str, Any]) -> None:
        """Keep `draft` (atomically: a half-written draft would be lost on the next start)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"repo": str(self.repo), "draft": dict(draft)}, indent=1), encoding="utf-8")
        os.replace(tmp, self.path)

    def clear(self) -> None:
        """Forget the draft (after the files are written)."""
        self.path.unlink(missing_ok=True)


def saved_answers(repo: Path) -> dict[str, Any] | None:
    """The answers saved by the last run (`.k8s-wizard.yaml`), or None; a broken file is an InputError."""
    path = repo / ANSWERS_FILE
    if not path.is_file():
        return None
    from wizard.core.answers.parse import read_answers_file

    data = read_answers_file(path)
    if not isinstance(data, dict):
        raise InputError(f"{path}: not a mapping of answers")
    return data


def start_facts(
    repo: Path, saved: Mapping[str, Any] | None = None, on_found: Found | None = None,
    scanned: dict[str, Inventory] | None = None, on_first: First | None = None,
) -> dict[str, Any]:
    """The scan's facts: from the saved answers' source folder, else the folders that hold Kubernetes objects.

    The first candidate folder is read once: the check that it scans is the scan its facts come from.
    `on_found` hears the folders found by content before they are read (the saved one on a re-run), then
    `on_first` the first facts (not on a re-run); `scanned` receives the folders read (by folder), for the
    side panel's resolver to reuse.
    """
    source = saved.get("source") if saved else None
    if source:
        source = str(source).rstrip("/")
        if on_found is not None:
            on_found([{"value": source, "label": "the folder your saved answers name"}])
        from wizard.core.facts import facts

        return facts(repo, source, [])  # a re-run: the saved folder, no choice offered again
    # The search for manifests loads only the YAML reader: the folders found, and the first question asked from
    # them, come before the rest of the scan is loaded (a forked reader's first facts ~0.05 s sooner).
    from wizard.core.scan.candidates import find_candidates, first_facts

    found = find_candidates(repo)
    if on_found is not None:
        on_found([{"value": c.path, "label": c.label} for c in found])
    first = first_facts(found) if on_first is not None else None
    if on_first is not None and first is not None:
        on_first(first)
    from wizard.core.facts import candidate_facts, facts  # the scan

    scanned = {} if scanned is None else scanned
    offered = candidate_facts(repo, scanned, found=found)
    source = offered[0]["value"] if offered else None
    return facts(repo, source, offered, inventory=scanned.get(source) if source else None)


def folder_facts(repo: Path, source: str, candidates: list[dict[str, str]] | None) -> dict[str, Any]:
    """The facts of the folder the person named (`candidates`: the folders found at start, offered again)."""
    from wizard.core.facts import facts

    return facts(repo, source, candidates)


def draft_source(found: dict[str, Any], draft: Mapping[str, Any]) -> str | None:
    """The manifests folder a draft's answers chose, when it is not the one `found` was read from (else None)."""
    from wizard.interview.engine import Interview
    from wizard.interview.model import load_questions

    try:
        source = Interview.from_draft(load_questions(), found, draft).value("source")
    except ValueError:
        return None
    source = str(source or "").strip().rstrip("/")
    return source if source and source != (found.get("source") or "") else None


def facts_for_draft(
    repo: Path, found: dict[str, Any], draft: Mapping[str, Any], read: Rescanner | None = None,
) -> dict[str, Any]:
    """The facts a draft needs: when its answers chose another manifests folder, that folder's scan (`read`,
    default `folder_facts`)."""
    source = draft_source(found, draft)
    if source is None:
        return found
    try:
        return (read or folder_facts)(repo, source, found.get("candidates"))
    except WizardError:
        return found


def begin(
    repo: Path, facts: dict[str, Any], saved: Mapping[str, Any] | None, draft: Mapping[str, Any] | None,
) -> tuple[dict[str, Any], Interview, str]:
    """(facts, interview, greeting) to start with: `draft` resumed, else the saved answers, else a fresh start."""
    from wizard.interview.engine import Interview
    from wizard.interview.model import load_questions
    from wizard.interview.saved import draft_from_answers

    questions = load_questions()
    if draft is not None:
        facts = facts_for_draft(repo, facts, draft)
        return facts, Interview.from_draft(questions, facts, draft), RESUMED
    if saved is not None:
        try:
            interview = Interview.from_draft(questions, facts, draft_from_answers(questions, facts, saved))
        except ValueError:
            pass
        else:
            return facts, interview, f"I started from your saved answers in `{ANSWERS_FILE}`."
    return facts, Interview(questions, facts), ""
