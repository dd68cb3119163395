"""The headless engine and the interview logic must not pull in a UI toolkit; the CLI must start fast.

Each module is imported in a fresh interpreter, so what another test imported cannot hide a leak.
Modules are discovered with pkgutil: a new module under wizard/core or wizard/interview is covered
without touching this file.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
UI_PACKAGES = ("textual", "questionary", "prompt_toolkit")
HEADLESS_PACKAGES = ("wizard.core", "wizard.interview")

CHECK = """
import importlib, sys
importlib.import_module({module!r})
loaded = sorted(
    name for name in sys.modules
    if any(name == bad or name.startswith(bad + ".") for bad in {forbidden!r})
)
if loaded:
    sys.exit("importing {module} loaded: " + ", ".join(loaded))
"""


def discover(package: str) -> list[str]:
    """The package itself and every module and subpackage below it."""
    pkg = importlib.import_module(package)
    found = [package]
    for info in pkgutil.walk_packages(pkg.__path__, prefix=f"{package}."):
        found.append(info.name)
    return sorted(found)


def run_check(module: str, forbidden: tuple[str, ...]) -> subprocess.CompletedProcess[str]:
    """Import `module` in a fresh interpreter and fail if any of `forbidden` got loaded."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return subprocess.run(
        [sys.executable, "-c", CHECK.format(module=module, forbidden=forbidden)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
        check=False,
    )


HEADLESS_MODULES = [name for package in HEADLESS_PACKAGES for name in discover(package)]


def test_discovery_finds_modules() -> None:
    assert "wizard.core" in HEADLESS_MODULES
    assert "wizard.interview" in HEADLESS_MODULES
    assert len(HEADLESS_MODULES) > len(HEADLESS_PACKAGES)


@pytest.mark.parametrize("module", HEADLESS_MODULES)
def test_headless_module_does_not_import_ui(module: str) -> None:
    proc = run_check(module, UI_PACKAGES)
    assert proc.returncode == 0, proc.stderr


def test_check_detects_a_leak() -> None:
    """The checker itself works: a module that does load a forbidden package is caught."""
    proc = run_check("json", ("json",))
    assert proc.returncode != 0
    assert "loaded: json" in proc.stderr


@pytest.mark.skipif(importlib.util.find_spec("textual") is None, reason="textual is not installed")
def test_ui_check_would_see_textual() -> None:
    proc = run_check("textual.app", ("textual",))
    assert proc.returncode != 0


@pytest.mark.skipif(importlib.util.find_spec("wizard.cli") is None, reason="wizard/cli.py does not exist yet")
def test_cli_import_does_not_load_textual() -> None:
    proc = run_check("wizard.cli", ("textual",))
    assert proc.returncode == 0, proc.stderr
