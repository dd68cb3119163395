"""Find the folder that holds today's manifests by what the files contain, not by the folder's name.

Any folder whose YAML holds Kubernetes objects (a mapping with `apiVersion` and `kind`) is a candidate.
They are ranked by how many objects they hold; folders of tests, examples, docs, charts and templates
come last, and so do the layouts the wizard wrote itself. A folder with a kustomization.yaml (an overlay
already present) is a candidate too: the scan adopts a single-folder kustomization as the base.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from wizard.core.scan.names import KUSTOMIZATION_NAMES, YAML_SUFFIXES

SIDE_FOLDERS = frozenset(
    {
        "test", "tests", "testdata", "e2e", "example", "examples", "sample", "samples", "docs", "doc",
        "chart", "charts", "templates", "fixtures", "vendor", "third_party", "node_modules", "hack",
    }
)
"""Folder names whose objects are rarely the app that runs today: ranked after every other folder."""

try:  # pragma: no cover - depends on how PyYAML was built
    _Base: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Base = yaml.SafeLoader


class _KindsLoader(_Base):  # type: ignore[misc]
    """PyYAML's C safe loader (7x the pure-Python one on a thousand documents), dates kept as strings.

    Only the top level of each document is read here (apiVersion, kind, a List's items), so aliases are never
    walked; the scan of the chosen folder reads every file again with the bounded loader (wizard.core.yamlio).
    """

    def construct_yaml_timestamp(self, node: yaml.Node) -> Any:
        return self.construct_scalar(node)

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        """A scalar's tag, as PyYAML resolves it, remembered: manifests repeat the same short values (keys,
        names, ports), and resolving each in Python was a fifth of the search's YAML reading."""
        if kind is not yaml.ScalarNode or len(value) > _RESOLVED_LENGTH:
            return super().resolve(kind, value, implicit)
        key = (value, implicit)
        tag = _RESOLVED.get(key)
        if tag is None:
            if len(_RESOLVED) >= _RESOLVED_MAX:
                _RESOLVED.clear()
            tag = _RESOLVED[key] = super().resolve(kind, value, implicit)
        return tag

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        """Nothing to track: this loader has no path resolvers (PyYAML's checks that, for every node)."""

    def ascend_resolver(self) -> None:
        """Nothing to track (see `descend_resolver`)."""


_RESOLVED: dict[tuple[str, tuple[bool, bool]], str] = {}
"""The tags of the scalars resolved so far (PyYAML's implicit resolvers depend on the value and its style only)."""
_RESOLVED_LENGTH = 64
_RESOLVED_MAX = 50_000


_KindsLoader.add_constructor("tag:yaml.org,2002:timestamp", _KindsLoader.construct_yaml_timestamp)

_SKIP = frozenset({".git", "node_modules", "vendor", "__pycache__", ".venv", "venv", ".tox"})
_MAX_FILES = 2000
_MAX_BYTES = 1_000_000


@dataclass(frozen=True)
class Candidate:
    """A folder that holds Kubernetes objects (counted in it and below it)."""

    path: str
    """Relative to the repository, with '/' ("." for the root)."""
    objects: int
    kinds: tuple[str, ...]
    """The kinds found, most common first (at most four)."""
    side: bool = False
    """True for tests, examples, charts and the like (ranked last)."""
    kustomization: bool = False
    """True when the folder has its own kustomization.yaml (an overlay or base already present)."""

    @property
    def label(self) -> str:
        """`12 objects: Deployment, Service, ...` for a choice list."""
        kinds = ", ".join(self.kinds)
        extra = ", a kustomization" if self.kustomization else ""
        return f"{self.objects} object{'s' if self.objects != 1 else ''}{extra}: {kinds}"


