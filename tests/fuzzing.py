"""Fuzzing the inputs: manifests and answers mutated with a fixed seed, run through the real command line.

Shared by tests/test_fuzz.py (a few hundred runs, seconds) and scripts/harden_campaign.py (thousands).
A run is clean when the command returns 0, 1 or 2, a non-zero exit prints an `error:` line, and nothing
escapes as an exception (a traceback) or as the command line's last-resort "internal error".
"""

from __future__ import annotations

import contextlib
import copy
import io
import random
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from kube import FIXTURES

SEEDS = ("plain-folder", "multidoc", "plaintext-secret", "kustomization-adopt")

KINDS = ["Secret", "List", "SecretList", "Deployment", "StatefulSet", "CronJob", "Job", "DaemonSet", "Service",
         "Ingress", "HorizontalPodAutoscaler", "ConfigMap", "Namespace", "PersistentVolumeClaim", "PersistentVolume",
         "ClusterRole", "Kustomization", "", "x" * 300]

TEXT_SNIPPETS = ["\t", ": :", "&a [*a, *a]", "*nowhere", "!!python/object:os.system x", "!tag x", "{{ .Values.x }}",
                 "\x00", "\ufeff", "- - -", "? [a]\n: b", "<<: *a", "--- !!map", "%YAML 1.3\n---", "'unclosed",
                 "\"\\q\"", "key: value\nkey: again", "2001-13-45", "0o777", "~", "[" * 60, "}{"]


