"""Render the base: today's manifests, copied verbatim, and its kustomization.yaml.

Files are copied as text, so comments, key order, anchors and line endings survive. Only documents
that must not be in the base are cut out: plaintext Secrets (their keys feed the sealing steps),
non-Kubernetes documents, and objects that stay in the current environment only.
"""

from __future__ import annotations

import copy
import functools
import io
from pathlib import Path, PurePosixPath
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.scalarstring import LiteralScalarString

from wizard.core import yamlio
from wizard.core.layout import HEADER
from wizard.core.resolve.model import Resolved
from wizard.core.scan.manifests import _SEPARATOR, ManifestObject, SourceFile
from wizard.core.secrets.plaintext import patch_secrets, read_patch_file

KUSTOMIZE_API = "kustomize.config.k8s.io/v1beta1"


def _strip_separator(segment: str) -> str:
    match = _SEPARATOR.match(segment)
    return segment[match.end() :].lstrip("\r\n") if match else segment


def _classify(ctx: Resolved, obj: ManifestObject) -> str:
    if obj.kind == "Secret":
        return "drop"
    return "current" if ctx.stays_current_only(obj) else "base"


def split_file(ctx: Resolved, sf: SourceFile) -> tuple[str, list[str]]:
    """The file's text for the base, and the document texts that go to the current environment only."""
    keep: list[str] = []
    current: list[str] = []
    by_segment: dict[int, list[ManifestObject]] = {}
    for obj in sf.objects:
        by_segment.setdefault(obj.segment, []).append(obj)
    for index, segment in enumerate(sf.segments):
        objs = by_segment.get(index, [])
        if index in sf.foreign_segments and not objs:
            continue
        classes = {_classify(ctx, o) for o in objs}
        if not objs:  # comments only (a licence header, say): keep with the base
            keep.append(segment)
        elif classes == {"base"} and index not in sf.foreign_segments:
            keep.append(segment)
        elif classes == {"current"} and index not in sf.foreign_segments:
            current.append(_strip_separator(segment))
        elif classes == {"drop"}:
            continue
        else:  # a List (or a mixed segment) that must be divided: re-emit its items by class
            base_items = [o.obj for o in objs if _classify(ctx, o) == "base"]
            current_items = [o.obj for o in objs if _classify(ctx, o) == "current"]
            if base_items:
                keep.append("---\n" + yamlio.dump({"apiVersion": "v1", "kind": "List", "items": base_items}))
            if current_items:
                current.append(yamlio.dump({"apiVersion": "v1", "kind": "List", "items": current_items}))
    text = "".join(keep)
    if not any(by_segment.get(i) for i in range(len(sf.segments)) if sf.segments[i] in keep) and not text.strip("-\r\n "):
        text = ""
    return text, current


def render_base(ctx: Resolved) -> tuple[dict[str, str], str]:
    """Base files {path: text} and the text of the current-only objects (may be '')."""
    files: dict[str, str] = {}
    current_docs: list[str] = []
    base_dir = ctx.layout.base
    resources: list[str] = []
    for sf in ctx.inventory.files:
        text, current = split_file(ctx, sf)
        for doc in current:
            current_docs.append(f"# from {ctx.answers.source}/{sf.path}\n" + doc.replace("\r\n", "\n"))
        has_objects = any(_classify(ctx, o) == "base" for o in sf.objects)
        if has_objects and text.strip():
            files[f"{base_dir}/{sf.path}"] = text
            resources.append(sf.path)
    adopted = ctx.inventory.adopted
    if adopted is not None:
        files.update(_adopted_kustomization(ctx, resources))
    else:
        note = "" if ctx.first_deployment else "\nThe base: today's manifests, unchanged. Environments differ only in overlays/."
        files[f"{base_dir}/kustomization.yaml"] = yamlio.dump(
            {"apiVersion": KUSTOMIZE_API, "kind": "Kustomization", "resources": sorted(resources)},
            header=HEADER + note,
        )
    current_text = "".join(d if d.endswith("\n") else d + "\n" for d in _join(current_docs))
    return files, current_text


def _join(docs: list[str]) -> list[str]:
    return [("---\n" if i else "") + d for i, d in enumerate(docs)]


