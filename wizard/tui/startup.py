"""What both interactive front-ends need at start: the scan's facts, saved answers and the draft store.

No Textual here: `k8s-wizard init --plain` uses this module too, and importing it must stay cheap.
A draft lives outside the repository (under the XDG state folder), so quitting the interview writes
nothing to the project; it holds answers only, never a secret value (the interview asks key names).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from wizard.core.answers import ANSWERS_FILE, read_answers_file
from wizard.core.errors import InputError
from wizard.core.pipeline import detect_source, facts
from wizard.interview.engine import DRAFT_VERSION
from wizard.interview.model import Question

STATE_DIR_ENV = "K8S_WIZARD_STATE_DIR"
"""Environment variable naming the folder that holds drafts (tests point it at a temporary folder)."""

_STEERING = ("replicas", "resources", "autoscaling", "config", "image_tag")
"""The `differs` choices, each named after what it makes the environments carry."""


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
    data = read_answers_file(path)
    if not isinstance(data, dict):
        raise InputError(f"{path}: not a mapping of answers")
    return data


def start_facts(repo: Path, saved: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The scan's facts: from the saved answers' source folder, else the folder that looks like manifests."""
    source = saved.get("source") if saved else None
    return facts(repo, str(source).rstrip("/") if source else detect_source(repo))


def _lookup(data: Mapping[str, Any], path: str) -> Any:
    """A dotted path's value in nested mappings (None when absent)."""
    value: Any = data
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def _fits(question: Question, value: Any) -> bool:
    """False for the per-workload or per-ConfigMap forms the interview does not ask in (they are asked again)."""
    if value is None or not isinstance(value, Mapping):
        return True
    if question.of == "autoscaling":
        return set(value) <= {"min", "max", "cpu"}
    return all(not isinstance(v, Mapping | list) for v in value.values())


def draft_from_answers(questions: Sequence[Question], facts: Mapping[str, Any], saved: Mapping[str, Any]) -> dict[str, Any]:
    """An interview draft (question id -> value) holding the saved answers, to start from them.

    `Interview.from_draft` checks every value again and drops what no longer fits; questions that only
    steer (is this one environment? what differs?) are worked out from what the answers contain.
    """
    envs = [e for e in saved.get("environments") or [] if isinstance(e, Mapping) and e.get("name")]
    names = [str(e["name"]) for e in envs]
    current = next((str(e["name"]) for e in envs if e.get("current")), None)
    values: dict[str, Any] = {}
    for q in questions:
        if q.key is None:
            continue
        if q.key == "environments[*].name":
            values[q.id] = names
        elif q.key == "environments[*].current":
            if current is not None:
                values[q.id] = current
        elif q.key.startswith("environments[*]."):
            sub = q.key.removeprefix("environments[*].")
            per_env = {str(e["name"]): _lookup(e, sub) for e in envs}
            if any(v is not None for v in per_env.values()) and all(_fits(q, v) for v in per_env.values()):
                values[q.id] = {k: v for k, v in per_env.items() if v is not None}
        else:
            value = _lookup(saved, q.key)
            if value is not None:
                values[q.id] = value
            elif q.optional and q.type == "text":
                values[q.id] = ""
    ids = {q.id for q in questions}
    if "today" in ids and saved.get("source") and facts.get("source"):
        values["today"] = True
    if "keep_namespace" in ids and current is not None and facts.get("namespace"):
        env = next(e for e in envs if str(e["name"]) == current)
        values["keep_namespace"] = env.get("namespace") in (None, facts.get("namespace"))
    if "differs" in ids:
        found = {"resources" if k == "resources" else k for e in envs for k in e if k in _STEERING}
        values["differs"] = [k for k in _STEERING if k in found]
    return {"version": DRAFT_VERSION, "answers": values, "editing": None}
