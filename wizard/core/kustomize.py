"""The one kustomize runner: find the binary, build a kustomization directory, list the overlays.

Used by `validate`, the preview's build check (on a temporary copy of the output) and sealing (which builds
a probe copy of an overlay to learn the final names of its Secrets). `kustomize build` is preferred when
that binary exists, else `kubectl kustomize` (kubectl bundles kustomize v5).
"""

from __future__ import annotations

import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wizard.core import yamlio
from wizard.core.errors import WizardError

KUSTOMIZATION_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
"""The file names kustomize accepts for a kustomization, in the order it looks for them."""


def kustomization_file(folder: Path) -> Path | None:
    """The kustomization file of a folder, whichever of the names kustomize accepts it has."""
    return next((folder / n for n in KUSTOMIZATION_NAMES if (folder / n).is_file()), None)


def find_kustomize() -> list[str] | None:
    """`kustomize build` or `kubectl kustomize`, or None when neither is installed."""
    if shutil.which("kustomize"):
        return ["kustomize", "build"]
    if shutil.which("kubectl"):
        return ["kubectl", "kustomize"]
    return None


def kustomize_command() -> list[str]:
    """`kustomize build` when that binary exists, else `kubectl kustomize`; a clear error when neither does."""
    command = find_kustomize()
    if command is None:
        raise WizardError(
            "validate needs kustomize: install kubectl (it bundles kustomize) or the kustomize binary "
            "(https://kubectl.docs.kubernetes.io/installation/kustomize/)"
        )
    return command


@dataclass(frozen=True)
class Build:
    """The result of building one kustomization directory."""

    path: str
    """The directory, relative to the repository (as given)."""
    ok: bool
    objects: tuple[dict[str, Any], ...]
    """The objects kustomize printed (empty when the build failed)."""
    stderr: str


def build_dir(directory: Path, rel: str, command: list[str] | None = None) -> Build:
    """Build one kustomization directory with the real kustomize; ``rel`` names it in the result."""
    proc = subprocess.run([*(command or kustomize_command()), str(directory)], capture_output=True, text=True, check=False)
    objects: tuple[dict[str, Any], ...] = ()
    if proc.returncode == 0:
        objects = tuple(d for d in yamlio.load_all(proc.stdout) if isinstance(d, dict))
    return Build(rel, proc.returncode == 0, objects, proc.stderr.strip())


def build_overlay(repo: Path, rel: str, command: list[str] | None = None) -> Build:
    """Build the kustomization directory ``repo/rel``."""
    return build_dir(repo / rel, rel, command)


def overlays(repo: Path, output: str) -> list[str]:
    """Every overlay folder under ``<output>/overlays`` that has a kustomization.yaml, relative to the repository."""
    root = repo / output / "overlays"
    if not root.is_dir():
        return []
    return sorted(f"{output}/overlays/{p.name}" for p in root.iterdir() if (p / "kustomization.yaml").is_file())


def build_all(repo: Path, output: str) -> list[Build]:
    """Every overlay, built in parallel (one kustomize process per overlay)."""
    command = kustomize_command()
    paths = overlays(repo, output)
    with ThreadPoolExecutor(max_workers=max(1, min(4, len(paths)))) as pool:
        return list(pool.map(lambda rel: build_overlay(repo, rel, command), paths))
