"""An installed wheel carries what the tool reads at run time: prompts, templates, the app's stylesheet, schemas."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]


def test_the_wheel_carries_prompts_templates_and_stylesheet(tmp_path: Path) -> None:
    source = tmp_path / "src"  # build from a copy: the build leaves its scratch folders next to the sources
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(PROJECT / name, source / name)
    for folder in ("wizard", "prompts", "templates"):
        shutil.copytree(PROJECT / folder, source / folder, ignore=shutil.ignore_patterns("__pycache__"))
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path / "dist"), str(source)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    wheel = next((tmp_path / "dist").glob("k8s_wizard-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    data = {n.split(".data/data/", 1)[1] for n in names if ".data/data/" in n}
    assert {"share/k8s-wizard/prompts/interview.yaml", "share/k8s-wizard/prompts/interview.json",
            "share/k8s-wizard/templates/plan.md.j2"} <= data
    assert "wizard/tui/app.tcss" in names
    assert "wizard/core/validate/crds/kustomize.toolkit.fluxcd.io_kustomizations.yaml" in names  # validate's CRDs
    assert "wizard/core/validate/crds/SOURCE.txt" in names
    assert "wizard/core/answers/schema.json" in names  # `k8s-wizard schema` and the answers validation read it
    assert "wizard/commands/run.py" in names and "wizard/interview/engine.py" in names
