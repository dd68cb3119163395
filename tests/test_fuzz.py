"""Fuzzing in the suite: fixed seeds mutate manifests and answers of our fixture repositories (a value of the wrong
shape, a key deleted or added, a kind changed, a List wrapped around an object, YAML text cut short or spiked with
tabs, aliases, tags, templates, duplicate keys), then run the real command line. No run may end in a traceback or the
last-resort "internal error": only exit 0, 1 or 2, and a non-zero exit says why. The long campaign (thousands of
seeds, `apply` as well) is scripts/harden_campaign.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fuzzing import run_one

SEEDS = range(0, 50)


@pytest.mark.parametrize("kind", ["manifest", "answers"])
def test_no_input_ends_in_a_traceback(tmp_path: Path, kind: str) -> None:
    runs = [run_one(tmp_path, seed, kind) for seed in SEEDS]
    bad = [f"seed {r.seed} ({r.what}): exit {r.code}, {r.exception or r.output[-300:]}" for r in runs if not r.clean]
    assert bad == []
    codes = {r.code for r in runs}
    assert 0 in codes and 2 in codes, codes  # the mutations reach both valid and refused inputs
