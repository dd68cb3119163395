"""Golden output: every fixture renders to exactly the files recorded in tests/golden/<case>.json.

Each case (every repo under tests/fixtures, every repo under ../shared/fixtures/real, and the answer
variants below) is rendered the way `apply --dry-run` renders it (`pipeline.build`), in memory, and
every rendered file's sha256 is compared with the record. A difference fails the test and names the
files: a change to rendered output must be deliberate.

To accept a deliberate change, regenerate the records and name the change in the commit message:

    K8S_WIZARD_GOLDEN=update python -m pytest -q tests/test_golden.py

To see what changed, dump the rendered files to a folder (one sub-folder per case) and diff two dumps:

    K8S_WIZARD_GOLDEN_DUMP=/tmp/golden-after python -m pytest -q tests/test_golden.py
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import ALL_CASES, Case, make_repo

from wizard.core.pipeline import build, read_answers

GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("K8S_WIZARD_GOLDEN") == "update"
DUMP = os.environ.get("K8S_WIZARD_GOLDEN_DUMP")


def _variant(base: str, edit: Callable[[dict[str, Any]], None]) -> Callable[[], tuple[Case, dict[str, Any]]]:
    def make() -> tuple[Case, dict[str, Any]]:
        case = next(c for c in ALL_CASES if c.id == base)
        answers = copy.deepcopy(case.answers)
        edit(answers)
        return case, answers

    return make


def _staging(answers: dict[str, Any]) -> dict[str, Any]:
    return next(e for e in answers["environments"] if e["name"] == "staging")


def _production(answers: dict[str, Any]) -> dict[str, Any]:
    return next(e for e in answers["environments"] if e["name"] == "production")


def _one_replica_number(a: dict[str, Any]) -> None:
    _staging(a)["replicas"] = 2
    _production(a)["replicas"] = 3


def _external_postgres(a: dict[str, Any]) -> None:
    _staging(a)["services"] = {"postgres": "external"}


def _shared_postgres(a: dict[str, Any]) -> None:
    _staging(a)["services"] = {"postgres": "shared"}


def _per_workload_resources(a: dict[str, Any]) -> None:
    _staging(a)["resources"] = {"shop-web": {"limits": {"cpu": "200m"}}}


def _new_app_per_env(a: dict[str, Any]) -> None:
    _staging(a)["resources"] = {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"cpu": "200m", "memory": "256Mi"}}
    _staging(a)["image_tag"] = "1.1.0-rc.1"
    _production(a)["image_tag"] = "v1.1.0"


# Answer variants that exercise per-environment settings the fixtures' own answers do not.
VARIANTS: dict[str, Callable[[], tuple[Case, dict[str, Any]]]] = {
    "plain-folder+replicas-number": _variant("plain-folder", _one_replica_number),
    "plain-folder+external-postgres": _variant("plain-folder", _external_postgres),
    "plain-folder+shared-postgres": _variant("plain-folder", _shared_postgres),
    "plain-folder+per-workload-resources": _variant("plain-folder", _per_workload_resources),
    "new-app+per-env": _variant("new-app", _new_app_per_env),
}

CASE_IDS = [c.id for c in ALL_CASES] + sorted(VARIANTS)


def _case(case_id: str) -> tuple[Case, dict[str, Any]]:
    if case_id in VARIANTS:
        return VARIANTS[case_id]()
    case = next(c for c in ALL_CASES if c.id == case_id)
    return case, case.answers


def render_case(case_id: str, root: Path) -> dict[str, str]:
    """{path: text} of every file `apply --dry-run` would write for the case (nothing is written)."""
    case, answers = _case(case_id)
    repo, answers_file = make_repo(case, root, answers)
    parsed, inventory = read_answers(repo, answers_file)
    return dict(sorted(build(repo, parsed, inventory).rendered.items()))


def _hashes(files: dict[str, str]) -> dict[str, str]:
    return {path: hashlib.sha256(text.encode("utf-8")).hexdigest() for path, text in files.items()}


@pytest.mark.parametrize("case_id", CASE_IDS)
def test_rendered_output_is_byte_identical_to_the_golden_record(case_id: str, tmp_path: Path) -> None:
    files = render_case(case_id, tmp_path)
    if DUMP:
        for path, text in files.items():
            target = Path(DUMP) / case_id / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(text.encode("utf-8"))
    record = GOLDEN / f"{case_id}.json"
    got = _hashes(files)
    if UPDATE:
        GOLDEN.mkdir(exist_ok=True)
        record.write_text(json.dumps(got, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        return
    assert record.is_file(), f"no golden record {record}: run with K8S_WIZARD_GOLDEN=update (see the module docstring)"
    want = json.loads(record.read_text(encoding="utf-8"))
    added = sorted(set(got) - set(want))
    removed = sorted(set(want) - set(got))
    changed = sorted(p for p in set(got) & set(want) if got[p] != want[p])
    assert not (added or removed or changed), (
        f"{case_id}: rendered output differs from {record.name}: added {added}, removed {removed}, changed {changed}. "
        "If deliberate, regenerate with K8S_WIZARD_GOLDEN=update and name the change (see the module docstring)."
    )


def test_every_golden_record_belongs_to_a_case() -> None:
    stale = sorted(p.stem for p in GOLDEN.glob("*.json") if p.stem not in CASE_IDS)
    assert not stale, f"golden records without a case (delete them): {stale}"