def _adopted_kustomization(ctx: Resolved, kept: list[str]) -> dict[str, str]:
    """The adopted kustomization.yaml, modernised (no deprecated fields) and with comments kept."""
    adopted = ctx.inventory.adopted
    assert adopted is not None
    rt = YAML(typ="rt")
    rt.indent(mapping=2, sequence=4, offset=2)
    rt.width = 4096
    data: Any = copy.deepcopy(_round_trip(adopted.text))  # changed below: the kept one stays as loaded
    files: dict[str, str] = {}
    src_root = ctx.repo / str(ctx.answers.source)
    kept_set = set(kept)
    resources: list[str] = []
    for key in ("resources", "bases"):
        for entry in list(data.get(key) or []):
            rel = str(entry)
            norm = PurePosixPath(rel).as_posix().removeprefix("./")
            if rel in adopted.remote_resources or norm in kept_set:
                resources.append(rel)
    if "bases" in data:
        del data["bases"]
    if resources or "resources" in data:
        data["resources"] = resources
    if "commonLabels" in data:
        # `kustomize edit fix` semantics: the labels keep going into selectors, as today.
        pairs = dict(data["commonLabels"] or {})
        del data["commonLabels"]
        labels = list(data.get("labels") or [])
        labels.insert(0, {"pairs": pairs, "includeSelectors": True})
        data["labels"] = labels
    patches = list(data.get("patches") or [])
    for entry in data.get("patchesStrategicMerge") or []:
        patches.append({"path": str(entry)} if "\n" not in str(entry) else {"patch": str(entry)})
    for entry in data.get("patchesJson6902") or []:
        item = {k: entry[k] for k in ("path", "patch", "target") if k in entry}
        patches.append(item)
    for key in ("patchesStrategicMerge", "patchesJson6902"):
        if key in data:
            del data[key]
    patches, rewritten = _without_secret_patches(src_root, patches, adopted.path)
    if patches:
        data["patches"] = patches
    elif "patches" in data:
        del data["patches"]
    if "secretGenerator" in data:
        # Plaintext secret material: it becomes sealed secrets per environment instead.
        del data["secretGenerator"]
    # Files the kustomization refers to besides resources: generator sources and patch files.
    for ref in _referenced_files(data):
        path = src_root / ref
        if ref in rewritten:
            files[f"{ctx.layout.base}/{PurePosixPath(ref).as_posix()}"] = rewritten[ref]
        elif path.is_file():
            files[f"{ctx.layout.base}/{PurePosixPath(ref).as_posix()}"] = read_patch_file(src_root, ref, adopted.path)
    stream = io.StringIO()
    rt.dump(data, stream)
    header = "".join(
        f"# {line}\n" for line in (HEADER + f"\nAdopted from {adopted.path}; deprecated fields modernised.").splitlines()
    )
    text = stream.getvalue()
    files[f"{ctx.layout.base}/kustomization.yaml"] = text if text.startswith("#") else header + text
    return files


@functools.lru_cache(maxsize=16)
def _round_trip(text: str) -> Any:
    """A kustomization loaded with its comments (ruamel's round trip), once per text in a process: loading is ~10x
    a copy, and each preview and re-run renders the same adopted file again."""
    return YAML(typ="rt").load(text)


def _without_secret_patches(root: Path, patches: list[Any], shown: str) -> tuple[list[Any], dict[str, str]]:
    """The patches without Secret material (see secrets/plaintext.py), and patch files to write trimmed.

    A patch that only sets Secrets is dropped; one that also patches other objects keeps those parts.
    """
    kept: list[Any] = []
    rewritten: dict[str, str] = {}
    for i, patch in enumerate(patches):
        found, remaining = patch_secrets(patch, root, f"patches[{i}]", shown)
        if not found:
            kept.append(patch)
        elif remaining:
            if isinstance(patch, dict) and patch.get("patch") is not None:
                patch["patch"] = LiteralScalarString(remaining)
            elif isinstance(patch, dict) and patch.get("path"):
                rewritten[str(patch["path"])] = remaining
            kept.append(patch)
    return kept, rewritten


def _referenced_files(data: Any) -> list[str]:
    refs: list[str] = []
    for gen in data.get("configMapGenerator") or []:
        for entry in gen.get("files") or []:
            refs.append(str(entry).split("=", 1)[-1])
        refs.extend(str(e) for e in gen.get("envs") or [])
        if gen.get("env"):
            refs.append(str(gen["env"]))
    for patch in data.get("patches") or []:
        if isinstance(patch, dict) and patch.get("path"):
            refs.append(str(patch["path"]))
    return sorted(set(refs))
