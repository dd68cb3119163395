"""The engine of `k8s-wizard seal ENV`: which Secrets to seal (from --secret and --key), the certificate to
seal with (--cert or the answers), and sealing them into the environment's overlay, then listing them in its
kustomization through the pipeline (as `apply --yes` would). No printing: `wizard.commands.seal` talks to the user.

No function here logs, prints or raises with a value.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from wizard.core import yamlio
from wizard.core.answers.parse import Answers, Environment
from wizard.core.errors import InputError, WizardError
from wizard.core.kustomize import kustomization_file
from wizard.core.layout import Layout
from wizard.core.model import ChangeKind, FileChange, Finding
from wizard.core.pipeline import build, write
from wizard.core.resolve import SecretNeed, resolve
from wizard.core.scan.manifests import Inventory
from wizard.core.secrets.identity import final_identities
from wizard.core.secrets.sealed_file import SealedFile, SealTarget, is_sealed_file, seal_file
from wizard.core.secrets.sealing import Scope, load_certificate
from wizard.core.validate.sealed import stale_sealed_secrets
from wizard.core.write.atomic import write_changes

if TYPE_CHECKING:  # cryptography is loaded by the first seal (wizard/core/secrets/sealing.py)
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

DOCKERCONFIG_KEY = ".dockerconfigjson"


@dataclass(frozen=True)
class SealResult:
    """The outcome of sealing into an environment."""

    files: tuple[SealedFile, ...]
    listed: bool
    """True when the overlay's kustomization lists every written file."""
    pending: tuple[str, ...] = ()
    """Other files `k8s-wizard apply` would change (when not empty, nothing but the sealed files was written)."""
    findings: tuple[Finding, ...] = field(default=())


# --- the environment and what to seal ---------------------------------------------------------------
def find_environment(answers: Answers, name: str) -> Environment:
    """The environment called ``name``, or an InputError listing the known ones."""
    try:
        return answers.environment(name)
    except KeyError:
        known = ", ".join(e.name for e in answers.environments) or "none"
        raise InputError(f"environment {name!r} is not in the answers (known: {known})") from None


def require_sealed_secrets(answers: Answers, env: Environment) -> None:
    """Refuse to seal when the answers pick another provider."""
    provider = answers.secrets.provider
    overlay = Layout(answers.output).overlay(env.name)
    if provider == "sops":
        raise InputError(
            f"answers: secrets.provider is sops: encrypt {env.name}'s secrets with `bash {overlay}/encrypt-secrets.sh` "
            "(or set secrets.provider: sealed-secrets)"
        )
    if provider != "sealed-secrets":
        raise InputError(f"answers: secrets.provider is {provider}: set it to sealed-secrets to seal secrets")


def select_needs(
    needs: Sequence[SecretNeed], secrets: Sequence[str], keys: Sequence[str],
) -> list[tuple[SecretNeed, tuple[str, ...]]]:
    """The Secrets (and keys of each) to seal, filtered by --secret and --key."""
    by_name = {n.name: n for n in needs}
    if not by_name:
        raise InputError("the app references no Secret: there is nothing to seal")
    for name in secrets:
        if name not in by_name:
            raise InputError(f"--secret {name}: the app has no such Secret (found: {', '.join(sorted(by_name))})")
    chosen = [by_name[n] for n in dict.fromkeys(secrets)] if secrets else list(needs)
    wanted = list(dict.fromkeys(keys))
    selected: list[tuple[SecretNeed, tuple[str, ...]]] = []
    if not wanted:
        for need in chosen:
            if need.keys:
                selected.append((need, need.keys))
        if not selected:
            unknown = ", ".join(n.name for n in chosen)
            raise InputError(
                f"the key names of {unknown} are unknown (the workloads use the whole Secret through envFrom): "
                "name them with --secret NAME --key KEY"
            )
        return selected
    matched: set[str] = set()
    for need in chosen:
        hit = tuple(k for k in wanted if k in need.keys)
        matched.update(hit)
        if hit:
            selected.append((need, hit))
    unmatched = [k for k in wanted if k not in matched]
    if unmatched:
        if len(chosen) == 1:
            need = chosen[0]
            extra = tuple(unmatched)
            selected = [(need, tuple(k for k in wanted if k in need.keys or k in extra))]
        else:
            known = "; ".join(f"{n.name}: {', '.join(n.keys) or 'keys unknown'}" for n in chosen)
            raise InputError(
                f"--key {', '.join(unmatched)}: no selected Secret has this key ({known}); "
                "to add a new key, name its Secret with --secret"
            )
    return selected


def plan_seal(
    repo: Path, answers: Answers, inventory: Inventory, env: Environment,
    secrets: Sequence[str] = (), keys: Sequence[str] = (),
) -> list[SealTarget]:
    """What `seal ENV` would seal: each selected Secret, its keys, and the final name and namespace."""
    require_sealed_secrets(answers, env)
    resolved = resolve(inventory, answers)
    layout = resolved.layout
    overlay = layout.overlay(env.name)
    if kustomization_file(repo / overlay) is None:
        raise InputError(f"{overlay}: the overlay does not exist yet; run `k8s-wizard apply` first")
    selected = select_needs(resolved.app.secret_needs, secrets, keys)
    # Where the app runs today, a generated Secret keeps today's hashed name (what its pods reference).
    names = {n.name: resolved.secret_name(env, n.name) for n, _ in selected}
    identities = final_identities(repo, overlay, list(names.values()), env.namespace)
    types = {o.name: str(o.obj.get("type")) for o in inventory.secrets_in_source() if o.obj.get("type")}
    targets = []
    for need, chosen in selected:
        final_name, final_ns = identities[names[need.name]]
        secret_type = types.get(need.name)
        if secret_type is None and need.keys == (DOCKERCONFIG_KEY,):
            secret_type = "kubernetes.io/dockerconfigjson"
        targets.append(SealTarget(
            name=names[need.name], keys=chosen, all_keys=tuple(sorted(set(need.keys) | set(chosen))), users=need.users,
            final_name=final_name, final_namespace=final_ns, path=layout.sealed_secret(env.name, names[need.name]),
            secret_type=secret_type, new_keys=tuple(k for k in chosen if k not in need.keys),
        ))
    return targets