def random_value(rng: random.Random, depth: int = 0) -> Any:
    """A value of a random shape: what a hand-edited manifest or answers file might hold by mistake."""
    choices: list[Callable[[], Any]] = [
        lambda: None, lambda: True, lambda: 0, lambda: -1, lambda: 10**30, lambda: 1.5, lambda: float("inf"),
        lambda: "", lambda: "x", lambda: "a b", lambda: "UPPER_case-1", lambda: "1e3", lambda: "../../etc",
        lambda: "/abs/path", lambda: "line\nbreak", lambda: "k8s", lambda: ".git", lambda: "source", lambda: "production",
        lambda: "100x", lambda: "ssh://git@host/x.git", lambda: "https://u:p@host/x.git", lambda: "é☃",
        lambda: [], lambda: {}, lambda: {1: "x"}, lambda: {"": None}, lambda: {True: 1},
    ]
    if depth < 3:
        choices += [
            lambda: [random_value(rng, depth + 1) for _ in range(rng.randint(1, 3))],
            lambda: {rng.choice(["name", "kind", "items", "data", "spec", "metadata", "replicas", "k"]):
                     random_value(rng, depth + 1) for _ in range(rng.randint(1, 3))},
        ]
    return rng.choice(choices)()


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value inside a document."""
    found = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            found += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            found += _paths(v, (*prefix, i))
    return found


def _set(doc: Any, path: tuple[Any, ...], value: Any, delete: bool = False) -> Any:
    if not path:
        return value
    parent = doc
    for key in path[:-1]:
        parent = parent[key]
    if delete:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return doc


def mutate_data(rng: random.Random, doc: Any) -> Any:
    """One structural mutation: a value replaced, a key deleted or added, a kind changed, a List wrapped."""
    doc = copy.deepcopy(doc)
    paths = _paths(doc)
    path = rng.choice(paths)
    roll = rng.random()
    if roll < 0.45:
        return _set(doc, path, random_value(rng))
    if roll < 0.6 and path:
        return _set(doc, path, None, delete=True)
    if roll < 0.75:
        target = doc
        for key in path:
            target = target[key]
        if isinstance(target, dict):
            target[rng.choice(["kind", "name", "namespace", "items", "data", "stringData", "replicas", "extra", 7])] = (
                random_value(rng))
        return doc
    if roll < 0.9 and isinstance(doc, dict):
        doc["kind"] = rng.choice(KINDS)
        return doc
    return {"apiVersion": "v1", "kind": "List", "items": [doc, random_value(rng)]}


def mutate_text(rng: random.Random, text: str) -> str:
    """One textual mutation: a snippet inserted, the text cut short, a line doubled."""
    roll = rng.random()
    if roll < 0.5:
        at = rng.randint(0, len(text))
        return text[:at] + rng.choice(TEXT_SNIPPETS) + text[at:]
    if roll < 0.75:
        return text[: rng.randint(0, len(text))]
    lines = text.splitlines(keepends=True) or [""]
    i = rng.randrange(len(lines))
    return "".join(lines[: i + 1] + [lines[i]] + lines[i + 1 :])


@dataclass
class Run:
    """One fuzzed run: what was mutated, the exit code, the output, and the exception if one escaped."""

    seed: int
    what: str
    code: int | None
    output: str
    exception: str | None

    @property
    def clean(self) -> bool:
        if self.exception is not None or self.code not in (0, 1, 2) or "internal error" in self.output:
            return False
        return self.code == 0 or "error:" in self.output


def _dump_docs(docs: list[Any]) -> str:
    try:
        return yaml.safe_dump_all(docs, sort_keys=False)
    except yaml.YAMLError:
        return yaml.safe_dump_all([{"unrepresentable": True}])


def make_case(root: Path, rng: random.Random, seed: int, kind: str) -> tuple[Path, Path, str]:
    """A fixture repository with one mutation (in a manifest or the answers); returns (repo, answers, what)."""
    name = SEEDS[seed % len(SEEDS)]
    fixture = FIXTURES / name
    repo = root / f"repo-{seed}"
    if repo.exists():
        shutil.rmtree(repo)
    repo.mkdir(parents=True)
    answers = yaml.safe_load((fixture / "answers.yaml").read_text(encoding="utf-8"))
    shutil.copytree(fixture / "manifests", repo / "manifests")
    what = f"{name}: "
    answers_file = root / f"answers-{seed}.yaml"
    if kind == "manifest":
        files = sorted(p for p in (repo / "manifests").rglob("*.y*ml"))
        target = rng.choice(files)
        text = target.read_text(encoding="utf-8")
        if rng.random() < 0.6:
            try:
                docs = [d for d in yaml.safe_load_all(text) if d is not None] or [{}]
                i = rng.randrange(len(docs))
                docs[i] = mutate_data(rng, docs[i])
                text = _dump_docs(docs)
            except yaml.YAMLError:
                text = mutate_text(rng, text)
        else:
            text = mutate_text(rng, text)
        target.write_text(text, encoding="utf-8")
        what += f"manifest {target.relative_to(repo).as_posix()}"
        answers_file.write_text(yaml.safe_dump(answers, sort_keys=False), encoding="utf-8")
    else:
        text = yaml.safe_dump(answers, sort_keys=False)
        if rng.random() < 0.7:
            try:
                text = yaml.safe_dump(mutate_data(rng, answers), sort_keys=False)
            except yaml.YAMLError:
                pass
        else:
            text = mutate_text(rng, text)
        answers_file.write_text(text, encoding="utf-8")
        what += "answers"
    return repo, answers_file, what


def run_one(root: Path, seed: int, kind: str, command: tuple[str, ...] = ("plan", "--format", "json")) -> Run:
    """Mutate a fixture with `seed` and run the command line on it in-process."""
    from wizard.cli import main

    rng = random.Random(seed)
    repo, answers_file, what = make_case(root, rng, seed, kind)
    out = io.StringIO()
    code: int | None = None
    exception = None
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        try:
            code = main([*command, "--repo", str(repo), "--answers", str(answers_file)], stdin=io.StringIO())
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 2
        except BaseException as exc:  # noqa: BLE001 - this is what the fuzzer hunts for
            exception = f"{type(exc).__name__}: {exc}"[:500]
    shutil.rmtree(repo, ignore_errors=True)
    return Run(seed, what, code, out.getvalue(), exception)
