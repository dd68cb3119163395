#!/usr/bin/env python3
"""What an answer costs the interview's "What I know" panel: the resolve stage run on the answers so far.

The Textual app re-resolves after every answer (wizard/core/resolve/draft.py DraftResolver, in a worker). The
first call reads the repository; later calls reuse that scan and pay only parse + resolve + summary. On the
benchmark's synthetic app (scripts/bench.py, --workloads, default 200 = 1,000 objects, five environments, in a
temporary folder), this prints the first call and the median of --repeat later calls, and their ratio.
(Until session 4 this was a timed test; timings belong in benchmarks.)

    python scripts/bench_known.py --workloads 200 --repeat 5
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench  # noqa: E402  (the synthetic app of the main benchmark)

from wizard.core.resolve.draft import DraftResolver  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--workloads", type=int, default=200)
    p.add_argument("--repeat", type=int, default=5)
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="k8s-wizard-bench-known-") as tmp:
        root = Path(tmp)
        objects = bench.generate(root, args.workloads)
        answers = yaml.safe_load((root / "answers.yaml").read_text(encoding="utf-8"))
        every = frozenset({"environments[*].name"})  # what is settled does not change the cost
        resolver = DraftResolver(root)
        started = time.perf_counter()
        first = resolver.known(answers, every)
        first_s = time.perf_counter() - started
        if first.problem is not None:
            sys.exit(f"bench_known: the answers do not resolve: {first.problem}")
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            resolver.known(answers, every)
            times.append(time.perf_counter() - started)
        later = statistics.median(times)
    print(f"known() at {objects:,} objects: first call {first_s:.3f} s (with the scan), then {later:.3f} s per answer "
          f"(median of {args.repeat}) = {later / first_s:.2f}x the first")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
