"""The built objects of every overlay stay byte-identical when the overlay's kustomize constructs change.

Every case of the golden test (every fixture, every real repo under ../shared/fixtures/real, the answer
variants) plus a small copy of the benchmark's synthetic app (five environments with replicas, resources,
autoscaling, config, hosts and image tags on many workloads) is rendered, written to a temporary folder
and each overlay built with the real kustomize. The sha256 of each build's output is compared with
tests/built/<case>.json, recorded from the constructs before the change (one `replicas:` entry and one
targeted patch per workload). Rendered files may change (tests/golden/ records those); what the cluster
receives may not.

A deliberate change of what an overlay builds (a new answer, a fixed bug) is accepted with

    K8S_WIZARD_BUILT=update python -m pytest -q tests/test_built_objects.py

and named in the commit message.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path

import pytest
import yaml
from conftest import Case, make_repo
from kube import run_build
from test_golden import CASE_IDS, render_case

RECORDS = Path(__file__).resolve().parent / "built"
UPDATE = os.environ.get("K8S_WIZARD_BUILT") == "update"
SYNTHETIC = ("synthetic-16", "synthetic-16-heavy", "synthetic-40")
"""The benchmark's app at 16 workloads (under the images patch threshold) and at 40 (over it: patches/images.yaml)."""
MANY_IMAGES = "many-images"
"""tests/fixtures/many-images with its answers-builds.yaml: images in every shape kustomize's `images:` retags."""


def _render(case: Case, root: Path) -> dict[str, str]:
    from wizard.core.pipeline import build, read_answers

    repo, answers_file = make_repo(case, root)
    parsed, inventory = read_answers(repo, answers_file)
    return dict(sorted(build(repo, parsed, inventory).rendered.items()))


def many_images_case() -> Case:
    """The many-images fixture (not a golden case: it has no answers.yaml)."""
    folder = Path(__file__).resolve().parent / "fixtures" / MANY_IMAGES
    answers = yaml.safe_load((folder / "answers-builds.yaml").read_text(encoding="utf-8"))
    return Case(MANY_IMAGES, folder / "manifests", answers)


def _synthetic(root: Path, workloads: int, heavy: bool) -> dict[str, str]:
    """The benchmark's generator (multi-document files, a List, an anchor included).

    `heavy`: resources and autoscaling for every workload in every environment but the current one.
    """
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
    import bench

    src = root / "src"
    bench.generate(src, workloads, heavy)
    return _render(Case("synthetic", src / "manifests", json.loads(json.dumps(bench.answers(workloads, heavy)))), root)


def rendered_files(case_id: str, root: Path) -> dict[str, str]:
    """What k8s-wizard renders for a case of this test."""
    if case_id in SYNTHETIC:
        return _synthetic(root, int(case_id.split("-")[1]), case_id.endswith("-heavy"))
    if case_id == MANY_IMAGES:
        return _render(many_images_case(), root)
    return render_case(case_id, root)


def built_hashes(case_id: str, root: Path) -> dict[str, str]:
    """{overlay folder: sha256 of `kubectl kustomize` output} for every overlay the case renders."""
    files = rendered_files(case_id, root)
    out = root / "out"
    for path, text in files.items():
        target = out / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    overlays = sorted({str(Path(p).parent) for p in files if "/overlays/" in p and p.endswith("/kustomization.yaml")})
    hashes = {}
    for rel in overlays:
        code, stdout, stderr = run_build(out / rel)
        assert code == 0, f"{case_id}: {rel} does not build: {stderr}"
        assert not stderr.strip(), f"{case_id}: {rel} builds with warnings: {stderr}"
        hashes[rel] = hashlib.sha256(stdout.encode("utf-8")).hexdigest()
    return hashes


@pytest.mark.parametrize("case_id", [*CASE_IDS, *SYNTHETIC, MANY_IMAGES])
def test_every_overlay_builds_the_recorded_objects(case_id: str, tmp_path: Path) -> None:
    got = built_hashes(case_id, tmp_path)
    record = RECORDS / f"{case_id}.json"
    if UPDATE:
        RECORDS.mkdir(exist_ok=True)
        record.write_text(json.dumps(got, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        return
    assert record.is_file(), f"no record {record}: run with K8S_WIZARD_BUILT=update (see the module docstring)"
    want = json.loads(record.read_text(encoding="utf-8"))
    assert got.keys() == want.keys(), f"{case_id}: overlays differ: {sorted(got)} vs {sorted(want)}"
    changed = sorted(k for k in got if got[k] != want[k])
    assert not changed, f"{case_id}: these overlays build different objects than recorded: {changed}"
