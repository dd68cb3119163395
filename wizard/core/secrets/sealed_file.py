"""One SealedSecret file in an overlay: what to seal (`SealTarget`), sealing it (`seal_file`), and reading the
identity an existing file was sealed for (`sealed_for`). No user interface, no writing.

The file keeps the pre-build name (kustomize adds the overlay's prefix again on every build) and records the
sealed-for identity in ``spec.template.metadata``, which `wizard.core.validate.sealed` checks later builds against.
No function here logs, prints or raises with a value: values only travel from the caller to
:func:`wizard.core.secrets.sealing.sealed_secret`.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from wizard.core import yamlio
from wizard.core.errors import InputError
from wizard.core.model import ChangeKind, FileChange
from wizard.core.secrets.commands import SEALED_SUFFIX
from wizard.core.secrets.sealing import KIND, Scope, scope_of, sealed_secret, sealed_secret_yaml

if TYPE_CHECKING:  # cryptography is loaded by the first seal (wizard/core/secrets/sealing.py)
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey


def is_sealed_file(entry: Any) -> bool:
    """True for a kustomization `resources` entry that names one of the overlay's sealed files."""
    return isinstance(entry, str) and entry.startswith("secrets/") and entry.endswith(SEALED_SUFFIX)


@dataclass(frozen=True)
class SealTarget:
    """One Secret to seal in one environment: which keys now, for which final name and namespace."""

    name: str
    """The Secret's name in the manifests (what the workloads reference, and the file's metadata.name)."""
    keys: tuple[str, ...]
    """The keys to seal now."""
    all_keys: tuple[str, ...]
    """Every key the Secret is known to need."""
    users: tuple[str, ...]
    final_name: str
    final_namespace: str
    path: str
    """Repository-relative path of the SealedSecret file."""
    secret_type: str | None = None
    new_keys: tuple[str, ...] = ()
    """Keys given with --key that no workload or source Secret names."""

    @property
    def renamed(self) -> bool:
        """True when the overlay's build gives the Secret another name (namePrefix/nameSuffix)."""
        return self.final_name != self.name


@dataclass(frozen=True)
class SealedFile:
    """What was written for one Secret (names only, never a value)."""

    target: SealTarget
    sealed: tuple[str, ...]
    kept: tuple[str, ...]
    scope: Scope


def sealed_for(obj: Mapping[str, Any]) -> tuple[str, str, Scope]:
    """(name, namespace, scope) a SealedSecret file was sealed for: its template's identity, else its own."""
    meta = obj.get("metadata") or {}
    template = ((obj.get("spec") or {}).get("template") or {}).get("metadata") or {}
    name = str(template.get("name") or meta.get("name") or "")
    namespace = str(template.get("namespace") or meta.get("namespace") or "")
    return name, namespace, scope_of(meta)


def _read_existing(repo: Path, rel: str) -> tuple[str | None, dict[str, Any] | None]:
    """(text, object) of an existing SealedSecret file, or (None, None) when there is none."""
    path = repo / rel
    if not path.is_file():
        return None, None
    text = path.read_text(encoding="utf-8")
    try:
        docs = [d for d in yamlio.load_all(text) if d is not None]
    except yaml.YAMLError:
        raise InputError(f"{rel}: not valid YAML; move it away to seal this Secret again") from None
    if len(docs) != 1 or not isinstance(docs[0], dict) or docs[0].get("kind") != KIND:
        raise InputError(f"{rel}: is not a single {KIND}; move it away to seal this Secret again")
    return text, docs[0]


def seal_file(
    repo: Path, target: SealTarget, values: Mapping[str, bytes], public_key: RSAPublicKey, scope: Scope,
) -> tuple[FileChange, SealedFile]:
    """The new text of one SealedSecret file: ``values`` sealed, the other keys of an existing file kept.

    An existing file sealed for another identity (name, namespace or scope) can be replaced only when
    every key it holds is sealed again; otherwise an InputError says so.
    """
    scope = Scope(scope)
    missing = [k for k in target.keys if k not in values]
    if missing:
        raise InputError(f"Secret {target.name}: no value for {', '.join(missing)}")
    old_text, existing = _read_existing(repo, target.path)
    view: dict[str, Any] | None = None
    secret_type = target.secret_type
    if existing is not None:
        name, namespace, old_scope = sealed_for(existing)
        old_keys = set((existing.get("spec") or {}).get("encryptedData") or {})
        template_type = ((existing.get("spec") or {}).get("template") or {}).get("type")
        secret_type = secret_type or (str(template_type) if template_type else None)
        same = (name, namespace, old_scope) == (target.final_name, target.final_namespace, scope)
        if same or not old_keys <= set(target.keys):
            # Same identity: keep the other keys. Another identity with keys not sealed again:
            # sealing.py refuses, naming the file and both identities.
            view = copy.deepcopy(existing)
            view["metadata"] = {**(view.get("metadata") or {}), "name": name, "namespace": namespace}
    kept_before = set(((view or {}).get("spec") or {}).get("encryptedData") or {})
    obj = sealed_secret(
        target.final_name, target.final_namespace, {k: values[k] for k in target.keys}, public_key, scope,
        existing=view, existing_source=target.path, secret_type=secret_type,
    )
    # The file keeps the name the workloads use: the overlay's build adds its prefix/suffix again.
    obj["metadata"]["name"] = target.name
    text = sealed_secret_yaml(obj)
    kind = ChangeKind.CREATE if old_text is None else ChangeKind.CHANGE
    change = FileChange(target.path, kind, old_text, text)
    kept = tuple(sorted(kept_before - set(target.keys)))
    return change, SealedFile(target, tuple(sorted(target.keys)), kept, scope)
