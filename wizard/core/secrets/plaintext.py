"""Plaintext Secret material in an adopted kustomization's patches, recognised by kind wherever it is.

A patch sets Secret values when it targets a Secret (`target.kind`), or when one of its documents is a
Secret (a strategic-merge patch file, an inline `patch:`, a `patchesStrategicMerge` entry, a List of
them). Such a patch is never copied into the base: its key names feed the sealing steps like a source
Secret's. What remains of a patch that also patches other objects is kept, without the Secret documents.
Only names (patch, Secret, keys) are ever reported, never a value.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from wizard.core import yamlio
from wizard.core.errors import InputError
from wizard.core.kinds import is_list, list_items, secret_keys

SECRET = "Secret"


@dataclass(frozen=True)
class SecretPatch:
    """A patch (or the part of one) that sets a Secret: where it is, which Secret, which keys."""

    where: str
    secret: str
    keys: tuple[str, ...]


def _targets_secret(target: Any) -> bool:
    """True when a patch target selects Secrets (`kind: Secret`, or a regex that matches it)."""
    if not isinstance(target, Mapping):
        return False
    kind = target.get("kind")
    if kind is None:
        return False
    try:
        return re.fullmatch(str(kind), SECRET) is not None
    except re.error:
        return str(kind) == SECRET


def _op_keys(ops: Any) -> tuple[str, ...]:
    """Key names a JSON 6902 patch sets under /data or /stringData."""
    keys: set[str] = set()
    for op in ops if isinstance(ops, list) else []:
        if not isinstance(op, Mapping):
            continue
        parts = str(op.get("path", "")).split("/")
        if len(parts) >= 3 and parts[1] in ("data", "stringData"):
            keys.add(parts[2].replace("~1", "/").replace("~0", "~"))
        elif len(parts) == 2 and parts[1] in ("data", "stringData") and isinstance(op.get("value"), Mapping):
            keys.update(str(k) for k in op["value"])
    return tuple(sorted(keys))


def _documents(text: str, where: str) -> list[Any]:
    try:
        return [d for d in yamlio.load_all(text) if d is not None]
    except yaml.YAMLError as exc:
        raise InputError(f"{where}{yamlio.error_message(exc)}") from None


def _is_secret(doc: Any) -> bool:
    return isinstance(doc, Mapping) and doc.get("kind") == SECRET


def _name(doc: Mapping[str, Any]) -> str:
    meta = doc.get("metadata")
    return str(meta.get("name", "?")) if isinstance(meta, Mapping) else "?"


def _split(docs: list[Any], where: str) -> tuple[list[SecretPatch], list[Any]]:
    """The Secrets among a patch's documents (Lists opened), and the documents that are not Secrets."""
    found: list[SecretPatch] = []
    kept: list[Any] = []
    for doc in docs:
        if is_list(doc):
            items = list_items(doc)
            secrets = [i for i in items if _is_secret(i)]
            if secrets:
                found += [SecretPatch(where, _name(s), secret_keys(s)) for s in secrets]
                kept += [i for i in items if not _is_secret(i)]
                continue
        if _is_secret(doc):
            found.append(SecretPatch(where, _name(doc), secret_keys(doc)))
        else:
            kept.append(doc)
    return found, kept


def read_patch_file(root: Path, rel: str, shown: str) -> str:
    """A patch file's text, refusing (before reading) one outside the kustomization's folder."""
    base = root.resolve()
    path = (root / rel).resolve()
    if base != path and base not in path.parents:
        raise InputError(f"{shown}: patch file {rel!r} is outside the source folder")
    if not path.is_file():
        raise InputError(f"{shown}: patch file {rel!r} does not exist")
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{shown}: patch file {rel!r} is not UTF-8 text") from None


def patch_secrets(patch: Any, root: Path, where: str, shown: str) -> tuple[list[SecretPatch], str | None]:
    """What Secrets a `patches:` entry sets, and the patch's text without them.

    Returns (found, remaining): `found` is empty for a patch that sets no Secret (`remaining` is then
    None: keep the patch as it is). Otherwise `remaining` is the text of the non-Secret documents to
    keep ('' when nothing remains: drop the whole patch). `shown` names the kustomization in errors.
    """
    if isinstance(patch, str):  # a patchesStrategicMerge entry: a file name or an inline patch
        patch = {"patch": patch} if "\n" in patch else {"path": patch}
    if not isinstance(patch, Mapping):
        return [], None
    inline = patch.get("patch")
    text = str(inline) if inline is not None else None
    label = f"{shown}: {where}"
    if text is None and patch.get("path"):
        text = read_patch_file(root, str(patch["path"]), shown)
        label = f"{shown}: {where} ({patch['path']})"
    if _targets_secret(patch.get("target")):
        ops = _documents(text, label) if text is not None else []
        keys = _op_keys(ops[0]) if len(ops) == 1 and isinstance(ops[0], list) else ()
        if not keys:
            keys = tuple(sorted({k for d in ops if isinstance(d, Mapping) for k in secret_keys(d)}))
        name = str(patch["target"].get("name", "?"))
        return [SecretPatch(where, name, keys)], ""
    if text is None:
        return [], None
    found, kept = _split(_documents(text, label), where)
    if not found:
        return [], None
    return found, yamlio.dump_all(kept) if kept else ""
