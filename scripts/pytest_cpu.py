"""A pytest plugin that records each test's CPU seconds (its own and its children's), for work on the suite's speed.

    PYTHONPATH=scripts python -m pytest -q -n auto -p pytest_cpu          # writes test-cpu.log (or $TEST_CPU_LOG)
    python scripts/pytest_cpu.py test-cpu.log                            # CPU per test module, most first

Children are counted when they are waited for (subprocess.run waits), so a CLI test's kustomize builds count
in "children". Wall time under load says little on a shared 2-core machine; CPU seconds compare across runs.
"""

from __future__ import annotations

import collections
import os
import resource
import sys
from collections.abc import Iterator
from typing import Any

import pytest


def _cpu() -> tuple[float, float]:
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, kids.ru_utime + kids.ru_stime


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: Any) -> Iterator[None]:
    before = _cpu()
    yield
    after = _cpu()
    with open(os.environ.get("TEST_CPU_LOG", "test-cpu.log"), "a", encoding="utf-8") as fh:
        fh.write(f"{after[0] - before[0]:.3f} {after[1] - before[1]:.3f} {item.nodeid}\n")


def summary(path: str) -> str:
    """CPU seconds per test module: own, children, total; most first."""
    own: collections.defaultdict[str, float] = collections.defaultdict(float)
    kids: collections.defaultdict[str, float] = collections.defaultdict(float)
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            a, b, node = line.split(" ", 2)
            module = node.split("::", 1)[0]
            own[module] += float(a)
            kids[module] += float(b)
    rows = sorted(own, key=lambda m: own[m] + kids[m], reverse=True)
    lines = [f"total {sum(own.values()) + sum(kids.values()):.1f} s (own {sum(own.values()):.1f}, "
             f"children {sum(kids.values()):.1f})"]
    lines += [f"{own[m] + kids[m]:7.1f} own {own[m]:6.1f} children {kids[m]:6.1f}  {m}" for m in rows]
    return "\n".join(lines)


if __name__ == "__main__":
    print(summary(sys.argv[1] if len(sys.argv) > 1 else "test-cpu.log"))
