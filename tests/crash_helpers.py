"""A large synthetic repository and a write to crash: shared by tests/test_write_crash.py and
scripts/harden_campaign.py (the long campaign that gives the figures in notes/issue-10-harden.md).

`Scenario` is a repository already migrated once (the old tree) and an outcome that changes, creates
and removes files (the new tree). `crash(point)` copies the old tree, runs the write in a forked child
that the K8S_WIZARD_FAULT hook kills (or interrupts twice) at that step, then runs the recovery a next
command would run, and says whether the tree is entirely old or entirely new with no temporary file.
"""

from __future__ import annotations

import copy
import importlib.util
import os
import shutil
import signal
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

PROJECT = Path(__file__).resolve().parents[1]


def _bench() -> Any:
    spec = importlib.util.spec_from_file_location("k8s_wizard_bench", PROJECT / "scripts" / "bench.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("k8s_wizard_bench", module)
    spec.loader.exec_module(module)
    return module


def tree_bytes(repo: Path) -> dict[str, bytes]:
    """Every file under the repository (git's folder aside), by relative path."""
    return {p.relative_to(repo).as_posix(): p.read_bytes() for p in sorted(repo.rglob("*"))
            if p.is_file() and ".git" not in p.relative_to(repo).parts}


def leftovers(repo: Path) -> list[str]:
    """Temporary files and staging folders a write must never leave behind."""
    found = [p.relative_to(repo).as_posix() for p in repo.rglob("*")
             if p.name.endswith(".tmp") or p.name.startswith(".k8s-wizard-")]
    if (repo / ".k8s-wizard" / "txn").exists():
        found.append(".k8s-wizard/txn")
    return sorted(found)


@dataclass
class Scenario:
    """The old tree (a first apply), the outcome of a second apply and the tree it gives."""

    root: Path
    repo: Path
    outcome: Any
    old: dict[str, bytes]
    new: dict[str, bytes]
    steps: int

    @classmethod
    def make(cls, root: Path, workloads: int = 12) -> Scenario:
        from conftest import run_cli

        from wizard.core.pipeline import build, read_answers, write

        bench = _bench()
        repo = root / "base-repo"
        repo.mkdir(parents=True)
        bench.generate(repo, workloads)
        first = yaml.safe_load((repo / "answers.yaml").read_text(encoding="utf-8"))
        (repo / "answers.yaml").unlink()
        first_file = root / "first.yaml"
        first_file.write_text(yaml.safe_dump(first, sort_keys=False), encoding="utf-8")
        result = run_cli("apply", "--answers", str(first_file), "--repo", str(repo), "--yes")
        assert result.code == 0, result.describe()
        second = copy.deepcopy(first)
        envs = second["environments"]
        envs[:] = [e for e in envs if e["name"] != "qa"]  # its overlay and Flux object are removed
        envs.insert(0, {"name": "preview", "namespace": "shop-preview", "replicas": 1})  # created
        next(e for e in envs if e["name"] == "staging")["replicas"] = 3  # changed
        second_file = root / "second.yaml"
        second_file.write_text(yaml.safe_dump(second, sort_keys=False), encoding="utf-8")
        answers, inventory = read_answers(repo, second_file)
        outcome = build(repo, answers, inventory)
        old = tree_bytes(repo)
        reference = root / "reference"
        shutil.copytree(repo, reference)
        write(reference, outcome)
        new = tree_bytes(reference)
        shutil.rmtree(reference)
        kinds = {c.kind.value for c in outcome.changes}
        assert {"create", "change", "remove"} <= kinds, kinds
        changed = sum(1 for c in outcome.changes if c.kind.value in ("create", "change", "remove")) + 1  # + the record
        writes = sum(1 for c in outcome.changes if c.kind.value in ("create", "change")) + 1
        steps = writes + 1 + 2 * changed + 1  # stage, journal, switch (2 per file), after commit
        return cls(root, repo, outcome, old, new, steps)

    def copy(self, name: str) -> Path:
        target = self.root / name
        if target.exists():
            shutil.rmtree(target)
        # Hard links: the writer never writes into an existing file (it renames and links), so the copies
        # share the old tree's contents safely, and a copy costs a fraction of a real one.
        shutil.copytree(self.repo, target, symlinks=True, copy_function=os.link)
        return target

    def crash(self, action: str, point: int, name: str = "crash") -> tuple[str, int, Path]:
        """Write in a forked child with K8S_WIZARD_FAULT=action:point; then recover.

        Returns ("old" | "new" | "mixed", the child's wait status, the repository copy).
        """
        from wizard.core.pipeline import write
        from wizard.core.write.journal import FAULT_ENV, recover

        repo = self.copy(name)
        pid = os.fork()
        if pid == 0:  # the child: write, and die the way the hook says
            code = 0
            try:
                os.environ[FAULT_ENV] = f"{action}:{point}"
                write(repo, self.outcome)
            except KeyboardInterrupt:
                code = 130
            except BaseException:  # noqa: BLE001 - any other end is a failure the parent sees as 3
                code = 3
            finally:
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        if action == "kill":
            recover(repo)  # what the next command does first
        tree = tree_bytes(repo)
        verdict = "old" if tree == self.old else "new" if tree == self.new else "mixed"
        if leftovers(repo):
            verdict = "mixed"
        return verdict, status, repo


def killed(status: int) -> bool:
    return os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL


def exit_code(status: int) -> int | None:
    return os.WEXITSTATUS(status) if os.WIFEXITED(status) else None