def _kinds_in(path: Path | str) -> list[str]:
    """The kinds of the Kubernetes objects in one YAML file (none for anything else). The search passes the path as
    a string: a thousand Path objects cost ~10 ms of the first question's wait."""
    try:
        info = os.stat(path)
        if info.st_size > _MAX_BYTES or not stat.S_ISREG(info.st_mode):  # a FIFO would wait for a writer forever
            return []
        with open(path, encoding="utf-8") as file:
            text = file.read()
    except (OSError, UnicodeDecodeError):
        return []
    if "{{" in text:  # a Helm or Go template, not a manifest
        return []
    try:
        nodes = list(yaml.compose_all(text, Loader=_KindsLoader))
    except (yaml.YAMLError, ValueError, RecursionError):  # not YAML, absurd nesting
        return []
    if ("!" in text and _TAG.search(text)) or any(_merges(node) for node in nodes):  # "!": the regex's 10 ms skipped
        return _constructed_kinds(text)  # a tag may not construct, `<<: *base` may set the kind: as the scan reads
    kinds: list[str] = []
    for node in nodes:
        top = _top_level(node)
        if _string(top.get("kind")) == "List":
            listed = top.get("items")
            items = listed.value if isinstance(listed, yaml.SequenceNode) else []
        else:
            items = [node]
        for item in items:
            fields = _top_level(item)
            api, kind = _string(fields.get("apiVersion")), _string(fields.get("kind"))
            if api is not None and kind is not None and not api.startswith("kustomize.config.k8s.io"):
                kinds.append(kind)
    return kinds


# The search reads only the top level of each document (apiVersion, kind, a List's items), so it composes the
# YAML (the C parser builds the nodes) and constructs nothing: a string is a scalar node that resolved to a string.
_STR = "tag:yaml.org,2002:str"
_MERGE = "tag:yaml.org,2002:merge"
_TAG = re.compile(r"(?:^|[\s\[{,])!")
"""An explicit tag (`!!binary`, `!Ref`) may not construct: such a file is read constructed (a `!` in a value too)."""


def _top_level(node: Any) -> dict[str, yaml.Node]:
    """A mapping node's values by their string keys (the last wins, as when constructed); {} for anything else."""
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {k.value: v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.tag == _STR}


def _string(node: yaml.Node | None) -> str | None:
    """The string a node is, when it is one."""
    return node.value if isinstance(node, yaml.ScalarNode) and node.tag == _STR else None


def _merges(node: yaml.Node) -> bool:
    """True when a document, or a List's item, merges keys in (`<<`) at the level the search reads."""
    if not isinstance(node, yaml.MappingNode):
        return False
    if any(k.tag == _MERGE for k, _ in node.value):
        return True
    items = _top_level(node).get("items")
    return isinstance(items, yaml.SequenceNode) and any(
        isinstance(i, yaml.MappingNode) and any(k.tag == _MERGE for k, _ in i.value) for i in items.value
    )


def _constructed_kinds(text: str) -> list[str]:
    """The kinds of a file whose documents merge keys in, from the constructed documents."""
    try:
        docs = list(yaml.load_all(text, Loader=_KindsLoader))
    except (yaml.YAMLError, ValueError, RecursionError):  # a value no constructor reads, absurd nesting
        return []
    kinds: list[str] = []
    for doc in docs:
        items = doc.get("items") if isinstance(doc, dict) and doc.get("kind") == "List" else [doc]
        for item in items or []:
            if (
                isinstance(item, dict)
                and isinstance(item.get("apiVersion"), str)
                and isinstance(item.get("kind"), str)
                and not str(item["apiVersion"]).startswith("kustomize.config.k8s.io")
            ):
                kinds.append(item["kind"])
    return kinds


