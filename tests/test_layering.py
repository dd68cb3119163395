"""The layering contract (import-linter, `[tool.importlinter]` in pyproject.toml) holds, and it catches breaches.

`lint-imports` runs on the real tree, then on temporary copies of the package with one violation planted in
each: a UI import in the core, a front-end importing the other, a stage importing a later stage (which is
also a cycle). Each copy must fail, naming the broken contract, so the contract cannot pass by construction.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or shutil.which("lint-imports")

pytestmark = pytest.mark.skipif(LINT_IMPORTS is None, reason="import-linter is not installed (pip install -e '.[test]')")


def lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    """`lint-imports` on the package in ``tree`` (its pyproject.toml holds the contracts)."""
    assert LINT_IMPORTS is not None
    env = dict(os.environ)
    env["PYTHONPATH"] = str(tree)  # this tree's `wizard`, not whichever one is installed
    return subprocess.run(
        [LINT_IMPORTS, "--no-cache"], cwd=tree, env=env, capture_output=True, text=True, timeout=120, check=False,
    )


def test_the_real_tree_keeps_every_contract() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout
    assert "5 kept" in result.stdout, result.stdout  # every contract ran


PLANTED = {
    "core-imports-textual": (
        "wizard/core/scan/manifests.py", "import textual  # noqa: F401\n",
        "The core and the interview engine import no UI library and no front-end BROKEN",
    ),
    "interview-imports-a-front-end": (
        "wizard/interview/engine.py", "import wizard.tui.app  # noqa: F401\n",
        "The core and the interview engine import no UI library and no front-end BROKEN",
    ),
    "tui-imports-plain": (
        "wizard/tui/app.py", "import wizard.plain  # noqa: F401\n",
        "The front-ends (Textual, plain prompts) never import each other BROKEN",
    ),
    "scan-imports-the-pipeline": (
        "wizard/core/scan/manifests.py", "def _late() -> None:\n    from wizard.core import pipeline  # noqa: F401\n",
        "The core's stages import only the stages below them BROKEN",
    ),
    "render-and-resolve-in-a-cycle": (
        "wizard/core/resolve/stage.py", "def _late() -> None:\n    import wizard.core.render.base  # noqa: F401\n",
        "No import cycle between sibling packages or modules BROKEN",
    ),
}


@pytest.mark.parametrize("case", sorted(PLANTED))
def test_a_planted_violation_breaks_the_contract(case: str, tmp_path: Path) -> None:
    target, line, broken = PLANTED[case]
    shutil.copytree(ROOT / "wizard", tmp_path / "wizard", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy2(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    with (tmp_path / target).open("a", encoding="utf-8") as fh:
        fh.write("\n" + line)
    result = lint_imports(tmp_path)
    assert result.returncode != 0, f"{case}: lint-imports passed with a planted violation\n{result.stdout}"
    assert broken in result.stdout, result.stdout
