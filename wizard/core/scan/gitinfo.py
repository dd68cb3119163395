"""Facts about the repository's git remote and branch, for the default Flux GitRepository.

Everything here is best effort: a directory that is not a repository, a repository without remotes,
a detached HEAD or a missing git executable all give `None` facts instead of an error.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

__all__ = ["GitFacts", "flux_url", "git_facts", "https_url"]

# environment variables that would point git somewhere other than `git -C repo`
_GIT_LOCATION_VARS = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_COMMON_DIR", "GIT_NAMESPACE")
_SCP_LIKE = re.compile(r"^(?:(?P<user>[^@/:]+)@)?(?P<host>[^@/:\[\]]{2,}|\[[^\]]+\]):(?P<path>.+)$")


@dataclass(frozen=True)
class GitFacts:
    """What `git_facts` found: the remote in the form Flux needs, its https form, the current branch."""

    remote_url: str | None
    https_url: str | None
    branch: str | None
    is_repo: bool


def _git(repo: Path, *args: str) -> tuple[int, str] | None:
    """Run `git -C repo ARGS`: (exit code, stripped stdout), or None when git cannot be run at all."""
    env = {key: value for key, value in os.environ.items() if key not in _GIT_LOCATION_VARS}
    env["GIT_TERMINAL_PROMPT"] = "0"
    try:
        proc = subprocess.run(
            ["git", "-C", str(repo), *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=15,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return proc.returncode, proc.stdout.strip()


def _inside_a_worktree(repo: Path) -> bool:
    """Whether `repo` or a folder above it has a `.git` (folder, or file for a linked worktree or submodule).

    Without one git can only fail (the variables that could point it elsewhere are removed from its
    environment), so a folder outside any repository costs no git process.
    """
    folder = repo.resolve()
    return any((parent / ".git").exists() for parent in (folder, *folder.parents))


def _strip_credentials(url: str) -> str:
    """The URL without a password or token in its user part (kept out of files and messages)."""
    parts = urlsplit(url)
    if parts.password is None and (parts.username is None or parts.scheme in ("ssh", "git+ssh")):
        return url
    try:
        port = parts.port
    except ValueError:  # malformed port: drop the whole user part, keep the rest as written
        return re.sub(r"^([A-Za-z][A-Za-z0-9+.-]*://)[^/@]*@", r"\1", url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host + (f":{port}" if port else "")
    if parts.scheme in ("ssh", "git+ssh") and parts.username:
        netloc = f"{parts.username}@{netloc}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def _scp_parts(url: str) -> tuple[str | None, str, str] | None:
    """(user, host, path) of an scp-style address such as `git@github.com:org/repo.git`, else None."""
    if "://" in url or url.startswith(("/", ".", "~")):
        return None
    match = _SCP_LIKE.match(url)
    if match is None:
        return None
    return match.group("user"), match.group("host"), match.group("path")


def flux_url(url: str) -> str:
    """The remote in a form Flux accepts: scp-style SSH becomes `ssh://user@host/path`.

    Other URLs are returned unchanged, except that a password or token in an http(s) URL is dropped.
    """
    scp = _scp_parts(url)
    if scp is not None:
        user, host, path = scp
        return f"ssh://{user + '@' if user else ''}{host}/{path.lstrip('/')}"
    return _strip_credentials(url)


def https_url(url: str) -> str | None:
    """The https form of a remote (`https://host/path`), or None for a local path or unknown scheme.

    http(s) URLs are kept as they are (without credentials); SSH and git:// URLs lose user and port.
    """
    converted = flux_url(url)
    try:
        parts = urlsplit(converted)
        hostname = parts.hostname
    except ValueError:
        return None
    if parts.scheme in ("http", "https"):
        return converted
    if parts.scheme not in ("ssh", "git", "git+ssh", "ssh+git") or not hostname:
        return None
    host = f"[{hostname}]" if ":" in hostname else hostname
    path = parts.path
    if path.startswith("/~"):  # a home-relative path has no https equivalent
        return None
    return f"https://{host}{path}"


def _remote(listing: str) -> str | None:
    """The fetch URL of `origin`, else of the first remote, from `git remote -v` (sorted by name, as git prints)."""
    urls: dict[str, str] = {}
    for line in listing.splitlines():
        name, _, rest = line.partition("\t")
        url, _, kind = rest.rpartition(" ")
        if kind == "(fetch)" and name not in urls:
            urls[name] = url
    if not urls:
        return None
    return urls.get("origin", next(iter(urls.values())))


def git_facts(repo: Path) -> GitFacts:
    """Remote URL (Flux form and https form), current branch and whether `repo` is in a git repository."""
    not_a_repo = GitFacts(remote_url=None, https_url=None, branch=None, is_repo=False)
    if not repo.is_dir() or not _inside_a_worktree(repo):
        return not_a_repo
    # exit 0: on a branch (born or not); 1: a detached HEAD; anything else: not a repository after all
    head = _git(repo, "symbolic-ref", "--quiet", "--short", "HEAD")
    if head is None or head[0] not in (0, 1):
        return not_a_repo
    branch = head[1] or None if head[0] == 0 else None
    remotes = _git(repo, "remote", "-v")
    raw = _remote(remotes[1]) if remotes is not None and remotes[0] == 0 else None
    if not raw:
        return GitFacts(remote_url=None, https_url=None, branch=branch, is_repo=True)
    return GitFacts(remote_url=flux_url(raw), https_url=https_url(raw), branch=branch, is_repo=True)
