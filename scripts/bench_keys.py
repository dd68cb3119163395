#!/usr/bin/env python3
"""What a key costs in the interview: CPU seconds per Enter and per character typed, in the Textual app.

The app runs in this process under Textual's test driver (run_test, no terminal) on a copy of a fixture
repository (default tests/fixtures/plain-folder), waits for the first question, then presses Enter through the
interview with the proposals, each time until the screen and its workers (the "What I know" panel's resolve) are
idle. CPU is the process's (time.process_time: every thread), so a key's figure includes what it started. Then it
goes back to the app's name (the second question, early: a short conversation) and to the last question (late:
the whole conversation on screen) and types a dozen characters into each. Medians of --runs runs.

    python scripts/bench_keys.py                      # plain-folder, 3 runs
    python scripts/bench_keys.py --repo tests/fixtures/guestbook --runs 5
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TYPED = "my-app-name-"


async def _walk(repo: Path) -> dict[str, Any]:
    from wizard.tui.app import make_app
    from wizard.tui.interview import InterviewScreen

    app = make_app(repo)
    out: dict[str, Any] = {"enter": [], "kinds": [], "early": [], "late": []}
    async with app.run_test(size=(100, 32)) as pilot:
        async def idle() -> None:
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()

        def screen() -> InterviewScreen | None:
            s = app.screen
            return s if isinstance(s, InterviewScreen) else None

        started = time.monotonic()
        while True:  # the first question, answerable (the facts in)
            s = screen()
            if s is not None and s.interview is not None and not s.reading and s.query("#reply-input"):
                break
            if time.monotonic() - started > 60:
                raise SystemExit("bench_keys: the first question never showed")
            await asyncio.sleep(0.01)
        await idle()
        for _ in range(80):
            s = screen()
            ask = s.interview.current() if s is not None and s.interview is not None else None
            if ask is None:
                break
            t = time.process_time()
            await pilot.press("enter")
            await idle()
            out["enter"].append(time.process_time() - t)
            out["kinds"].append(ask.type)

        async def typing(question: str) -> list[float]:
            s = screen()
            assert s is not None
            await s.edit(question)
            await idle()
            costs = []
            for ch in TYPED:
                t = time.process_time()
                await pilot.press(ch)
                await pilot.pause()
                costs.append(time.process_time() - t)
            await pilot.press("escape")
            await idle()
            return costs

        out["plans"] = out["enter"].pop()  # the last answer plans the migration (the core's build): not a key's cost
        out["kinds"].pop()
        await pilot.press("escape")  # from the plan back to the interview
        await idle()
        s = screen()
        assert s is not None and s.interview is not None, type(app.screen).__name__
        texts = [e.question.id for e in s.interview.transcript() if e.question.type == "text"]
        if texts:
            out["early"] = await typing(texts[0])
            out["late"] = await typing(texts[-1])
        app.exit()
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repo", type=Path, default=ROOT / "tests" / "fixtures" / "plain-folder",
                   help="a repository to copy and run the interview on")
    p.add_argument("--runs", type=int, default=3)
    args = p.parse_args(argv)
    runs = []
    for _ in range(max(1, args.runs)):
        with tempfile.TemporaryDirectory(prefix="k8s-wizard-bench-keys-") as tmp:
            repo = Path(tmp) / args.repo.name
            shutil.copytree(args.repo, repo)
            subprocess.run(["git", "init", "-q", str(repo)], check=True)
            os.environ["K8S_WIZARD_STATE_DIR"] = str(Path(tmp) / "state")  # no draft of an earlier run
            runs.append(asyncio.run(_walk(repo)))
    enters = [statistics.median(r["enter"]) for r in runs]
    totals = [sum(r["enter"]) for r in runs]
    print(f"{args.repo.name}: {len(runs[0]['enter'])} Enters through the interview (the last answer, which plans, "
          f"apart), CPU per Enter median {statistics.median(enters) * 1000:.0f} ms, the walk {statistics.median(totals):.2f} s; "
          f"the last answer {statistics.median(r['plans'] for r in runs):.2f} s (median of {len(runs)} runs)")
    by_kind: dict[str, list[float]] = {}
    for r in runs:
        for kind, cost in zip(r["kinds"], r["enter"], strict=True):
            by_kind.setdefault(kind, []).append(cost)
    kinds = sorted(by_kind.items())
    print("  by the kind of question answered: " + ", ".join(
        f"{kind} {statistics.median(costs) * 1000:.0f} ms ({len(costs) // len(runs)})" for kind, costs in kinds))
    for when in ("early", "late"):
        costs = [statistics.median(r[when]) for r in runs if r[when]]
        if costs:
            print(f"  a character typed {when} in the interview: {statistics.median(costs) * 1000:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
