"""Writes are all or nothing under SIGKILL, repeated Ctrl+C, symlink swaps, hand edits and OS errors.

A synthetic repository (12 workloads, five environments, ~200 files) is migrated once; a second
apply creates, changes and removes files. That write is killed with SIGKILL at steps spread over every
phase (staging, journal, each switch, commit), and interrupted by two SIGINTs; after the recovery the next
command runs first, the tree is byte for byte the old one or the new one, with no temporary file, and the
next run succeeds. The long campaign over every step is scripts/harden_campaign.py.
"""

from __future__ import annotations

import errno
import os
import random

import pytest
from conftest import run_cli, run_cli_process
from crash_helpers import Scenario, exit_code, killed, leftovers, tree_bytes

from wizard.core.errors import BlockingError, InputError
from wizard.core.pipeline import write
from wizard.core.write import journal
from wizard.core.write.journal import FAULT_ENV


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    return Scenario.make(tmp_path_factory.mktemp("crash"))


def points(scenario: Scenario, count: int, seed: int) -> list[int]:
    """Every phase boundary, and `count` more steps drawn with a fixed seed."""
    writes = sum(1 for c in scenario.outcome.changes if c.kind.value in ("create", "change")) + 1
    edges = {1, writes - 1, writes, writes + 1, writes + 2, writes + 3, scenario.steps - 2, scenario.steps - 1,
             scenario.steps}
    rng = random.Random(seed)
    return sorted(edges | set(rng.sample(range(1, scenario.steps + 1), count)))


def test_sigkill_at_any_step_leaves_the_old_or_the_new_tree(scenario: Scenario) -> None:
    assert len(scenario.new) > 100 and scenario.old != scenario.new
    verdicts: dict[int, str] = {}
    for point in points(scenario, 6, seed=10):
        verdict, status, _ = scenario.crash("kill", point)
        assert killed(status), f"step {point}: the child was not killed (status {status})"
        verdicts[point] = verdict
    assert [p for p, v in verdicts.items() if v == "mixed"] == []
    assert "old" in verdicts.values() and "new" in verdicts.values()  # crashes before and after the commit


def test_two_sigints_undo_everything(scenario: Scenario) -> None:
    writes = sum(1 for c in scenario.outcome.changes if c.kind.value in ("create", "change")) + 1
    for point in (2, writes + 1, writes + 30, scenario.steps - 2):
        verdict, status, _ = scenario.crash("sigint", point)
        assert exit_code(status) == 130, f"step {point}: status {status}"
        assert verdict == "old", f"step {point}: {verdict} tree after Ctrl+C Ctrl+C"


def test_the_next_run_after_a_kill_finishes_the_job(scenario: Scenario) -> None:
    """The real command line: killed half-way through the switch, the next `apply` undoes it, then writes."""
    repo = scenario.copy("cli")
    answers = scenario.root / "second.yaml"
    env = {FAULT_ENV: f"kill:{scenario.steps // 2}"}
    before = dict(os.environ)
    os.environ.update(env)
    try:
        dead = run_cli_process("apply", "--answers", str(answers), "--repo", str(repo), "--yes")
    finally:
        os.environ.clear()
        os.environ.update(before)
    assert dead.code == -9, dead.describe()
    assert tree_bytes(repo) not in (scenario.old, scenario.new)  # half-way, before the recovery
    again = run_cli_process("apply", "--answers", str(answers), "--repo", str(repo), "--yes")
    assert again.code == 0, again.describe()
    assert "note: an interrupted write of" in again.err and "was undone" in again.err
    assert tree_bytes(repo) == scenario.new and leftovers(repo) == []
    interrupted = scenario.copy("cli-int")
    os.environ[FAULT_ENV] = f"sigint:{scenario.steps // 2}"
    try:
        result = run_cli_process("apply", "--answers", str(answers), "--repo", str(interrupted), "--yes")
    finally:
        del os.environ[FAULT_ENV]
    assert result.code == 130 and "interrupted: nothing written" in result.err, result.describe()
    assert tree_bytes(interrupted) == scenario.old and leftovers(interrupted) == []


