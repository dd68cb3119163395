#!/usr/bin/env python3
"""The hardening campaign (issue 10): the long version of the suite's crash, fuzz and bad-input tests.

It prints the figures the closing note gives:

* bad inputs: hand-made cases (tests/test_harden_inputs.py) and every answers key set to a series of bad
  values; each must be exit 2 with an `error:` message, no traceback, no "internal error", nothing written
  (values that happen to be valid are counted apart);
* fuzz: seeded mutations of manifests and answers (tests/fuzzing.py) through `plan`, and some through
  `apply --yes`; tracebacks and internal errors must be 0;
* kills: a synthetic repository's second apply (tests/crash_helpers.py) killed with SIGKILL at every step,
  interrupted by two SIGINTs at every step, and real `k8s-wizard apply` processes killed from outside after
  a random delay (fixed seeds); after the recovery the next command runs first, every tree must be entirely
  old or entirely new with no temporary file, and the next run must succeed.

    python scripts/harden_campaign.py                 # everything (about 15 minutes on 2 busy cores)
    python scripts/harden_campaign.py --quick         # a smoke run
"""

from __future__ import annotations

import argparse
import copy
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT / "tests"))
sys.path.insert(0, str(PROJECT))

import yaml  # noqa: E402
from conftest import run_cli  # noqa: E402
from crash_helpers import Scenario, exit_code, killed, leftovers, tree_bytes  # noqa: E402
from fuzzing import run_one  # noqa: E402

BAD_VALUES = ["", None, [], {}, 7, -1, True, "a b", "../x", "/abs", "UPPER", "x" * 300, "k8s\nx", "é", "1e3",
              {"nope": 1}, ["a", {"b": 1}]]
ANSWER_KEYS = [("app",), ("source",), ("output",), ("environments",), ("environments", 0), ("environments", 0, "name"),
               ("environments", 0, "namespace"), ("environments", 0, "replicas"), ("environments", 0, "host"),
               ("environments", 0, "image_tag"), ("environments", 0, "resources"), ("environments", 0, "autoscaling"),
               ("environments", 0, "services"), ("environments", 0, "config"), ("environments", 1, "current"),
               ("secrets",), ("secrets", "provider"), ("secrets", "scope"), ("flux",), ("flux", "url"),
               ("flux", "branch"), ("ci",), ("version",)]


def _set(data: dict, path: tuple, value: object) -> dict:
    data = copy.deepcopy(data)
    node = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return data


def bad_inputs(work: Path, quick: bool) -> dict[str, int]:
    """Hand-made bad inputs and every answers key set to bad values, through `apply --yes`."""
    import test_harden_inputs as cases
    from kube import FIXTURES

    counts: Counter[str] = Counter()
    unclean: list[str] = []

    def judge(label: str, repo: Path, answers: Path, *, expect_refused: bool) -> None:
        before = tree_bytes(repo)
        result = run_cli("apply", "--answers", str(answers), "--repo", str(repo), "--yes")
        clean = "Traceback" not in result.text and "internal error" not in result.text
        counts["tried"] += 1
        if result.code == 2 and clean and "error:" in result.err and tree_bytes(repo) == before:
            counts["refused cleanly"] += 1
        elif result.code in (0, 1) and clean and not expect_refused:
            counts["accepted (valid) or blocked by a finding"] += 1
        else:
            unclean.append(f"{label}: exit {result.code}: {result.text[-300:]}")

    base = yaml.safe_load((FIXTURES / "plain-folder" / "answers.yaml").read_text(encoding="utf-8"))
    for i, name in enumerate(sorted(cases.MANIFEST_CASES)):
        text, expected = cases.MANIFEST_CASES[name]
        root = work / f"m{i}"
        repo, answers = cases.repo_with(root)
        (repo / "manifests" / "bomb.yaml").write_text(text, encoding="utf-8")
        judge(f"manifest: {name}", repo, answers, expect_refused=expected is not None)
    for i, name in enumerate(sorted(cases.ANSWER_CASES)):
        changes, _ = cases.ANSWER_CASES[name]
        root = work / f"a{i}"
        repo, answers = cases.repo_with(root, {**base, **changes})
        judge(f"answers: {name}", repo, answers, expect_refused=True)
    keys = ANSWER_KEYS[:4] if quick else ANSWER_KEYS
    for k, path in enumerate(keys):
        for v, value in enumerate(BAD_VALUES):
            root = work / f"k{k}-{v}"
            try:
                data = _set(base, path, value)
            except (KeyError, IndexError, TypeError):
                continue
            repo, answers = cases.repo_with(root, data)
            judge(f"answers {'.'.join(map(str, path))} = {value!r}", repo, answers, expect_refused=False)
    for endless in ("/dev/zero", "/dev/urandom"):
        repo, _ = cases.repo_with(work / f"endless-{Path(endless).name}")
        judge(f"answers {endless}", repo, Path(endless), expect_refused=True)
    counts["unclean"] = len(unclean)
    for line in unclean[:20]:
        print("  UNCLEAN", line)
    return dict(counts)


