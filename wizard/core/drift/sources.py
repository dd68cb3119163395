"""Where the two sides of a drift report come from: a repository on disk, or an outcome not yet written."""

from __future__ import annotations

import tempfile
from pathlib import Path

from wizard.core.drift.build import drift_report, sides
from wizard.core.drift.report import DriftReport
from wizard.core.layout import Layout
from wizard.core.pipeline import Outcome, build, lay_out, read_answers
from wizard.core.write.changes import read_state


def compare_repo(repo: Path, a: str, b: str, answers_path: Path | None = None) -> DriftReport:
    """The overlays on disk against what k8s-wizard generated for them.

    The generation is the record of the last `apply` (`.k8s-wizard/generated.json`); without one for an
    overlay, the files are generated afresh from the answers.
    """
    answers, inventory = read_answers(repo, answers_path)
    side_a, side_b = sides(answers, a, b)
    expected = read_state(repo)
    layout = Layout(answers.output)
    if any(f"{layout.overlay(s.env.name)}/kustomization.yaml" not in expected for s in (side_a, side_b)):
        expected = build(repo, answers, inventory).rendered
    return drift_report(repo, answers, a, b, expected)


def compare_outcome(repo: Path, outcome: Outcome, a: str, b: str) -> DriftReport:
    """The overlays as a write of `outcome` would leave them (hand edits merged in) against the generation.

    Nothing in the repository is touched: the tree is laid out in a temporary copy, as the preview's
    build check does.
    """
    with tempfile.TemporaryDirectory(prefix="k8s-wizard-compare-") as tmp:
        target = Path(tmp)
        lay_out(repo, outcome, target)
        return drift_report(target, outcome.answers, a, b, outcome.rendered)
