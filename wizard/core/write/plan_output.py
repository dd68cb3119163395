"""Where `plan --output FILE` may write: a new file, or one it wrote before and nobody edited since.

Never a file the user or the generator owns: nothing in `.git/` or `.k8s-wizard/`, nothing in the
source folder, not the answers file, not a generated file. The plan files it wrote are recorded (path
and sha256) in `.k8s-wizard/plan-outputs.json`, written in the same transaction as the plan itself.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path, PurePosixPath

from wizard.core.errors import InputError
from wizard.core.model import ChangeKind, FileChange

RECORD = ".k8s-wizard/plan-outputs.json"
_NEVER = (".git", ".k8s-wizard")


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _record(repo: Path) -> dict[str, str]:
    path = repo / RECORD
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        files = data.get("files") if isinstance(data, dict) else None
        return {str(k): str(v) for k, v in files.items()} if isinstance(files, dict) else {}
    except (OSError, ValueError):
        return {}


def plan_output(
    repo: Path, output: str, text: str, *, source: str | None, owned: set[str], cwd: Path | None = None,
) -> tuple[list[FileChange], dict[str, str], str]:
    """The change that writes the plan to `output`, the updated record (as `extra`), and the relative path.

    `owned` holds the paths the tool generates or reads (answers file, generated files): never overwritten.
    """
    root = repo.resolve()
    given = Path(output)
    target = given if given.is_absolute() else (cwd or Path.cwd()) / given
    parent = target.parent.resolve() if target.parent.exists() else Path(os.path.abspath(target.parent))
    full = parent / target.name
    if full != root and root not in full.parents:
        raise InputError(f"--output: {output} is outside the repository; give a file inside {repo}")
    rel = full.relative_to(root).as_posix()
    parts = PurePosixPath(rel).parts
    if any(p in _NEVER for p in parts):
        raise InputError(f"--output: {rel} is inside {next(p for p in parts if p in _NEVER)}/: never written by plan")
    if source is not None and (rel == source or rel.startswith(f"{source.rstrip('/')}/") or source == "."):
        raise InputError(f"--output: {rel} is in the source folder {source!r}: today's manifests are never overwritten")
    if rel in owned:
        raise InputError(f"--output: {rel} is a file k8s-wizard reads or generates; choose another file")
    record = _record(repo)
    path = root / rel
    if path.is_symlink() or (path.exists() and not path.is_file()):
        raise InputError(f"--output: {rel} is not a regular file")
    old_bytes = path.read_bytes() if path.exists() else None
    if old_bytes is not None and record.get(rel) != _digest(old_bytes):
        why = "was not written by `plan --output`" if rel not in record else "was edited since `plan --output` wrote it"
        raise InputError(f"--output: {rel} exists and {why}; remove it or choose another file")
    old = old_bytes.decode("utf-8") if old_bytes is not None else None
    kind = ChangeKind.CREATE if old is None else (ChangeKind.UNCHANGED if old == text else ChangeKind.CHANGE)
    record[rel] = _digest(text.encode("utf-8"))
    extra = {RECORD: json.dumps({"version": 1, "files": dict(sorted(record.items()))}, indent=1) + "\n"}
    return [FileChange(rel, kind, old, text)], extra, rel
