"""Build two environments as they are and as k8s-wizard generated them, and put the drift report together.

Four builds with the real kustomize: each overlay as it is on disk, and each overlay with its generated
files (the record of the last generation) in place of the files on disk. A difference between the two
environments is from the answers when the generated overlays differ in exactly the same way; otherwise
it is unexplained, and the overlay files that differ from their generation are tried one at a time to
name the one that makes it.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from wizard.core import yamlio
from wizard.core.answers.parse import Answers, Environment
from wizard.core.drift.classify import answer_keys, reason
from wizard.core.drift.compare import MISSING, RawDifference, differences, field_text, value_at
from wizard.core.drift.normalize import Naming, Normalizer, ObjectKey, shown
from wizard.core.drift.report import Difference, DriftReport
from wizard.core.errors import InputError
from wizard.core.kustomize import build_overlay, kustomize_command
from wizard.core.layout import Layout
from wizard.core.render.images import IMAGES_FILE, container_lists

Objects = dict[ObjectKey, dict[str, Any]]


@dataclass(frozen=True)
class Side:
    """One of the two environments being compared."""

    index: int
    env: Environment
    overlay: str


def sides(answers: Answers, a: str, b: str) -> tuple[Side, Side]:
    """The two environments by name; unknown or identical names are bad input."""
    names = [e.name for e in answers.environments]
    found = []
    for name in (a, b):
        if name not in names:
            raise InputError(f"diff: no environment {name!r} (environments: {', '.join(names)})")
        index = names.index(name)
        found.append(Side(index, answers.environments[index], Layout(answers.output).overlay(name)))
    if a == b:
        raise InputError(f"diff: compare two different environments (got {a!r} twice)")
    return found[0], found[1]


def _naming(root: Path, side: Side) -> Naming:
    prefix = suffix = ""
    path = root / side.overlay / "kustomization.yaml"
    try:
        doc = yamlio.load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        doc = None
    if isinstance(doc, dict):
        prefix, suffix = str(doc.get("namePrefix") or ""), str(doc.get("nameSuffix") or "")
    return Naming(side.env.name, side.env.namespace, prefix, suffix)


def _built(root: Path, side: Side, command: list[str], what: str) -> Objects:
    if not (root / side.overlay / "kustomization.yaml").is_file():
        raise InputError(f"diff: {side.overlay}/kustomization.yaml not found ({what}); run `k8s-wizard apply` first")
    result = build_overlay(root, side.overlay, command)
    if not result.ok:
        raise InputError(f"diff: kustomize build of {side.overlay} failed ({what}): {result.stderr}")
    objects = [dict(o) for o in result.objects]
    return Normalizer(_naming(root, side), objects).objects(objects)


def _overlay_files(expected: Mapping[str, str], side: Side) -> dict[str, str]:
    prefix = side.overlay + "/"
    return {path: text for path, text in expected.items() if path.startswith(prefix)}


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


class _Trees:
    """The temporary copies of the output folder that the expected and the attribution builds use."""

    def __init__(self, root: Path, output: str, tmp: Path) -> None:
        self.root, self.output, self.tmp = root, output, tmp
        self._count = 0

    def copy(self, files: Mapping[str, str | None]) -> Path:
        """A copy of the output folder with some files replaced (None: removed)."""
        self._count += 1
        target = self.tmp / str(self._count)
        shutil.copytree(self.root / self.output, target / self.output, symlinks=True)
        for rel, text in files.items():
            path = target / rel
            if text is None:
                path.unlink(missing_ok=True)
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
        return target


def _edited(root: Path, generated: Mapping[str, str]) -> dict[str, str | None]:
    """Overlay files whose text on disk differs from their generation: {path: text on disk (None: deleted)}."""
    return {rel: _read(root / rel) for rel, text in sorted(generated.items()) if _read(root / rel) != text}


def _listed(text: str | None) -> set[str]:
    """Paths a kustomization lists (resources, patches, components)."""
    try:
        doc = yamlio.load(text or "")
    except yaml.YAMLError:
        return set()
    if not isinstance(doc, dict):
        return set()
    paths = {str(p) for p in doc.get("resources") or [] if isinstance(p, str)}
    paths |= {str(p) for p in doc.get("components") or [] if isinstance(p, str)}
    paths |= {str(p["path"]) for p in doc.get("patches") or [] if isinstance(p, dict) and p.get("path")}
    return paths


def _named_files(side: Side, rel: str, generated: Mapping[str, str], root: Path) -> tuple[str, ...]:
    """A kustomization.yaml edit named together with the files it newly lists (a hand-added patch)."""
    if not rel.endswith("/kustomization.yaml"):
        return (rel,)
    added = sorted(_listed(_read(root / rel)) - _listed(generated.get(rel)))
    return (*(f"{side.overlay}/{p}" for p in added if not p.startswith("..")), rel)


def drift_report(root: Path, answers: Answers, a: str, b: str, expected: Mapping[str, str]) -> DriftReport:
    """Compare environments `a` and `b` of the tree at `root`; `expected` holds the generated files by path."""
    side_a, side_b = sides(answers, a, b)
    command = kustomize_command()
    generated = {s.env.name: _overlay_files(expected, s) for s in (side_a, side_b)}
    with tempfile.TemporaryDirectory(prefix="k8s-wizard-diff-") as tmp:
        trees = _Trees(root, answers.output, Path(tmp))
        jobs = [(root, side_a, "as it is"), (root, side_b, "as it is")]
        # An overlay whose files are all as generated builds the same as its generation: one build, not two.
        untouched = [not _edited(root, generated[s.env.name]) for s in (side_a, side_b)]
        jobs += [(trees.copy(generated[s.env.name]), s, "as generated") for s, same in zip((side_a, side_b), untouched,
                                                                                            strict=True) if not same]
        with ThreadPoolExecutor(max_workers=2) as pool:
            built = list(pool.map(lambda job: _built(job[0], job[1], command, job[2]), jobs))
        actual_a, actual_b, *rest = built
        expected_a = actual_a if untouched[0] else rest.pop(0)
        expected_b = actual_b if untouched[1] else rest.pop(0)
        classifier = _Classifier(root, (side_a, side_b), (actual_a, actual_b), (expected_a, expected_b),
                                 _Attribution(root, trees, command, generated))
        found = [result for d in differences(actual_a, actual_b) for result in classifier.classify(d)]
    return DriftReport(
        a=a,
        b=b,
        overlay_a=side_a.overlay,
        overlay_b=side_b.overlay,
        objects=len(set(actual_a) | set(actual_b)),
        differences=tuple(found),
    )


class _Classifier:
    """Explains each difference between the two builds, or names the files of an unexplained one."""

    def __init__(
        self,
        root: Path,
        sides: tuple[Side, Side],
        actual: tuple[Objects, Objects],
        expected: tuple[Objects, Objects],
        attribution: _Attribution,
    ) -> None:
        self.root, self.sides, self.actual, self.expected, self.attribution = root, sides, actual, expected, attribution
        self.envs = [(s.index, s.env) for s in sides]
        self.tag_sources = _TagSources(root)

    def classify(self, d: RawDifference) -> list[Difference]:
        actual, expected = (d.a, d.b), tuple(value_at(e, d.key, d.path) for e in self.expected)
        why = reason(d, *self.actual)
        matches = [_same(e, v) for e, v in zip(expected, actual, strict=True)]
        if all(matches):
            return [_difference(d, True, why, answer_keys(why, self.envs))]
        if d.key[0] == "SealedSecret" and not d.path:
            return [_difference(d, True, "secrets", ())]
        if not d.path and all(_same_presence(e, v) for e, v in zip(expected, actual, strict=True)):
            return [_difference(d, True, why, answer_keys(why, self.envs)), *self._inside(d, expected)]
        if why == "tags":
            # Tags the promotion workflow (or a person) set in an overlay's `images:` or patches/images.yaml:
            # how tags move on purpose.
            sources = [None if m else self.tag_sources.of(s, v) for m, v, s in zip(matches, actual, self.sides, strict=True)]
            if all(m or src for m, src in zip(matches, sources, strict=True)):
                return [_difference(d, True, "tags", tuple(src for src in sources if src))]
        files = [f for m, v, s in zip(matches, actual, self.sides, strict=True) if not m for f in self.attribution.files(s, d, v)]
        return [_difference(d, False, "hand-edit", (), tuple(dict.fromkeys(files)))]

    def _inside(self, d: RawDifference, expected: tuple[Any, Any]) -> list[Difference]:
        """An object meant to exist on one side only: what in it differs from its generation."""
        first = d.b is MISSING
        side, mine, generation = (self.sides[0], d.a, expected[0]) if first else (self.sides[1], d.b, expected[1])
        out = []
        for inner in differences({d.key: generation}, {d.key: mine}):
            one_sided = RawDifference(d.key, inner.path, *((inner.b, MISSING) if first else (MISSING, inner.b)))
            files = tuple(dict.fromkeys(self.attribution.files(side, inner, inner.b)))
            out.append(_difference(one_sided, False, "hand-edit", (), files, only_in="a" if first else "b"))
        return out


def _entry_references(root: Path, side: Side) -> frozenset[str]:
    """The image references the overlay's own `images:` entries give."""
    try:
        doc = yamlio.load((root / side.overlay / "kustomization.yaml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return frozenset()
    entries = doc.get("images") if isinstance(doc, dict) else None
    found = set()
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict) or not entry.get("name"):
            continue
        name = str(entry.get("newName") or entry["name"])
        if entry.get("digest"):
            found.add(f"{name}@{entry['digest']}")
        if entry.get("newTag"):
            found.add(f"{name}:{entry['newTag']}")
    return frozenset(found)


def _file_references(root: Path, side: Side) -> frozenset[str]:
    """The image references the overlay's patches/images.yaml sets (many images: render/images.py)."""
    try:
        docs = yamlio.load_all((root / side.overlay / IMAGES_FILE).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return frozenset()
    return frozenset(
        str(c["image"])
        for doc in docs
        for _, _, items in container_lists(doc)
        for c in items
        if isinstance(c, dict) and isinstance(c.get("image"), str)
    )


class _TagSources:
    """Where an overlay itself sets an image reference (a promotion or a person did), read once per overlay."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._read: dict[str, tuple[frozenset[str], frozenset[str]]] = {}

    def of(self, side: Side, image: Any) -> str | None:
        """The overlay file that sets exactly this reference; None when the overlay does not."""
        if not isinstance(image, str):
            return None
        if side.overlay not in self._read:
            self._read[side.overlay] = (_entry_references(self.root, side), _file_references(self.root, side))
        entries, patched = self._read[side.overlay]
        if image in entries:
            return f"{side.overlay}/kustomization.yaml: images"
        if image in patched:
            return f"{side.overlay}/{IMAGES_FILE}"
        return None


def _same_presence(x: Any, y: Any) -> bool:
    return (x is MISSING) == (y is MISSING)


def _same(x: Any, y: Any) -> bool:
    return (x is MISSING and y is MISSING) or (x is not MISSING and y is not MISSING and x == y)


def _difference(
    d: RawDifference,
    explained: bool,
    why: str,
    answers: tuple[str, ...],
    files: tuple[str, ...] = (),
    only_in: str | None = None,
) -> Difference:
    kind, namespace, name = d.key
    if only_in is None:
        only_in = "a" if d.b is MISSING else "b" if d.a is MISSING else None
    return Difference(
        kind=kind,
        name=name,
        namespace=namespace,
        field=field_text(d.path),
        a=None if d.a is MISSING else shown(d.a),
        b=None if d.b is MISSING else shown(d.b),
        only_in=only_in,
        explained=explained,
        reason=why,
        answers=answers,
        files=files,
    )


class _Attribution:
    """Finds the overlay file behind an unexplained value: each edited file alone on top of the generation."""

    def __init__(self, root: Path, trees: _Trees, command: list[str], generated: Mapping[str, Mapping[str, str]]) -> None:
        self.root, self.trees, self.command, self.generated = root, trees, command, generated
        self._builds: dict[tuple[str, str], Objects] = {}

    def files(self, side: Side, d: RawDifference, actual: Any) -> list[str]:
        generated = self.generated[side.env.name]
        edited = _edited(self.root, generated)
        if len(edited) == 1:
            return list(_named_files(side, next(iter(edited)), generated, self.root))
        for rel in edited:
            key = (side.env.name, rel)
            if key not in self._builds:
                tree = self.trees.copy({**generated, rel: edited[rel]})
                try:
                    self._builds[key] = _built(tree, side, self.command, f"with {rel} as on disk")
                except InputError:
                    self._builds[key] = {}
            if _same(value_at(self._builds[key], d.key, d.path), actual):
                return list(_named_files(side, rel, generated, self.root))
        return sorted(edited)
