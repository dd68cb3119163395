"""Write the previewed changes: all files or none, inside the repository only.

Every target is checked before anything is written: it must resolve inside the repository, with no
symlink on the way leading out of it. New contents go to temporary files next to their targets;
only when all are staged are they renamed into place (an atomic rename per file). If anything fails,
files already replaced are restored and created ones removed.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from wizard.core.errors import InputError, WizardError
from wizard.core.model import ChangeKind, FileChange


def _inside(repo: Path, rel: str) -> Path:
    """The absolute target path, refusing anything that leaves the repository."""
    if os.path.isabs(rel) or ".." in Path(rel).parts:
        raise InputError(f"{rel}: refusing to write outside the repository")
    root = repo.resolve()
    target = root / rel
    # resolve() follows every symlink on the way, including a dangling last component.
    resolved = target.resolve()
    if resolved != root and root not in resolved.parents:
        raise InputError(f"{rel}: refusing to write through a symlink that leads outside the repository")
    return target


def write_changes(repo: Path, changes: list[FileChange], extra: dict[str, str] | None = None) -> list[str]:
    """Apply the changes (creates, changes, removes; conflicts must be settled first). Returns the paths written."""
    pending = [c for c in changes if c.kind in (ChangeKind.CREATE, ChangeKind.CHANGE, ChangeKind.REMOVE)]
    if any(c.kind is ChangeKind.CONFLICT for c in changes):
        raise WizardError("unsettled conflicts: nothing written")
    writes = {c.path: c.new for c in pending if c.kind is not ChangeKind.REMOVE}
    for rel, extra_text in (extra or {}).items():
        existing = repo / rel
        if not (existing.is_file() and existing.read_bytes() == extra_text.encode("utf-8")):
            writes[rel] = extra_text
    removes = [c.path for c in pending if c.kind is ChangeKind.REMOVE]
    targets = {rel: _inside(repo, rel) for rel in [*writes, *removes]}

    staged: dict[str, Path] = {}
    made_dirs: list[Path] = []
    try:
        for rel, text in writes.items():
            target = targets[rel]
            missing = [p for p in [target.parent, *target.parent.parents] if not p.exists()]
            target.parent.mkdir(parents=True, exist_ok=True)
            made_dirs.extend(reversed(missing))
            fd, tmp = tempfile.mkstemp(prefix=".k8s-wizard-", suffix=".tmp", dir=target.parent)
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
                fh.write(text or "")
            mode = 0o755 if rel.endswith(".sh") else 0o644
            os.chmod(tmp, mode)
            staged[rel] = Path(tmp)
    except BaseException:
        for staged_path in staged.values():
            staged_path.unlink(missing_ok=True)
        for d in reversed(made_dirs):
            _rmdir(d)
        raise

    backups: dict[str, bytes | None] = {}
    try:
        for rel, staged_path in staged.items():
            target = targets[rel]
            backups[rel] = target.read_bytes() if target.is_file() else None
            os.replace(staged_path, target)
        for rel in removes:
            target = targets[rel]
            backups[rel] = target.read_bytes() if target.is_file() else None
            target.unlink(missing_ok=True)
    except BaseException:
        for rel, old in backups.items():
            target = targets[rel]
            if old is None:
                target.unlink(missing_ok=True)
            else:
                target.write_bytes(old)
        for staged_path in staged.values():
            staged_path.unlink(missing_ok=True)
        raise
    for rel in removes:
        parent = targets[rel].parent
        while parent != repo.resolve() and parent.is_dir() and not any(parent.iterdir()):
            parent.rmdir()
            parent = parent.parent
    return sorted([*writes, *removes])


def _rmdir(path: Path) -> None:
    try:
        path.rmdir()
    except OSError:
        pass
