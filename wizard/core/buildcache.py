"""Reuse a kustomize build whose inputs did not change: a content hash of every file kustomize reads for it.

The inputs of a kustomization directory are its kustomization file, every file in its folder tree, and
every local path its kustomization names (resources, components, patches, generator files and env files,
transformers, ...), followed into other kustomization folders recursively. A kustomization that names a
remote resource (a URL) is never cached: what it reads cannot be hashed. The key also holds the kustomize
binary's identity (path, size, mtime) and every path relative to the built folder, so a temporary copy of
the output (the preview's check) hits the same entry as the repository.

Only a successful build without a warning is recorded, and only what the checks after it read: each
object's apiVersion, kind, name and namespace, a Service's ports and a SealedSecret's ciphertexts. No
Secret's data, no ConfigMap value, no stderr is ever written. The cache lives outside the repository
(`$XDG_CACHE_HOME/k8s-wizard/builds`, else `~/.cache/...`); `K8S_WIZARD_BUILD_CACHE=off` turns it off.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from wizard.core import yamlio

KUSTOMIZATION_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
VERSION = "1"
"""Bumped when what an entry holds changes."""


def cache_dir() -> Path | None:
    """Where entries live, or None when the cache is turned off."""
    if os.environ.get("K8S_WIZARD_BUILD_CACHE", "").lower() in ("off", "0", "no", "false"):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "k8s-wizard" / "builds"


class Remote(Exception):
    """The kustomization reads something that is not a local file: its build cannot be keyed."""


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def _looks_remote(text: str) -> bool:
    return "://" in text or text.startswith(("github.com/", "git@", "gitlab.com/", "bitbucket.org/"))


def _tree(folder: Path) -> Iterator[Path]:
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if d != ".git")
        for name in sorted(filenames):
            yield Path(dirpath) / name


def input_files(directory: Path) -> list[Path]:
    """Every file kustomize may read to build `directory` (a superset: more inputs only mean more rebuilds)."""
    files: set[Path] = set()
    seen: set[Path] = set()
    pending = [directory.resolve()]
    while pending:
        folder = pending.pop()
        if folder in seen:
            continue
        seen.add(folder)
        files.update(p for p in _tree(folder) if p.is_file())
        kfile = next((folder / n for n in KUSTOMIZATION_NAMES if (folder / n).is_file()), None)
        if kfile is None:
            continue
        try:
            doc = yamlio.load(kfile.read_text(encoding="utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError, OSError, ValueError):
            continue  # the build itself reports it; its folder's files are in the key already
        if not isinstance(doc, dict):
            continue
        for key in ("resources", "components", "bases"):
            for entry in doc.get(key) or [] if isinstance(doc.get(key), list) else []:
                if isinstance(entry, str) and _looks_remote(entry):
                    raise Remote(entry)
        for text in _strings(doc):
            if "\n" in text or not text or len(text) > 1024:
                continue  # an inline patch or transformer: part of the kustomization file itself
            for candidate in {text, text.split("=", 1)[-1]}:
                path = (folder / candidate).resolve()
                try:
                    if path.is_dir():
                        pending.append(path)
                    elif path.is_file():
                        files.add(path)
                except OSError:
                    continue
    return sorted(files)


def _binary(command: list[str]) -> str:
    exe = shutil.which(command[0]) or command[0]
    try:
        info = Path(exe).resolve().stat()
        return f"{' '.join(command)}|{Path(exe).resolve()}|{info.st_size}|{info.st_mtime_ns}"
    except OSError:
        return " ".join(command)


def build_key(directory: Path, command: list[str]) -> tuple[str, int] | None:
    """(key, total input bytes) of a build, or None when it cannot be keyed (a remote resource, unreadable file)."""
    try:
        files = input_files(directory)
    except (Remote, OSError):
        return None
    root = directory.resolve()
    digest = hashlib.sha256(f"{VERSION}\0{_binary(command)}\0".encode())
    size = 0
    for path in files:
        try:
            data = path.read_bytes()
        except OSError:
            return None
        size += len(data)
        digest.update(os.path.relpath(path, root).encode() + b"\0" + hashlib.sha256(data).digest())
    return digest.hexdigest(), size


def summary(obj: dict[str, Any]) -> dict[str, Any]:
    """What the checks after a build read of an object; never a Secret's data or a ConfigMap's values."""
    meta = obj.get("metadata") or {}
    out: dict[str, Any] = {
        "apiVersion": obj.get("apiVersion"),
        "kind": obj.get("kind"),
        "metadata": {k: meta[k] for k in ("name", "namespace") if k in meta},
    }
    spec = obj.get("spec") or {}
    if obj.get("kind") == "Service" and isinstance(spec, dict) and spec.get("ports"):
        out["spec"] = {"ports": [
            {k: p[k] for k in ("name", "port", "nodePort", "protocol") if k in p} for p in spec["ports"] if isinstance(p, dict)
        ]}
    if obj.get("kind") == "SealedSecret" and isinstance(spec, dict) and spec.get("encryptedData"):
        out["spec"] = {"encryptedData": spec["encryptedData"]}  # ciphertext only: the controller's key opens it
    return out


def load(key: str) -> list[dict[str, Any]] | None:
    """The recorded objects of a build, or None."""
    folder = cache_dir()
    if folder is None:
        return None
    try:
        data = json.loads((folder / f"{key}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    objects = data.get("objects") if isinstance(data, dict) else None
    return objects if isinstance(objects, list) else None


def store(key: str, objects: tuple[dict[str, Any], ...]) -> None:
    """Record a successful build's object summaries (atomically; a failure to record is not an error)."""
    folder = cache_dir()
    if folder is None:
        return
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump({"objects": [summary(o) for o in objects]}, fh, sort_keys=True)
        os.replace(tmp, folder / f"{key}.json")
    except OSError:
        return