# --- the certificate --------------------------------------------------------------------------------
def load_sealing_key(
    repo: Path, answers: Answers, env: Environment, cert: Path | None, now: datetime | None = None,
) -> RSAPublicKey:
    """The controller's public key from --cert, else the certificate of the environment's cluster from the answers
    (secrets.certs.<cluster>, else secrets.cert; relative to the repo). A SealedSecret opens only on the cluster whose
    controller key sealed it, so each cluster's environments are sealed with that cluster's certificate."""
    overlay = Layout(answers.output).overlay(env.name)
    own = answers.secrets.certs.get(env.cluster) if env.cluster is not None else None
    if cert is not None:
        path, source = cert, str(cert)
    elif own:
        path, source = repo / own, f"{own} (answers: secrets.certs.{env.cluster})"
    elif answers.secrets.cert:
        path, source = repo / answers.secrets.cert, f"{answers.secrets.cert} (answers: secrets.cert)"
    else:
        raise InputError(
            "no certificate to seal with: fetch the controller's public certificate with "
            f"`kubeseal --fetch-cert --controller-name {answers.secrets.controller_name} --controller-namespace "
            f"{answers.secrets.controller_namespace} > pub-cert.pem` and pass --cert pub-cert.pem (or set secrets.cert, "
            "or secrets.certs.<cluster> per cluster, in the answers); without a certificate, "
            f"`bash {overlay}/seal-secrets.sh` seals through the cluster"
        )
    try:
        pem = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{source}: certificate file not found") from None
    except OSError as exc:
        raise InputError(f"{source}: cannot read the certificate ({exc.__class__.__name__})") from None
    return load_certificate(pem, source=source, now=now)


# --- sealing ----------------------------------------------------------------------------------------
def seal_environment(
    repo: Path, answers: Answers, inventory: Inventory, env: Environment, targets: Sequence[SealTarget],
    values: Mapping[str, Mapping[str, bytes]], public_key: RSAPublicKey, scope: Scope,
) -> SealResult:
    """Seal every target, write the files (all or nothing), and list them in the overlay's kustomization.

    The kustomization is re-generated through the pipeline (as `apply --yes` would) only when that is the
    only change `apply` would make; otherwise the sealed files are written alone and ``pending`` names what
    `k8s-wizard apply` would change.
    """
    sealed: list[SealedFile] = []
    changes: list[FileChange] = []
    for target in targets:
        change, done = seal_file(repo, target, values.get(target.name, {}), public_key, scope)
        changes.append(change)
        sealed.append(done)
    write_changes(repo, changes)
    kustomization = f"{Layout(answers.output).overlay(env.name)}/kustomization.yaml"
    try:
        outcome = build(repo, answers, inventory)
        pending = [c for c in outcome.changes if c.kind is not ChangeKind.UNCHANGED]
        others = tuple(c.path for c in pending if not (c.path == kustomization and _only_lists_sealed_files(c)))
        if pending and not others:
            write(repo, outcome)
    except BaseException:
        _restore(repo, changes)
        raise
    listed = _all_listed(repo, kustomization, [t.path for t in targets])
    findings = tuple(stale_sealed_secrets(repo, answers, environments=[env.name]))
    return SealResult(tuple(sealed), listed, others, findings)


def _only_lists_sealed_files(change: FileChange) -> bool:
    """True when a kustomization change does nothing but add or drop sealed files in ``resources``."""
    if change.kind is not ChangeKind.CHANGE or change.old is None or change.new is None:
        return False
    try:
        old, new = yamlio.load(change.old), yamlio.load(change.new)
    except yaml.YAMLError:
        return False
    if not isinstance(old, dict) or not isinstance(new, dict):
        return False

    def without(doc: dict[str, Any]) -> dict[str, Any]:
        """The kustomization without its sealed-file resources."""
        return {**doc, "resources": [r for r in doc.get("resources") or [] if not is_sealed_file(r)]}

    return without(old) == without(new)


def _restore(repo: Path, changes: Sequence[FileChange]) -> None:
    """Put back what the sealed files were before (after a failure further on)."""
    undo = [
        FileChange(c.path, ChangeKind.REMOVE, c.new, None) if c.old is None
        else FileChange(c.path, ChangeKind.CHANGE, c.new, c.old)
        for c in changes
    ]
    try:
        write_changes(repo, undo)
    except WizardError:
        pass


def _all_listed(repo: Path, kustomization: str, paths: Sequence[str]) -> bool:
    """True when the kustomization's `resources` name every one of ``paths``."""
    kfile = repo / kustomization
    if not kfile.is_file():
        return False
    try:
        doc = yamlio.load(kfile.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError:
        return False
    folder = kustomization.rsplit("/", 1)[0]
    resources = {f"{folder}/{r}" for r in (doc.get("resources") or []) if isinstance(r, str)} if isinstance(doc, dict) else set()
    return all(p in resources for p in paths)
