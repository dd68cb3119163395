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

import functools
import hashlib
import json
import os
import shutil
import stat
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


def _tree(folder: str, found: set[str], regular: set[str]) -> None:
    """Every file below `folder` (symlinks to files included, .git and symlinked folders not walked) into `found`;
    those that are no symlink into `regular` too.

    Directory entries tell a file from a folder without a stat of their own (only a symlink is followed).
    """
    with os.scandir(folder) as entries:
        for entry in entries:
            try:
                if entry.is_dir():
                    if entry.name != ".git" and not entry.is_symlink():
                        _tree(entry.path, found, regular)
                elif entry.is_file():
                    found.add(entry.path)
                    if not entry.is_symlink():
                        regular.add(entry.path)
            except OSError:
                continue


def _input_paths(directory: Path) -> set[str]:
    """`input_files` as absolute, normalized path strings."""
    files: set[str] = set()
    regular: set[str] = set()  # files of the walked folders that are no symlink: their path is their real path
    seen: set[str] = set()
    pending = [str(directory.resolve())]
    while pending:
        folder = pending.pop()
        if folder in seen:
            continue
        seen.add(folder)
        try:
            _tree(folder, files, regular)
        except OSError:
            pass  # not a readable folder: what it holds is not in the key (a missing input fails the build)
        kfile = next((k for k in (os.path.join(folder, n) for n in KUSTOMIZATION_NAMES) if os.path.isfile(k)), None)
        if kfile is None:
            continue
        try:
            with open(kfile, encoding="utf-8") as fh:
                named = _named(fh.read())
        except (UnicodeDecodeError, OSError):
            continue  # the build itself reports it; its folder's files are in the key already
        if named is None:
            continue
        remote, strings = named
        if remote is not None:
            raise Remote(remote)
        for text in strings:
            for candidate in {text, text.split("=", 1)[-1]}:
                path = os.path.join(folder, candidate)
                if ".." not in candidate.split("/") and os.path.normpath(path) in regular:
                    continue  # a file of a walked folder (a patch, say): in the key already
                try:
                    mode = os.stat(path).st_mode  # most strings of a kustomization name no file: one stat says so
                except NotADirectoryError:  # `file.yaml/`: named as a path names it (a trailing / or /. dropped)
                    path = str(Path(folder, candidate))
                    try:
                        mode = os.stat(path).st_mode
                    except (OSError, ValueError):
                        continue
                except (OSError, ValueError):
                    continue
                if stat.S_ISDIR(mode):
                    pending.append(os.path.realpath(path))
                elif stat.S_ISREG(mode):
                    files.add(os.path.realpath(path))
    return files


@functools.lru_cache(maxsize=256)
def _named(text: str) -> tuple[str | None, tuple[str, ...]] | None:
    """What a kustomization file's text names: (its first remote resource or None, every string in it that may be a
    local path), or None when it is not a mapping or does not load. Kept by text: the same overlay or base is keyed
    again and again (each preview, validate, the next build), and loading it is most of a key's cost."""
    try:
        doc = yamlio.load(text)
    except (yaml.YAMLError, ValueError):
        return None
    if not isinstance(doc, dict):
        return None
    for key in ("resources", "components", "bases"):
        for entry in doc.get(key) or [] if isinstance(doc.get(key), list) else []:
            if isinstance(entry, str) and _looks_remote(entry):
                return entry, ()
    # An inline patch or transformer is part of the kustomization file itself: not a path.
    return None, tuple(t for t in _strings(doc) if "\n" not in t and t and len(t) <= 1024)


def input_files(directory: Path) -> list[Path]:
    """Every file kustomize may read to build `directory` (a superset: more inputs only mean more rebuilds)."""
    return [Path(p) for p in _sorted(_input_paths(directory))]


def _sorted(paths: set[str]) -> list[str]:
    """Paths in the order of their parts (as `Path` objects sort), which the keys of existing entries used."""
    return sorted(paths, key=lambda p: p.split(os.sep))


def _binary(command: list[str]) -> str:
    exe = shutil.which(command[0]) or command[0]
    try:
        real = os.path.realpath(exe)
        info = os.stat(real)
        return f"{' '.join(command)}|{real}|{info.st_size}|{info.st_mtime_ns}"
    except (OSError, ValueError):
        return " ".join(command)


def build_key(directory: Path, command: list[str]) -> tuple[str, int] | None:
    """(key, total input bytes) of a build, or None when it cannot be keyed (a remote resource, unreadable file)."""
    try:
        files = _sorted(_input_paths(directory))
    except (Remote, OSError):
        return None
    root = str(directory.resolve())
    inside = root.rstrip(os.sep) + os.sep
    digest = hashlib.sha256(f"{VERSION}\0{_binary(command)}\0".encode())
    size = 0
    for path in files:
        try:
            with open(path, "rb") as fh:
                data = fh.read()
        except OSError:
            return None
        size += len(data)
        rel = path[len(inside):] if path.startswith(inside) else os.path.relpath(path, root)
        digest.update(rel.encode() + b"\0" + hashlib.sha256(data).digest())
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
