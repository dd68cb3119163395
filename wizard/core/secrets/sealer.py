"""The engine of `k8s-wizard seal ENV`: which Secrets an environment needs, for which final name and
namespace to seal them, and writing the SealedSecrets into the environment's overlay. No user interface.

The sealed-secrets controller derives the decryption label from the SealedSecret's own final name and
namespace, i.e. after the overlay's ``namespace``, ``namePrefix`` and ``nameSuffix`` (and any
transformer) have run. So the identity to seal for is read from a real build of the overlay (a probe
copy of it, next to it, holding a value-less SealedSecret), or computed from the overlay's
kustomization when no kustomize is installed. The file keeps the pre-build name (kustomize adds the
prefix again on every build) and records the sealed-for identity in ``spec.template.metadata``, which
is what `stale_sealed_secrets` checks later builds against.

No function here logs, prints or raises with a value: values only travel from the caller to
:func:`wizard.core.secrets.sealing.sealed_secret`.
"""

from __future__ import annotations

import copy
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

from wizard.core import yamlio
from wizard.core.answers.parse import Answers, Environment
from wizard.core.errors import InputError, WizardError
from wizard.core.layout import Layout
from wizard.core.model import ChangeKind, FileChange, Finding, Level
from wizard.core.resolve.context import Context, SecretNeed
from wizard.core.scan.manifests import Inventory, env_refs
from wizard.core.secrets.sealing import (
    API_VERSION,
    KIND,
    Scope,
    load_certificate,
    scope_of,
    sealed_secret,
    sealed_secret_yaml,
)
from wizard.core.write.atomic import write_changes

PROBE_ANNOTATION = "k8s-wizard.io/probe"
KUSTOMIZATION_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
DOCKERCONFIG_KEY = ".dockerconfigjson"


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


@dataclass(frozen=True)
class SealResult:
    """The outcome of sealing into an environment."""

    files: tuple[SealedFile, ...]
    listed: bool
    """True when the overlay's kustomization lists every written file."""
    pending: tuple[str, ...] = ()
    """Other files `k8s-wizard apply` would change (when not empty, nothing but the sealed files was written)."""
    findings: tuple[Finding, ...] = field(default=())


# --- the environment and its needs -------------------------------------------------------------------
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


def key_users(ctx: Context) -> dict[str, dict[str, tuple[str, ...]]]:
    """Secret name -> key -> the workloads that use the key (a whole-Secret reference uses every key)."""
    needs = ctx.secret_needs()
    found: dict[str, dict[str, set[str]]] = {n.name: {k: set() for k in n.keys} for n in needs}
    if ctx.answers.new_app:
        for need in needs:
            for key in need.keys:
                found[need.name][key].update(need.users)
    else:
        for w in ctx.workloads():
            for kind, name, ref_key in env_refs(w.obj):
                if kind != "Secret" or name not in found:
                    continue
                for k in [ref_key] if ref_key else list(found[name]):
                    found[name].setdefault(k, set()).add(w.ref)
    return {name: {k: tuple(sorted(v)) for k, v in sorted(keys.items())} for name, keys in found.items()}


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


# --- the final identity in the overlay's build -----------------------------------------------------
def _kustomization_file(folder: Path) -> Path | None:
    """The kustomization file of a folder, whichever of the names kustomize accepts it has."""
    return next((folder / n for n in KUSTOMIZATION_NAMES if (folder / n).is_file()), None)


def _kustomize_command() -> list[str] | None:
    """`kustomize build` or `kubectl kustomize`, or None when neither is installed."""
    if shutil.which("kustomize"):
        return ["kustomize", "build"]
    if shutil.which("kubectl"):
        return ["kubectl", "kustomize"]
    return None


def _probe_doc(name: str, namespace: str) -> dict[str, Any]:
    """A SealedSecret without any value, marked so it can be found in the build output."""
    return {
        "apiVersion": API_VERSION,
        "kind": KIND,
        "metadata": {"name": name, "namespace": namespace, "annotations": {PROBE_ANNOTATION: name}},
        "spec": {"encryptedData": {"probe": "cHJvYmU="}, "template": {"metadata": {"name": name}}},
    }


