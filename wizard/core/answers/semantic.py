"""Checks on answers that a schema cannot express: what the answers would make the tool write.

Each check returns (key path, reason) problems; `parse_answers` raises the first as an input error.
Messages never echo a value that could hold a credential (a URL's user part, say).
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from urllib.parse import urlsplit

# Files in <output>/flux/ that are not an environment's Flux Kustomization: an environment with one
# of these names would overwrite it (`source` the GitRepository, `kustomization` the folder's list).
RESERVED_ENVIRONMENT_NAMES = ("source", "kustomization")
# Folders the tool must never write into or read its source from.
FORBIDDEN_FOLDERS = (".git", ".k8s-wizard")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

Problem = tuple[str, str]


def path_problem(raw: str, key: str) -> Problem | None:
    """A folder answer with a control character (a newline, a tab) or inside .git / .k8s-wizard."""
    if _CONTROL.search(raw):
        return key, "contains a control character (a newline or a tab): give a plain folder name"
    parts = PurePosixPath(raw.strip().replace("\\", "/")).parts
    if len(raw) > 1024 or any(len(part.encode("utf-8")) > 255 for part in parts):
        return key, "is too long for a folder (255 bytes per name, 1024 in all)"
    for part in parts:
        if part in FORBIDDEN_FOLDERS:
            return key, f"must not be inside {part}/ (git's and k8s-wizard's own folders)"
    return None


def source_problem(raw: object) -> Problem | None:
    """The source folder, checked before anything is read from it: a plain relative folder inside the repository."""
    if raw is None:
        return None
    if not isinstance(raw, str) or not raw.strip():
        return "source", "expected a folder name"
    problem = path_problem(raw, "source")
    if problem is not None:
        return problem
    path = PurePosixPath(raw.strip().replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts:
        return "source", "must be a folder inside the repository (relative, no '..'): nothing outside it is read"
    return None


def output_problem(output: str, source: str | None) -> Problem | None:
    """The output folder must not be the source folder or inside it (the next scan would read the output)."""
    if source is None:
        return None
    out, src = PurePosixPath(output), PurePosixPath(source)
    if out == src:
        return "output", "is the source folder: the generated base and overlays would mix with today's manifests"
    if src in out.parents or src == PurePosixPath("."):
        return "output", f"is inside the source folder {source!r}: the next scan would read the generated files"
    return None


def environment_name_problem(name: str, index: int) -> Problem | None:
    """An environment whose Flux file would overwrite another generated file."""
    if name in RESERVED_ENVIRONMENT_NAMES:
        return (
            f"environments[{index}].name",
            f"{name!r} is reserved: its Flux object would overwrite <output>/flux/{name}.yaml; choose another name",
        )
    return None


def flux_url_problem(url: str) -> Problem | None:
    """Credentials in the URL Flux pulls from: they would be written to source.yaml and the answers file.

    `ssh://git@host/...` (a user name, no password) is how Flux addresses SSH remotes and is fine.
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return "flux.url", "is not a valid URL"
    if parts.password is not None or (parts.username is not None and parts.scheme in ("http", "https")):
        return (
            "flux.url",
            "holds credentials (a user or token before '@'): they would be written to git in plaintext. Give the URL "
            "without them; Flux reads credentials from a Secret (flux create secret git)",
        )
    return None
