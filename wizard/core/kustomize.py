"""The one kustomize runner: find the binary, build a kustomization directory, list the overlays.

Used by `validate`, the preview's build check (on a temporary copy of the output) and sealing (which builds
a probe copy of an overlay to learn the final names of its Secrets). `kustomize build` is preferred when
that binary exists, else `kubectl kustomize` (kubectl bundles kustomize v5).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wizard.core import buildcache, yamlio
from wizard.core.buildcache import KUSTOMIZATION_NAMES as KUSTOMIZATION_NAMES  # re-exported: one list of names
from wizard.core.errors import WizardError


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
    """The objects kustomize printed (empty when the build failed); for a reused build, their summaries
    (`buildcache.summary`: apiVersion, kind, name, namespace, Service ports, SealedSecret ciphertexts)."""
    stderr: str
    seconds: float = 0.0
    """How long the build took (0 when reused)."""
    reused: bool = False
    """True when the inputs had not changed since a successful build, which was reused instead of run again."""


GOGC = "400"
"""The Go garbage collector's target for the kustomize processes we start, unless the environment sets one.

kustomize is a short-lived Go program that allocates a lot: with Go's default (100) it collects several times a
build, on a second thread. At 400 it collects rarely (a 1,000-object build peaks at about 200 MB instead of
100 MB) and spends ~15% less CPU; two builds at once on 2 cores then finish in ~0.56x the time of the same builds
one after the other with the default, against ~0.8x at the default (scripts/bench.py, validate).
"""


def kustomize_env() -> dict[str, str] | None:
    """The environment of a kustomize process: ours with GOGC=400, or ours unchanged when GOGC or GOMEMLIMIT is set."""
    if "GOGC" in os.environ or "GOMEMLIMIT" in os.environ:
        return None
    return {**os.environ, "GOGC": GOGC}


def run_kustomize(argv: list[str]) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of one kustomize process, `argv` ending with the folder to build."""
    proc = subprocess.run(argv, capture_output=True, text=True, check=False, env=kustomize_env())
    return proc.returncode, proc.stdout, proc.stderr


runner: Callable[[list[str]], tuple[int, str, str]] = run_kustomize
"""What `build_dir` runs kustomize with. The test suite puts its recorder here (tests/kube.py): it runs the real
kustomize once for each set of inputs and hands what it printed to the product's checks and the tests' own."""


def build_dir(directory: Path, rel: str, command: list[str] | None = None) -> Build:
    """Build one kustomization directory with the real kustomize; ``rel`` names it in the result."""
    start = time.perf_counter()
    code, stdout, stderr = runner([*(command or kustomize_command()), str(directory)])
    seconds = time.perf_counter() - start
    objects: tuple[dict[str, Any], ...] = ()
    if code == 0:
        objects = tuple(d for d in yamlio.load_all(stdout) if isinstance(d, dict))
    return Build(rel, code == 0, objects, stderr.strip(), seconds)


def cached_build(directory: Path, rel: str, command: list[str]) -> Build:
    """A build reused when its inputs did not change since a successful one (`buildcache`), else run and recorded."""
    keyed = buildcache.build_key(directory, command)
    if keyed is not None:
        objects = buildcache.load(keyed[0])
        if objects is not None:
            return Build(rel, True, tuple(objects), "", 0.0, reused=True)
    build = build_dir(directory, rel, command)
    if keyed is not None and build.ok and not build.stderr:
        buildcache.store(keyed[0], build.objects)
    return build


def build_overlay(repo: Path, rel: str, command: list[str] | None = None) -> Build:
    """Build the kustomization directory ``repo/rel``."""
    return build_dir(repo / rel, rel, command)


def overlays(repo: Path, output: str) -> list[str]:
    """Every overlay folder under ``<output>/overlays`` that has a kustomization.yaml, relative to the repository."""
    root = repo / output / "overlays"
    if not root.is_dir():
        return []
    return sorted(f"{output}/overlays/{p.name}" for p in root.iterdir() if (p / "kustomization.yaml").is_file())


def cpus() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def build_workers(builds: int) -> int:
    """Parallel kustomize processes for `builds` builds: one per core this process may use.

    A kustomize process is itself multi-threaded (Go), so more processes than cores only adds contention
    (the earlier fixed 4 threads built slower than one after the other on 2 cores); capping each process
    to one Go thread (GOMAXPROCS=1) measured no better than leaving the runtime its default.
    """
    return max(1, min(builds, cpus()))


def _folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def build_all(repo: Path, output: str, on_done: Callable[[Build], None] | None = None) -> list[Build]:
    """Every overlay, built in parallel (sized to the machine), each reused when its inputs did not change.

    ``on_done`` is called with each build as it finishes (from a worker thread); the result is in path order.
    """
    command = kustomize_command()
    paths = overlays(repo, output)
    workers = build_workers(len(paths))
    results: dict[str, Build] = {}
    # The largest overlays first: the last build to start is then a short one.
    by_size = sorted(paths, key=lambda rel: (-_folder_bytes(repo / rel), rel))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(cached_build, repo / rel, rel, command): rel for rel in by_size}
        for future in as_completed(futures):
            build = future.result()
            results[futures[future]] = build
            if on_done is not None:
                on_done(build)
    return [results[rel] for rel in paths]
