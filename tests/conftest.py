"""Shared fixtures: the single-environment repos the rule tests migrate, and a runner for the real CLI.

Cases are our own repos under tests/fixtures/<name>/ (a `manifests/` folder, when the app runs today, and an
`answers.yaml`) plus every folder of ../shared/fixtures/real when it is present, with answers written here.
Each case is copied into a fresh repo in a temporary folder; the answers file stays outside that repo.
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import kube
import pytest
import yaml
from frames import paint_on_demand, shorter_idle_slices
from kube import FIXTURES, REAL_FIXTURES, build, default_namespace, load_all, today_objects, yaml_files

import wizard.core.kustomize as kustomize_runner
from wizard.tui.startup import STATE_DIR_ENV

PROJECT_ROOT = Path(__file__).resolve().parents[1]
CANARY = "CANARY-s3cr3t-9f2b"


@dataclass(frozen=True)
class Case:
    """One single-environment repo to migrate: where its manifests come from and the answers to give."""

    id: str
    manifests: Path | None
    answers: dict[str, Any]

    @property
    def source(self) -> str | None:
        """The source folder, relative to the repo."""
        return self.answers.get("source")

    @property
    def output(self) -> str:
        """The output folder, relative to the repo."""
        return self.answers.get("output", "k8s")

    @property
    def envs(self) -> list[dict[str, Any]]:
        """The environments in promotion order."""
        return list(self.answers["environments"])

    @property
    def current(self) -> dict[str, Any] | None:
        """The environment that runs today."""
        return next((e for e in self.envs if e.get("current")), None)


def env_namespace(env: dict[str, Any]) -> str:
    """An environment's namespace (defaults to its name)."""
    return env.get("namespace") or env["name"]


def real_answers(name: str, manifests: Path) -> dict[str, Any]:
    """Answers a platform engineer would give for a real repo: staging next to today's production."""
    has_hpa = any("HorizontalPodAutoscaler" in p.read_text(encoding="utf-8") for p in yaml_files(manifests))
    staging: dict[str, Any] = {"name": "staging", "namespace": f"{name}-staging"}
    if not has_hpa:
        staging["replicas"] = 1
    return {
        "version": 1,
        "app": name,
        "source": "manifests",
        "environments": [staging, {"name": "production", "namespace": name, "current": True}],
        "secrets": {"provider": "sealed-secrets"},
        "flux": {"url": f"https://github.com/acme/{name}.git", "branch": "main"},
        "ci": "github-actions",
    }


def own_cases() -> list[Case]:
    """Our fixture repos under tests/fixtures."""
    cases = []
    for folder in sorted(p for p in FIXTURES.iterdir() if (p / "answers.yaml").is_file()):
        answers = yaml.safe_load((folder / "answers.yaml").read_text(encoding="utf-8"))
        manifests = folder / "manifests"
        cases.append(Case(folder.name, manifests if manifests.is_dir() else None, answers))
    return cases


def real_cases() -> list[Case]:
    """Every real repo under ../shared/fixtures/real (none when the folder is absent)."""
    if not REAL_FIXTURES.is_dir():
        return []
    return [
        Case(f"real-{p.name}", p, real_answers(p.name, p))
        for p in sorted(REAL_FIXTURES.iterdir())
        if p.is_dir() and yaml_files(p)
    ]


ALL_CASES = own_cases() + real_cases()


def make_repo(case: Case, root: Path, answers: dict[str, Any] | None = None) -> tuple[Path, Path]:
    """Lay a case out under root: root/repo (with its source folder) and root/answers.yaml. Returns both."""
    repo = root / "repo"
    repo.mkdir(parents=True)
    if case.manifests is not None and case.source:
        shutil.copytree(case.manifests, repo / case.source, ignore=shutil.ignore_patterns("SOURCE.txt"))
    answers_file = root / "answers.yaml"
    answers_file.write_text(yaml.safe_dump(answers or case.answers, sort_keys=False), encoding="utf-8")
    return repo, answers_file


@dataclass
class RunResult:
    """Exit code and captured output of one CLI run."""

    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        """stdout and stderr together."""
        return self.out + self.err

    def describe(self) -> str:
        """For assertion messages."""
        return f"exit {self.code}\n--- stdout ---\n{self.out[-4000:]}\n--- stderr ---\n{self.err[-4000:]}"


def run_cli(*argv: str) -> RunResult:
    """Run `wizard.cli.main(argv)` in this process, capturing its output."""
    from wizard.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(argv))
        except SystemExit as exc:  # argparse usage errors
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    return RunResult(int(code or 0), out.getvalue(), err.getvalue())