def _own_output(repo: Path) -> set[str]:
    """The output folders of an earlier run (their base, overlays and Flux files are not today's manifests)."""
    record = repo / ".k8s-wizard" / "generated.json"
    if not record.is_file():
        return set()
    try:
        import json

        paths = json.loads(record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set()
    found = paths.get("files", paths) if isinstance(paths, dict) else {}
    roots = set()
    for path in found:
        parts = str(path).split("/")
        for index, part in enumerate(parts[:-1]):
            if part in ("base", "overlays", "flux"):
                roots.add("/".join(parts[:index]) or ".")
                break
    return roots


def find_candidates(repo: Path) -> list[Candidate]:
    """Every folder of `repo` that holds Kubernetes objects, best first.

    Objects count for their folder and each folder above it, so `k8s/` holding `k8s/api/` and `k8s/web/`
    is one candidate with both. A folder is not offered when a folder below it has a kustomization.yaml
    (the scan refuses that); the parent of several object folders is offered only when it holds none
    itself but they are all it contains.
    """
    repo = repo.resolve()
    direct: dict[str, list[str]] = {}
    kustomized: set[str] = set()
    seen = 0
    for root, dirs, files in os.walk(repo):
        dirs[:] = sorted(d for d in dirs if d not in _SKIP and not d.startswith("."))
        rel = Path(root).relative_to(repo).as_posix()
        for name in sorted(files):
            if name in KUSTOMIZATION_NAMES:
                kustomized.add(rel)
            if not name.endswith(YAML_SUFFIXES) or seen >= _MAX_FILES:
                continue
            seen += 1
            kinds = _kinds_in(os.path.join(root, name))
            if kinds:
                direct.setdefault(rel, []).extend(kinds)
    own = _own_output(repo)
    totals: dict[str, list[str]] = {}
    for folder, kinds in direct.items():
        parts = [] if folder == "." else folder.split("/")
        for depth in range(len(parts), -1, -1):
            totals.setdefault("/".join(parts[:depth]) or ".", []).extend(kinds)
    out: list[Candidate] = []
    for folder, kinds in totals.items():
        if folder not in direct:
            # A parent without objects of its own: only worth offering as the union of its object folders.
            below = [d for d in direct if d != folder and (folder == "." or d.startswith(folder + "/"))]
            children = {d.split("/")[0] if folder == "." else d[len(folder) + 1 :].split("/")[0] for d in below}
            if len(children) < 2 or folder == ".":
                continue
        if any(k != folder and (folder == "." or k.startswith(folder + "/")) for k in kustomized):
            continue
        if any(folder == root or folder.startswith(root + "/") for root in own if root != ".") or (
            repo / folder / "Chart.yaml"
        ).exists():
            continue
        folder_parts = set(folder.split("/"))
        counts: dict[str, int] = {}
        for kind in kinds:
            counts[kind] = counts.get(kind, 0) + 1
        top = tuple(k for k, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:4])
        out.append(Candidate(folder, len(kinds), top, side=bool(folder_parts & SIDE_FOLDERS), kustomization=folder in kustomized))
    out.sort(key=lambda c: (c.side, -c.objects, c.path.count("/"), c.path))
    return _without_nested_duplicates(out)


def _without_nested_duplicates(candidates: list[Candidate]) -> list[Candidate]:
    """Drop a folder whose objects are exactly those of one folder below it (`deploy/` holding only `deploy/k8s/`)."""
    by_count: dict[int, list[Candidate]] = {}
    for c in candidates:
        by_count.setdefault(c.objects, []).append(c)
    out = []
    for c in candidates:
        same = [
            d for d in by_count[c.objects]
            if d.path != c.path and (c.path == "." or d.path.startswith(c.path + "/"))
        ]
        if same and not c.kustomization:
            continue
        out.append(c)
    return out


def offered(found: list[Candidate], readable: Callable[[Candidate], bool]) -> list[Candidate]:
    """The folders offered, best first: at most six that are `readable`, the side ones only when no other is."""
    out: list[Candidate] = []
    for candidate in found:
        if candidate.side and any(not c.side for c in out):
            break
        if not readable(candidate):
            continue
        out.append(candidate)
        if len(out) == 6:
            break
    return out


def first_facts(found: list[Candidate]) -> dict[str, Any] | None:
    """What the search for manifests alone tells, before any folder is read: the folder the facts will most
    likely read and the folders they will offer (each as the search labels it), with `reading: true`.

    Nothing here comes from the scan: no object count, namespace or workload (a claim must be true; the
    scan can still refuse a folder, and then the choice shrinks). None when no folder holds objects.
    """
    folders = offered(found, lambda candidate: True)
    if not folders:
        return None
    return {
        "source": folders[0].path,
        "candidates": [{"value": c.path, "label": c.label} for c in folders],
        "reading": True,
    }