def _at_step(monkeypatch: pytest.MonkeyPatch, step: int, action) -> None:
    """Run `action` inside the write at its `step`-th safe point (in-process)."""
    original = journal.Journal._checkpoint
    count = {"n": 0}

    def checkpoint(self: journal.Journal) -> None:
        count["n"] += 1
        if count["n"] == step:
            action()
        original(self)

    monkeypatch.setattr(journal.Journal, "_checkpoint", checkpoint)


def test_a_folder_swapped_for_a_symlink_mid_write_is_never_written_through(scenario: Scenario, monkeypatch) -> None:
    repo = scenario.copy("symlink")
    outside = scenario.root / "outside"
    outside.mkdir(exist_ok=True)
    writes = sum(1 for c in scenario.outcome.changes if c.kind.value in ("create", "change")) + 1

    def swap() -> None:
        (repo / "k8s/overlays/staging").rename(repo / "k8s/moved-staging")
        (repo / "k8s/overlays/staging").symlink_to(outside, target_is_directory=True)

    _at_step(monkeypatch, writes + 2, swap)  # after staging and the journal, as the switch begins
    with pytest.raises(InputError, match="became a symbolic link"):
        write(repo, scenario.outcome)
    assert list(outside.iterdir()) == []
    (repo / "k8s/overlays/staging").unlink()
    (repo / "k8s/moved-staging").rename(repo / "k8s/overlays/staging")
    assert tree_bytes(repo) == scenario.old and leftovers(repo) == []


def test_a_hand_edit_saved_during_the_write_is_a_conflict_and_kept(scenario: Scenario, monkeypatch) -> None:
    repo = scenario.copy("edit")
    changed = sorted(c.path for c in scenario.outcome.changes if c.kind.value == "change")
    victim = repo / changed[-1]
    edited = victim.read_text(encoding="utf-8") + "# my hand edit\n"
    writes = sum(1 for c in scenario.outcome.changes if c.kind.value in ("create", "change")) + 1

    def save() -> None:  # as an editor saves: a new file in its place (the copy's files are hard links)
        victim.unlink()
        victim.write_text(edited, encoding="utf-8")

    _at_step(monkeypatch, writes + 3, save)
    with pytest.raises(BlockingError, match="changed on disk while k8s-wizard was writing"):
        write(repo, scenario.outcome)
    expected = dict(scenario.old, **{changed[-1]: edited.encode()})
    assert tree_bytes(repo) == expected and leftovers(repo) == []


@pytest.mark.parametrize("err", [errno.ENOSPC, errno.EROFS, errno.EACCES])
def test_os_errors_are_exit_2_and_leave_nothing(scenario: Scenario, monkeypatch, err: int) -> None:
    repo = scenario.copy(f"oserror-{err}")
    real_link = os.link
    calls = {"n": 0}
    half = sum(1 for c in scenario.outcome.changes if c.kind.value in ("create", "change")) // 2

    def failing_link(*args, **kwargs) -> None:
        calls["n"] += 1
        if calls["n"] == half:
            raise OSError(err, os.strerror(err))
        real_link(*args, **kwargs)

    monkeypatch.setattr(os, "link", failing_link)
    with pytest.raises(InputError) as caught:
        write(repo, scenario.outcome)
    assert caught.value.exit_code == 2 and "Nothing was written" in str(caught.value)
    assert tree_bytes(repo) == scenario.old and leftovers(repo) == []


def test_disk_full_while_staging_and_a_file_where_a_folder_goes(scenario: Scenario) -> None:
    repo = scenario.copy("enospc")
    os.environ[FAULT_ENV] = "enospc:5"
    try:
        with pytest.raises(InputError, match="no space left on the device"):
            write(repo, scenario.outcome)
    finally:
        del os.environ[FAULT_ENV]
    assert tree_bytes(repo) == scenario.old and leftovers(repo) == []
    blocked = scenario.copy("file-for-folder")
    (blocked / "k8s/overlays/preview").write_text("a file\n", encoding="utf-8")  # a new file: no hard link
    before = tree_bytes(blocked)
    result = run_cli("apply", "--answers", str(scenario.root / "second.yaml"), "--repo", str(blocked), "--yes")
    assert result.code == 2, result.describe()
    assert "k8s/overlays/preview: is a file where a folder must go" in result.text
    assert "Traceback" not in result.text
    assert tree_bytes(blocked) == before and leftovers(blocked) == []
