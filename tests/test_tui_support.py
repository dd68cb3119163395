"""Support for the Textual tests (no tests here): fixture repos on disk, a counting key presser, waiting for workers."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from kube import REAL_FIXTURES
from textual.pilot import Pilot

FIXTURES = Path(__file__).resolve().parent / "fixtures"
REAL = REAL_FIXTURES


def git_repo(repo: Path) -> Path:
    """`git init -b main` with an https origin, so the Flux URL and branch defaults are real."""
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    subprocess.run(["git", "-C", str(repo), "remote", "add", "origin", "https://github.com/acme/x.git"], check=True)
    return repo


def shop_repo(root: Path) -> Path:
    """tests/fixtures/plain-folder as a repository named `shop` (its manifests in ./manifests)."""
    repo = root / "shop"
    shutil.copytree(FIXTURES / "plain-folder" / "manifests", repo / "manifests")
    return git_repo(repo)


def voting_repo(root: Path) -> Path | None:
    """The real example-voting-app manifests as a repository named `vote`; None when shared/ is absent."""
    source = REAL / "example-voting-app"
    if not source.is_dir():
        return None
    repo = root / "vote"
    shutil.copytree(source, repo / "manifests", ignore=shutil.ignore_patterns("SOURCE.txt"))
    return git_repo(repo)


def tree_bytes(repo: Path) -> dict[str, bytes]:
    """Every file under the repository (but .git) with its bytes: to prove nothing was written."""
    return {
        p.relative_to(repo).as_posix(): p.read_bytes()
        for p in sorted(repo.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(repo).parts[:1]
    }


class Keys:
    """Presses keys through the Pilot and counts them (the 25-key promise is counted here)."""

    def __init__(self, pilot: Pilot[int]) -> None:
        self.pilot = pilot
        self.count = 0

    async def press(self, *keys: str) -> None:
        """Press each key, then let the app and its workers settle."""
        for key in keys:
            self.count += 1
            await self.pilot.press(key)
            await settle(self.pilot)

    async def type(self, text: str) -> None:
        """Type text character by character (each counts as a key)."""
        await self.press(*text)


async def settle(pilot: Pilot[int]) -> None:
    """Wait for the screen to update and every worker (planning, kustomize builds, the write) to finish."""
    await pilot.pause()
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