def run_cli_process(*argv: str, cwd: Path | None = None, path: str | None = None) -> RunResult:
    """Run `python -m wizard ...` as a separate process (stdin not a terminal); `path` replaces PATH."""
    env = dict(os.environ)
    if path is not None:
        env["PATH"] = path
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")]))
    proc = subprocess.run(
        [sys.executable, "-m", "wizard", *argv],
        capture_output=True, text=True, cwd=cwd, env=env, stdin=subprocess.DEVNULL, timeout=300,
    )
    return RunResult(proc.returncode, proc.stdout, proc.stderr)


_RUNS = """
import sys
from wizard.cli import main
for argv in {argvs!r}:
    try:
        code = main(argv)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 2
    for stream in (sys.stdout, sys.stderr):
        stream.write({marker!r} + str(int(code or 0)) + "\\n")
        stream.flush()
"""


def run_cli_processes(*argvs: list[str], cwd: Path | None = None) -> list[RunResult]:
    """Several commands run one after the other in ONE separate Python process (what each printed, exit codes), as
    `run_cli_process` runs one: everything the process prints, tracebacks included, is captured."""
    marker = "\x00k8s-wizard-test-run-done:"
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")]))
    proc = subprocess.run(
        [sys.executable, "-c", _RUNS.format(argvs=[list(a) for a in argvs], marker=marker)],
        capture_output=True, text=True, cwd=cwd, env=env, stdin=subprocess.DEVNULL, timeout=600,
    )
    # Each stream: out0 MARKER code0 \n out1 MARKER code1 \n ...: part i+1 starts with command i's exit code.
    outs, errs = proc.stdout.split(marker), proc.stderr.split(marker)
    results = []
    for i in range(len(argvs)):
        if i + 1 >= len(outs) or i + 1 >= len(errs):  # the process died before this command ended
            results.append(RunResult(proc.returncode or 1, "".join(outs[i:]), "".join(errs[i:])))
            break
        code = int(outs[i + 1].split("\n", 1)[0])
        results.append(RunResult(code, _after_code(outs[i], i), _after_code(errs[i], i)))
    return results


def _after_code(part: str, index: int) -> str:
    """A command's output: its part of the stream, without the exit code line of the command before it."""
    return part if index == 0 else part.partition("\n")[2]


def apply(repo: Path, answers_file: Path, *extra: str) -> RunResult:
    """`k8s-wizard apply --answers FILE --repo DIR --yes` in-process."""
    return run_cli("apply", "--answers", str(answers_file), "--repo", str(repo), "--yes", *extra)


@dataclass
class Migrated:
    """A case after a successful `apply --yes`, with its overlays built (lazily, once)."""

    case: Case
    repo: Path
    answers_file: Path
    result: RunResult
    _builds: dict[str, tuple[list[dict[str, Any]], str]] = field(default_factory=dict)

    @property
    def output(self) -> Path:
        """<repo>/<output>."""
        return self.repo / self.case.output

    def overlay(self, env: str) -> Path:
        """<output>/overlays/<env>."""
        return self.output / "overlays" / env

    def flux_objects(self) -> list[dict[str, Any]]:
        """Every Kubernetes object in the YAML files of <output>/flux."""
        flux = self.output / "flux"
        assert flux.is_dir(), f"{flux} does not exist"
        return [obj for p in yaml_files(flux) for obj in load_all(p.read_text(encoding="utf-8")) if isinstance(obj, dict)]

    def flux_kustomization(self, env: str) -> dict[str, Any] | None:
        """The Flux Kustomization whose path is this environment's overlay."""
        want = self.overlay(env).resolve()
        for obj in self.flux_objects():
            if obj.get("kind") == "Kustomization" and str(obj.get("apiVersion", "")).startswith("kustomize.toolkit.fluxcd.io/"):
                path = (obj.get("spec") or {}).get("path")
                if path and (self.repo / path).resolve() == want:
                    return obj
        return None

    def raw_build(self, env: str) -> tuple[list[dict[str, Any]], str]:
        """(objects, stderr) of `kustomize build <output>/overlays/<env>`, as kustomize prints them."""
        if env not in self._builds:
            overlay = self.overlay(env)
            assert (overlay / "kustomization.yaml").is_file(), f"no {overlay}/kustomization.yaml"
            self._builds[env] = build(overlay)
        objects, stderr = self._builds[env]
        return [dict(o) for o in objects], stderr

    def objects(self, env: str) -> list[dict[str, Any]]:
        """An environment's objects as Flux applies them: namespaced objects without a namespace land in the
        Flux Kustomization's targetNamespace (or nowhere in particular: '' when it has none)."""
        import copy

        objects, _ = self.raw_build(env)
        objects = copy.deepcopy(objects)
        ks = self.flux_kustomization(env)
        target = ((ks or {}).get("spec") or {}).get("targetNamespace")
        return default_namespace(objects, target)

    def today(self) -> list[dict[str, Any]]:
        """Today's objects, in today's namespace (the current environment's)."""
        assert self.case.source and self.case.current, f"{self.case.id} has no running environment"
        return today_objects(self.repo / self.case.source, env_namespace(self.case.current))


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrize `repo_case` over every fixture repo, `running_case` over those that run today."""
    if "repo_case" in metafunc.fixturenames:
        metafunc.parametrize("repo_case", ALL_CASES, ids=[c.id for c in ALL_CASES])
    if "running_case" in metafunc.fixturenames:
        with_source = [c for c in ALL_CASES if c.source and c.current]
        metafunc.parametrize("running_case", with_source, ids=[c.id for c in with_source])


LONG_FIRST = ("test_packaging.py", "test_write_crash.py", "test_tui_helm.py", "test_tui.py", "test_tui_reading.py",
              "test_tui_compare.py", "test_tui_snapshots.py", "test_new_app_interview.py")
"""Modules with the longest single tests: run first, so no worker is left alone with one at the end (pytest -n).
The wheel build waits on pip for ~10 s, mostly idle: started first, the other workers fill that time."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The long tests first, the rest in their usual order (a stable sort)."""
    items.sort(key=lambda item: 0 if item.path.name in LONG_FIRST else 1)


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """`-n auto`: one worker more than the cores. A TUI test waits for the screen to settle and a CLI test for its
    kustomize child, so two workers on two cores leave them idle part of the time."""
    return len(os.sched_getaffinity(0)) + 1


