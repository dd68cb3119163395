"""The headless engine and the interview logic must not pull in a UI toolkit; the CLI must start fast.

Each stage package's modules are imported one by one in a fresh interpreter, checking after each import,
so what another test imported cannot hide a leak and the first module that loads a UI library is named
(one interpreter per package instead of per module: the same verdicts in a tenth of the time). Modules are
discovered with pkgutil: a new module under wizard/core or wizard/interview is covered without touching
this file. The import-linter contract (tests/test_layering.py) checks the same rule on the source.
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
for module in {modules!r}:
    importlib.import_module(module)
    loaded = sorted(
        name for name in sys.modules
        if any(name == bad or name.startswith(bad + ".") for bad in {forbidden!r})
    )
    if loaded:
        sys.exit("importing " + module + " loaded: " + ", ".join(loaded))
"""


def discover(package: str) -> list[str]:
    """The package itself and every module and subpackage below it."""
    pkg = importlib.import_module(package)
    found = [package]
    for info in pkgutil.walk_packages(pkg.__path__, prefix=f"{package}."):
        found.append(info.name)
    return sorted(found)


def run_check(module: str | list[str], forbidden: tuple[str, ...]) -> subprocess.CompletedProcess[str]:
    """Import `module` (or each of a list, in order) in a fresh interpreter; fail when any of `forbidden` got loaded."""
    modules = [module] if isinstance(module, str) else module
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return subprocess.run(
        [sys.executable, "-c", CHECK.format(modules=modules, forbidden=forbidden)],
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


def _by_package(modules: list[str]) -> dict[str, list[str]]:
    """Modules grouped by their stage package (wizard.core.scan, ...); wizard.core's own modules together."""
    groups: dict[str, list[str]] = {}
    for name in modules:
        stage = ".".join(name.split(".")[:3])
        home = stage if stage in PACKAGES else ".".join(name.split(".")[:2])
        groups.setdefault(home, []).append(name)
    return groups


PACKAGES = {info.name for top in HEADLESS_PACKAGES for info in pkgutil.walk_packages(
    importlib.import_module(top).__path__, prefix=f"{top}.") if info.ispkg}
GROUPS = _by_package(HEADLESS_MODULES)


def test_every_module_is_in_a_group() -> None:
    assert sorted(m for group in GROUPS.values() for m in group) == HEADLESS_MODULES


@pytest.mark.parametrize("package", sorted(GROUPS))
def test_headless_modules_do_not_import_ui(package: str) -> None:
    proc = run_check(GROUPS[package], UI_PACKAGES)
    assert proc.returncode == 0, proc.stderr


def test_the_grouped_check_names_the_module_that_leaks() -> None:
    proc = run_check(["json", "wizard.core.errors", "textual.app", "wizard.core.model"], ("textual",))
    assert proc.returncode != 0 and "importing textual.app loaded" in proc.stderr


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
