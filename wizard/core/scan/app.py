"""The inventory for a set of answers: today's manifests, a chart, or the objects a new app will create."""

from __future__ import annotations

from pathlib import Path

from wizard.core.answers.parse import Answers
from wizard.core.scan.chart import scan_chart
from wizard.core.scan.manifests import Inventory, scan
from wizard.core.scan.newapp import new_app_inventory


def scan_app(repo: Path, answers: Answers) -> Inventory:
    """The app's objects: scanned from `source`, a Helm app's chart, or the ones a new app's first deployment creates."""
    if answers.new_app is not None:
        return new_app_inventory(repo, answers)
    if answers.helm is not None:
        inventory = Inventory(repo=repo, source=None)
        inventory.chart = scan_chart(repo, answers.helm)
        return inventory
    return scan(repo, answers.source)


def scanned_for(inventory: Inventory | None, answers: Answers) -> bool:
    """True when `inventory` is the one `scan_app` gives for these answers (so it need not be scanned again)."""
    if inventory is None or inventory.source != answers.source:
        return False
    if answers.new_app is not None:
        return inventory.generated
    if answers.helm is not None:
        return inventory.chart is not None
    return not inventory.generated