def _memory_folder(room: int = 4 << 30) -> str | None:
    """Linux's RAM-backed /dev/shm when it is writable and has `room` bytes free, else None."""
    folder = "/dev/shm"
    try:
        info = os.statvfs(folder)
    except OSError:
        return None
    if not os.access(folder, os.W_OK | os.X_OK) or info.f_bavail * info.f_frsize < room:
        return None
    return folder


def pytest_configure(config: pytest.Config) -> None:
    """Child Pythons (the CLI run as a program, fresh interpreters) compile our modules once per machine, not once
    each: with PYTHONDONTWRITEBYTECODE set (as on the CI image) every child would compile ~100 modules again."""
    if os.environ.pop("PYTHONDONTWRITEBYTECODE", None) is not None:
        os.environ["PYTHONPYCACHEPREFIX"] = str(Path(tempfile.gettempdir()) / f"k8s-wizard-tests-pycache-{os.getuid()}")
    # kustomize (the real binary, the same output) without Go's garbage collector unless its heap nears 1 GiB: a
    # build here lives ~0.1 s and peaks at ~250 MB (the largest fixture), and collecting costs ~15% of its CPU. The
    # product's own setting (GOGC=400) gives way to these as it gives way to a person's (tests/test_build_cache.py).
    if "GOGC" not in os.environ and "GOMEMLIMIT" not in os.environ:
        os.environ.update({"GOGC": "off", "GOMEMLIMIT": "1GiB"})
    # Temporary files (tmp_path, the run's shared stores, the product's preview copies, child processes') in memory
    # when the machine has room there: the suite copies, writes (each file fsynced, as a write must) and deletes
    # tens of thousands of files, which on this machine's disk cost ~a fifth of test_rerun's CPU and more of its
    # wall time. They are real files all the same (a POSIX file system; fsync returns at once). A TMPDIR or
    # --basetemp given by the person running the tests wins.
    if config.option.basetemp is None and not os.environ.get("TMPDIR") and not os.environ.get("PYTEST_DEBUG_TEMPROOT"):
        memory = _memory_folder()
        if memory is not None:
            os.environ["TMPDIR"] = tempfile.tempdir = memory
    # A test process holds many long-lived objects (Textual's widgets and style caches, parsed manifests, build
    # records): with the default youngest-generation threshold (700) the collector re-walked them so often that
    # it cost ~15% of a Pilot test's CPU. A youngest generation of 50,000 objects is a few MB at most.
    gc.set_threshold(50_000, 20, 100)
    paint_on_demand()
    shorter_idle_slices()


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    """At the end, collect once and set aside what is left. pytest then collects five times more to report the
    unraisable exceptions of late finalizers; each of those re-walked every object a worker still holds (~0.25 s
    apiece, on every worker at once). Garbage made after this still goes through those collections."""
    gc.collect()
    gc.freeze()


