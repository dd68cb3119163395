"""Tests for the git remote/branch facts, on real temporary repositories."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from wizard.core.scan.gitinfo import GitFacts, flux_url, git_facts, https_url

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
}


def git(repo: Path, *args: str) -> None:
    """Run git in repo, failing the test on error."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")} | GIT_ENV
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env=env)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A fresh repository on branch `main` with one commit and no remote."""
    path = tmp_path / "repo"
    path.mkdir()
    git(path, "init", "-q", "-b", "main")
    (path / "README.md").write_text("hello\n")
    git(path, "add", "README.md")
    git(path, "commit", "-q", "-m", "init")
    return path


def test_not_a_repo(tmp_path: Path) -> None:
    assert git_facts(tmp_path) == GitFacts(remote_url=None, https_url=None, branch=None, is_repo=False)


def test_missing_directory(tmp_path: Path) -> None:
    assert git_facts(tmp_path / "nope").is_repo is False


def test_repo_without_remote(repo: Path) -> None:
    assert git_facts(repo) == GitFacts(remote_url=None, https_url=None, branch="main", is_repo=True)


def test_subdirectory_of_a_repo(repo: Path) -> None:
    sub = repo / "deploy" / "k8s"
    sub.mkdir(parents=True)
    git(repo, "remote", "add", "origin", "https://github.com/acme/shop.git")
    facts = git_facts(sub)
    assert facts.is_repo and facts.branch == "main"
    assert facts.remote_url == "https://github.com/acme/shop.git"


def test_scp_style_origin_becomes_ssh_url(repo: Path) -> None:
    git(repo, "remote", "add", "origin", "git@github.com:acme/shop.git")
    assert git_facts(repo) == GitFacts(
        remote_url="ssh://git@github.com/acme/shop.git",
        https_url="https://github.com/acme/shop.git",
        branch="main",
        is_repo=True,
    )


def test_origin_preferred_over_other_remotes(repo: Path) -> None:
    git(repo, "remote", "add", "aaa-fork", "https://github.com/someone/shop.git")
    git(repo, "remote", "add", "origin", "https://github.com/acme/shop.git")
    assert git_facts(repo).remote_url == "https://github.com/acme/shop.git"


def test_first_remote_when_no_origin(repo: Path) -> None:
    git(repo, "remote", "add", "upstream", "ssh://git@gitlab.example.com:2222/team/shop.git")
    facts = git_facts(repo)
    assert facts.remote_url == "ssh://git@gitlab.example.com:2222/team/shop.git"
    assert facts.https_url == "https://gitlab.example.com/team/shop.git"


def test_first_remote_by_name_and_rewritten_as_git_would(repo: Path) -> None:
    git(repo, "remote", "add", "zeta", "https://zeta.example.com/shop.git")
    git(repo, "remote", "add", "alpha", "https://alpha.example.com/shop.git")
    git(repo, "config", "url.https://mirror.example.com/.insteadOf", "https://alpha.example.com/")
    assert git_facts(repo).remote_url == "https://mirror.example.com/shop.git"


def test_credentials_in_remote_are_dropped(repo: Path) -> None:
    git(repo, "remote", "add", "origin", "https://bot:s3cr3t-token@github.com/acme/shop.git")
    facts = git_facts(repo)
    assert facts.remote_url == facts.https_url == "https://github.com/acme/shop.git"
    assert "s3cr3t" not in repr(facts)


def test_detached_head(repo: Path) -> None:
    git(repo, "checkout", "-q", "--detach")
    git(repo, "remote", "add", "origin", "git@github.com:acme/shop.git")
    facts = git_facts(repo)
    assert facts.is_repo and facts.branch is None
    assert facts.remote_url == "ssh://git@github.com/acme/shop.git"


def test_other_branch_and_unborn_branch(repo: Path, tmp_path: Path) -> None:
    git(repo, "checkout", "-q", "-b", "feature/flux")
    assert git_facts(repo).branch == "feature/flux"
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    git(fresh, "init", "-q", "-b", "trunk")
    assert git_facts(fresh) == GitFacts(remote_url=None, https_url=None, branch="trunk", is_repo=True)


def test_git_missing(repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    assert git_facts(repo) == GitFacts(remote_url=None, https_url=None, branch=None, is_repo=False)


def test_no_git_process_outside_a_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = tmp_path / "calls"
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "git").write_text(f"#!/bin/sh\necho \"$@\" >> {calls}\nexit 128\n")
    (fake / "git").chmod(0o755)
    monkeypatch.setenv("PATH", str(fake))
    folder = tmp_path / "plain"
    folder.mkdir()
    assert git_facts(folder).is_repo is False
    assert not calls.exists()
    (folder / ".git").mkdir()  # with a .git above, git is asked (and this one says no)
    assert git_facts(folder).is_repo is False
    assert calls.read_text().count("\n") == 1


def test_git_dir_variable_does_not_redirect(repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    git(repo, "remote", "add", "origin", "https://github.com/acme/shop.git")
    monkeypatch.setenv("GIT_DIR", str(tmp_path / "elsewhere"))
    assert git_facts(repo).remote_url == "https://github.com/acme/shop.git"


@pytest.mark.parametrize(
    ("url", "flux", "https"),
    [
        ("git@github.com:org/repo.git", "ssh://git@github.com/org/repo.git", "https://github.com/org/repo.git"),
        ("github.com:org/repo", "ssh://github.com/org/repo", "https://github.com/org/repo"),
        ("git@host.example:/srv/git/r.git", "ssh://git@host.example/srv/git/r.git", "https://host.example/srv/git/r.git"),
        ("ssh://git@github.com/org/repo.git", "ssh://git@github.com/org/repo.git", "https://github.com/org/repo.git"),
        ("ssh://git@host:2222/org/repo.git", "ssh://git@host:2222/org/repo.git", "https://host/org/repo.git"),
        ("ssh://user:pw@host/org/r.git", "ssh://user@host/org/r.git", "https://host/org/r.git"),
        ("https://github.com/org/repo.git", "https://github.com/org/repo.git", "https://github.com/org/repo.git"),
        ("https://ghp_token@github.com/org/r", "https://github.com/org/r", "https://github.com/org/r"),
        ("http://gitea.local:3000/o/r.git", "http://gitea.local:3000/o/r.git", "http://gitea.local:3000/o/r.git"),
        ("git://host.example/o/r.git", "git://host.example/o/r.git", "https://host.example/o/r.git"),
        ("git@host.example:~me/r.git", "ssh://git@host.example/~me/r.git", None),
        ("/srv/git/repo.git", "/srv/git/repo.git", None),
        ("../sibling.git", "../sibling.git", None),
        ("file:///srv/git/repo.git", "file:///srv/git/repo.git", None),
        ("C:\\repos\\shop", "C:\\repos\\shop", None),
    ],
)
def test_url_forms(url: str, flux: str, https: str | None) -> None:
    assert flux_url(url) == flux
    assert https_url(url) == https