def _is_sealed_file(entry: Any) -> bool:
    """True for a `resources` entry that names one of the overlay's sealed files."""
    return isinstance(entry, str) and entry.startswith("secrets/") and entry.endswith(".sealedsecret.yaml")


def _probe_build(
    repo: Path, overlay_rel: str, names: Sequence[str], namespace: str, command: list[str],
) -> dict[str, tuple[str, str]]:
    """Build a copy of the overlay (next to it, so relative paths hold) with a probe SealedSecret per name."""
    overlay = repo / overlay_rel
    kfile = _kustomization_file(overlay)
    if kfile is None:
        raise InputError(f"{overlay_rel}: no kustomization.yaml; run `k8s-wizard apply` first")
    try:
        doc = yamlio.load(kfile.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise InputError(f"{kfile.relative_to(repo).as_posix()}: not valid YAML ({exc.__class__.__name__})") from None
    if not isinstance(doc, dict):
        raise InputError(f"{kfile.relative_to(repo).as_posix()}: not a kustomization")
    probe = Path(tempfile.mkdtemp(prefix=".k8s-wizard-probe-", dir=overlay.parent))
    try:
        shutil.rmtree(probe)
        shutil.copytree(overlay, probe, symlinks=True, ignore=shutil.ignore_patterns(".k8s-wizard-*"))
        for n in KUSTOMIZATION_NAMES:
            (probe / n).unlink(missing_ok=True)
        resources = [r for r in doc.get("resources") or [] if not _is_sealed_file(r)]
        doc["resources"] = [*resources, "k8s-wizard-probe.yaml"]
        (probe / "kustomization.yaml").write_text(yamlio.dump(doc), encoding="utf-8")
        (probe / "k8s-wizard-probe.yaml").write_text(
            yamlio.dump_all([_probe_doc(n, namespace) for n in names]), encoding="utf-8"
        )
        proc = subprocess.run([*command, str(probe)], capture_output=True, text=True, check=False)
    finally:
        shutil.rmtree(probe, ignore_errors=True)
    if proc.returncode != 0:
        detail = proc.stderr.strip().replace(str(probe), overlay_rel)
        raise InputError(f"{overlay_rel}: the overlay does not build, so the final Secret names are unknown: {detail}")
    found: dict[str, tuple[str, str]] = {}
    for obj in yamlio.load_all(proc.stdout):
        if not isinstance(obj, dict) or obj.get("kind") != KIND:
            continue
        meta = obj.get("metadata") or {}
        marker = (meta.get("annotations") or {}).get(PROBE_ANNOTATION)
        if marker in names:
            found[str(marker)] = (str(meta.get("name") or ""), str(meta.get("namespace") or ""))
    missing = [n for n in names if n not in found]
    if missing:
        raise InputError(f"{overlay_rel}: the overlay's build drops a SealedSecret named {', '.join(missing)} (a patch?)")
    return found


def _computed_identity(repo: Path, overlay_rel: str, names: Sequence[str], namespace: str) -> dict[str, tuple[str, str]]:
    """Without kustomize: the overlay kustomization's namespace, namePrefix and nameSuffix."""
    kfile = _kustomization_file(repo / overlay_rel)
    if kfile is None:
        raise InputError(f"{overlay_rel}: no kustomization.yaml; run `k8s-wizard apply` first")
    try:
        doc = yamlio.load(kfile.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise InputError(f"{kfile.relative_to(repo).as_posix()}: not valid YAML ({exc.__class__.__name__})") from None
    ns = str(doc.get("namespace") or namespace) if isinstance(doc, dict) else namespace
    prefix = str(doc.get("namePrefix") or "") if isinstance(doc, dict) else ""
    suffix = str(doc.get("nameSuffix") or "") if isinstance(doc, dict) else ""
    return {n: (f"{prefix}{n}{suffix}", ns) for n in names}


def final_identities(repo: Path, overlay_rel: str, names: Sequence[str], namespace: str) -> dict[str, tuple[str, str]]:
    """Secret name -> (name, namespace) a SealedSecret written into the overlay ends up with in its build."""
    if not names:
        return {}
    command = _kustomize_command()
    if command is None:
        return _computed_identity(repo, overlay_rel, names, namespace)
    return _probe_build(repo, overlay_rel, names, namespace, command)


def plan_seal(
    repo: Path, answers: Answers, inventory: Inventory, env: Environment,
    secrets: Sequence[str] = (), keys: Sequence[str] = (),
) -> list[SealTarget]:
    """What `seal ENV` would seal: each selected Secret, its keys, and the final name and namespace."""
    require_sealed_secrets(answers, env)
    ctx = Context.build(repo, inventory, answers)
    layout = ctx.layout
    overlay = layout.overlay(env.name)
    if _kustomization_file(repo / overlay) is None:
        raise InputError(f"{overlay}: the overlay does not exist yet; run `k8s-wizard apply` first")
    selected = select_needs(ctx.secret_needs(), secrets, keys)
    identities = final_identities(repo, overlay, [n.name for n, _ in selected], env.namespace)
    types = {o.name: str(o.obj.get("type")) for o in inventory.secrets_in_source() if o.obj.get("type")}
    targets = []
    for need, chosen in selected:
        final_name, final_ns = identities[need.name]
        secret_type = types.get(need.name)
        if secret_type is None and need.keys == (DOCKERCONFIG_KEY,):
            secret_type = "kubernetes.io/dockerconfigjson"
        targets.append(SealTarget(
            name=need.name, keys=chosen, all_keys=tuple(sorted(set(need.keys) | set(chosen))), users=need.users,
            final_name=final_name, final_namespace=final_ns, path=layout.sealed_secret(env.name, need.name),
            secret_type=secret_type, new_keys=tuple(k for k in chosen if k not in need.keys),
        ))
    return targets


# --- the certificate --------------------------------------------------------------------------------
def load_sealing_key(
    repo: Path, answers: Answers, env: Environment, cert: Path | None, now: datetime | None = None,
) -> RSAPublicKey:
    """The controller's public key from --cert, else from the answers' secrets.cert (relative to the repo)."""
    overlay = Layout(answers.output).overlay(env.name)
    if cert is not None:
        path, source = cert, str(cert)
    elif answers.secrets.cert:
        path, source = repo / answers.secrets.cert, f"{answers.secrets.cert} (answers: secrets.cert)"
    else:
        raise InputError(
            "no certificate to seal with: fetch the controller's public certificate with "
            f"`kubeseal --fetch-cert --controller-name {answers.secrets.controller_name} --controller-namespace "
            f"{answers.secrets.controller_namespace} > pub-cert.pem` and pass --cert pub-cert.pem (or set secrets.cert "
            f"in the answers); without a certificate, `bash {overlay}/seal-secrets.sh` seals through the cluster"
        )
    try:
        pem = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{source}: certificate file not found") from None
    except OSError as exc:
        raise InputError(f"{source}: cannot read the certificate ({exc.__class__.__name__})") from None
    return load_certificate(pem, source=source, now=now)


# --- sealing ----------------------------------------------------------------------------------------
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


def seal_environment(
    repo: Path, answers: Answers, inventory: Inventory, env: Environment, targets: Sequence[SealTarget],
    values: Mapping[str, Mapping[str, bytes]], public_key: RSAPublicKey, scope: Scope,
) -> SealResult:
    """Seal every target, write the files (all or nothing), and list them in the overlay's kustomization.

    The kustomization is re-generated through the pipeline (as `apply --yes` would) only when that is the
    only change `apply` would make; otherwise the sealed files are written alone and ``pending`` names what
    `k8s-wizard apply` would change.
    """
    from wizard.core.pipeline import build, write  # the pipeline imports the plan, which imports this module

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
        return {**doc, "resources": [r for r in doc.get("resources") or [] if not _is_sealed_file(r)]}

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


# --- stale SealedSecrets ---------------------------------------------------------------------------
def _build_overlay(repo: Path, rel: str, command: list[str]) -> tuple[bool, list[dict[str, Any]]]:
    """(ok, objects) of one overlay's real build."""
    proc = subprocess.run([*command, str(repo / rel)], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        return False, []
    return True, [d for d in yamlio.load_all(proc.stdout) if isinstance(d, dict)]


def _overlay_envs(repo: Path, output: str, answers: Answers | None, environments: Sequence[str] | None) -> list[str]:
    """The environments to check: those given, else the answers', else every overlay folder."""
    if environments is not None:
        return list(environments)
    if answers is not None:
        return [e.name for e in answers.environments]
    root = repo / output / "overlays"
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith(".") and _kustomization_file(p))


def stale_sealed_secrets(
    repo: Path, answers: Answers | None, *, output: str | None = None, builds: Sequence[Any] | None = None,
    environments: Sequence[str] | None = None,
) -> list[Finding]:
    """SealedSecrets in the overlays that the controller could not decrypt as built, or that no build carries.

    Each ``overlays/<env>/secrets/*.sealedsecret.yaml`` is found in its overlay's build by its ciphertext,
    and the name and namespace the build gives it are compared with those it was sealed for (its
    template's), as its scope requires: strict both, namespace-wide the namespace. ``builds`` (objects
    with ``path``, ``ok`` and ``objects``, as `wizard.core.validate.checks` makes them) saves building again.
    """
    out = output or (answers.output if answers is not None else "k8s")
    layout = Layout(out)
    done = {b.path: b for b in builds or []}
    command: list[str] | None = None
    findings: list[Finding] = []
    for env in _overlay_envs(repo, out, answers, environments):
        overlay = layout.overlay(env)
        folder = repo / overlay / "secrets"
        files = sorted(p for p in folder.glob("*.sealedsecret.yaml") if p.is_file()) if folder.is_dir() else []
        if not files or _kustomization_file(repo / overlay) is None:
            continue
        if overlay in done:
            ok, objects = bool(done[overlay].ok), [o for o in done[overlay].objects if isinstance(o, dict)]
        else:
            command = command or _kustomize_command()
            if command is None:
                return findings
            ok, objects = _build_overlay(repo, overlay, command)
        if not ok:
            continue  # validate reports the failed build itself
        built = [o for o in objects if o.get("kind") == KIND]
        for path in files:
            rel = path.relative_to(repo).as_posix()
            try:
                docs = [d for d in yamlio.load_all(path.read_text(encoding="utf-8")) if isinstance(d, dict)]
            except (yaml.YAMLError, UnicodeDecodeError):
                findings.append(Finding(Level.ERROR, "sealed-secret-invalid", "not valid YAML", rel, env))
                continue
            for doc in docs:
                if doc.get("kind") != KIND:
                    continue
                findings.extend(_check_one(rel, env, doc, built))
    return findings


def _check_one(rel: str, env: str, doc: dict[str, Any], built: list[dict[str, Any]]) -> list[Finding]:
    """Find one sealed file's object in the build (by its ciphertexts) and compare identities."""
    name, namespace, scope = sealed_for(doc)
    data = (doc.get("spec") or {}).get("encryptedData") or {}
    match = next((o for o in built if ((o.get("spec") or {}).get("encryptedData") or {}) == data and data), None)
    if match is None:
        return [Finding(
            Level.WARNING, "sealed-secret-unlisted",
            f"SealedSecret {name} is not in the build of overlays/{env}: run `k8s-wizard apply` so the overlay lists it",
            rel, env,
        )]
    meta = match.get("metadata") or {}
    final = (str(meta.get("name") or ""), str(meta.get("namespace") or ""))
    if scope is Scope.CLUSTER_WIDE:
        return []
    expected = (name, namespace) if scope is Scope.STRICT else (final[0], namespace)
    if final == expected:
        return []
    what = f"{namespace}/{name}" if scope is Scope.STRICT else f"namespace {namespace}"
    return [Finding(
        Level.ERROR, "sealed-secret-stale",
        f"SealedSecret was sealed for {what} (scope {scope}) but the overlay builds it as {final[1]}/{final[0]}: "
        f"the controller cannot decrypt it. Seal it again: k8s-wizard seal {env} --secret {doc.get('metadata', {}).get('name')}",
        rel, env,
    )]