@pytest.fixture(autouse=True)
def state_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Interview drafts go to a temporary folder of each test, never to the real ~/.local/state."""
    folder = tmp_path / "state"
    monkeypatch.setenv(STATE_DIR_ENV, str(folder))
    return folder


@pytest.fixture(scope="session")
def session_stores(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder for the whole test run, shared by its pytest-xdist workers (their base folders' parent)."""
    base = tmp_path_factory.getbasetemp()
    root = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "session-builds"
    (root / "kube").mkdir(parents=True, exist_ok=True)
    kube.BUILDS = root / "kube"
    global SESSION_STORES
    SESSION_STORES = root
    # The product's builds are recorded too: a test that checks an overlay the product just built (apply's build
    # check, validate) reads what that real build printed instead of running kustomize again on the same inputs.
    kustomize_runner.runner = kube.run_recorded
    return root


def made_once(stores: Path, name: str, make: Callable[[Path], None]) -> Path:
    """A folder `make(folder)` fills once per test run, by whichever pytest worker asks first (the others wait on a
    lock, then read it). For what is the same wherever it is made: a case applied is byte for byte what applying it
    again elsewhere writes (test_rules' rule 7 checks that). Readers copy it before changing anything."""
    done = stores / "made" / name
    if done.is_dir():
        return done
    done.parent.mkdir(parents=True, exist_ok=True)
    with open(done.parent / f"{name}.lock", "w", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.is_dir():
            partial = done.parent / f".partial-{name}-{os.getpid()}"
            shutil.rmtree(partial, ignore_errors=True)
            make(partial)
            os.rename(partial, done)  # whole or not at all: a worker never sees half of it
    return done


SESSION_STORES: Path | None = None
"""The run's shared folder (`session_stores`), for helpers called without the fixture."""


def applied_copy(case: Case, root: Path, answers: dict[str, Any] | None = None, *, name: str | None = None,
                 stores: Path | None = None) -> tuple[Path, Path, RunResult]:
    """`make_repo` and `apply --yes` of a case (with `answers`, else its own) laid out under `root`: (repo, answers
    file, apply's result). The apply runs once per test run (`made_once`, as `name`; by default the one the
    `migrate` fixture shares) and each call copies it, to change as it likes. Fails the test when apply failed."""
    if answers is not None and name is None:
        raise ValueError("answers of its own need a name of their own")
    stores = stores or SESSION_STORES
    assert stores is not None, "the session_stores fixture is not set up"

    def make(folder: Path) -> None:
        repo, answers_file = make_repo(case, folder, answers)
        result = apply(repo, answers_file)
        (folder / "apply-result.json").write_text(json.dumps(asdict(result)), encoding="utf-8")

    made = made_once(stores, name or f"migrate-{case.id}", make)
    shutil.copytree(made, root, symlinks=True, dirs_exist_ok=True, ignore=shutil.ignore_patterns("apply-result.json"))
    result = RunResult(**json.loads((made / "apply-result.json").read_text(encoding="utf-8")))
    if result.code != 0:
        pytest.fail(f"{case.id}: apply --yes failed: {result.describe()}")
    return root / "repo", root / "answers.yaml", result


@pytest.fixture(autouse=True)
def shared_build_cache(session_stores: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The product's kustomize build cache (XDG_CACHE_HOME) is shared by the whole run, as on a developer's machine
    where the same overlay is checked again and again: a build is reused only when every input is byte-identical
    and it succeeded without a warning (tests/test_build_cache.py checks that with a cache of its own)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(session_stores / "xdg-cache"))


@pytest.fixture(scope="session")
def migrate(tmp_path_factory: pytest.TempPathFactory, session_stores: Path):
    """migrate(case) -> Migrated: the case applied once per test run (`apply --yes`), a copy of it per worker;
    fails when apply fails."""
    done: dict[str, Migrated] = {}

    def get(case: Case) -> Migrated:
        if case.id not in done:
            repo, answers_file, result = applied_copy(case, tmp_path_factory.mktemp(case.id), stores=session_stores)
            done[case.id] = Migrated(case, repo, answers_file, result)
        return done[case.id]

    return get


@pytest.fixture
def migrated(repo_case: Case, migrate) -> Migrated:
    """The parametrized case, applied."""
    return migrate(repo_case)


@pytest.fixture
def migrated_source(running_case: Case, migrate) -> Migrated:
    """The parametrized case that runs today, applied."""
    return migrate(running_case)


__all__ = ["CANARY", "Case", "Migrated", "RunResult", "applied_copy", "apply", "build", "env_namespace", "make_repo", "run_cli",
           "run_cli_process"]