def fuzz(work: Path, seeds: int, apply_seeds: int) -> dict[str, int]:
    """Seeded mutations through `plan` (both kinds) and `apply --yes` (fewer: it builds with kustomize)."""
    counts: Counter[str] = Counter()
    bad: list[str] = []
    runs = [(s, k, ("plan", "--format", "json")) for s in range(seeds) for k in ("manifest", "answers")]
    runs += [(100_000 + s, k, ("apply", "--yes")) for s in range(apply_seeds) for k in ("manifest", "answers")]
    for seed, kind, command in runs:
        run = run_one(work, seed, kind, command)
        counts["runs"] += 1
        counts[f"exit {run.code}"] += 1
        if run.exception is not None:
            counts["tracebacks"] += 1
        if "internal error" in run.output:
            counts["internal errors"] += 1
        if not run.clean:
            bad.append(f"seed {seed} {kind} {command[0]}: {run.exception or run.output[-200:]}")
    counts.setdefault("tracebacks", 0)
    counts.setdefault("internal errors", 0)
    counts["unclean"] = len(bad)
    for line in bad[:20]:
        print("  UNCLEAN", line)
    return dict(counts)


def kills(work: Path, every: int, external: int) -> dict[str, int]:
    """SIGKILL and double SIGINT at steps of the write; SIGKILL from outside after random delays."""
    scenario = Scenario.make(work / "scenario", workloads=20)
    counts: Counter[str] = Counter()
    counts["steps per write"] = scenario.steps
    for point in range(1, scenario.steps + 2, every):
        verdict, status, _ = scenario.crash("kill", point)
        counts["SIGKILL points"] += 1
        counts[f"SIGKILL -> {verdict}"] += 1
        if not killed(status) and point <= scenario.steps:
            counts["SIGKILL point not reached"] += 1
        verdict, status, _ = scenario.crash("sigint", point)
        counts["double-SIGINT points"] += 1
        counts[f"double SIGINT -> {verdict} (exit {exit_code(status)})"] += 1
    answers = scenario.root / "second.yaml"
    env = {**os.environ, "PYTHONPATH": str(PROJECT)}
    # How long a whole apply takes, to spread the external kills over it.
    probe = scenario.copy("probe")
    start = time.monotonic()
    subprocess.run([sys.executable, "-m", "wizard", "apply", "--answers", str(answers), "--repo", str(probe), "--yes"],
                   env=env, capture_output=True, check=True)
    whole = time.monotonic() - start
    rng = random.Random(20261201)
    for i in range(external):
        repo = scenario.copy(f"external-{i % 3}")
        proc = subprocess.Popen([sys.executable, "-m", "wizard", "apply", "--answers", str(answers), "--repo", str(repo),
                                 "--yes"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.8 * whole, 1.05 * whole))  # the write is at the end of the run
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        from wizard.core.write.journal import recover

        recover(repo)
        tree = tree_bytes(repo)
        verdict = "old" if tree == scenario.old else "new" if tree == scenario.new else "mixed"
        if leftovers(repo):
            verdict = "mixed"
        counts["external SIGKILLs"] += 1
        counts[f"external SIGKILL -> {verdict}"] += 1
        again = subprocess.run([sys.executable, "-m", "wizard", "apply", "--answers", str(answers), "--repo", str(repo),
                                "--yes"], env=env, capture_output=True, text=True)
        if again.returncode != 0 or tree_bytes(repo) != scenario.new or leftovers(repo):
            counts["next run failed"] += 1
        else:
            counts["next run succeeded"] += 1
    counts["mixed trees"] = sum(v for k, v in counts.items() if k.endswith("mixed") or "-> mixed" in k)
    return dict(counts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--parts", default="bad,fuzz,kills", help="comma-separated: bad, fuzz, kills")
    args = parser.parse_args(argv)
    parts = set(args.parts.split(","))
    with tempfile.TemporaryDirectory(prefix="k8s-wizard-campaign-") as tmp:
        work = Path(tmp)
        started = time.monotonic()
        if "bad" in parts:
            print("bad inputs:", bad_inputs(work / "bad", args.quick), flush=True)
        if "fuzz" in parts:
            print("fuzz:", fuzz(work / "fuzz", 100 if args.quick else 1500, 10 if args.quick else 100), flush=True)
        if "kills" in parts:
            print("kills:", kills(work / "kill", 25 if args.quick else 1, 3 if args.quick else 30), flush=True)
        print(f"done in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
