"""SealedSecrets in the overlays that the controller could not decrypt as built, or that no build carries.

The sealed-secrets controller decrypts a SealedSecret only under the name and namespace it was sealed for
(as its scope requires). An overlay's ``namespace``, ``namePrefix`` or ``nameSuffix`` changes them at
build time, so each sealed file is looked up in the real build of its overlay and compared.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from wizard.core import yamlio
from wizard.core.answers.parse import Answers
from wizard.core.kustomize import Build, build_overlay, find_kustomize, kustomization_file
from wizard.core.layout import Layout
from wizard.core.model import Finding, Level
from wizard.core.secrets.sealed_file import sealed_for
from wizard.core.secrets.sealing import KIND, Scope


def _overlay_envs(repo: Path, output: str, answers: Answers | None, environments: Sequence[str] | None) -> list[str]:
    """The environments to check: those given, else the answers', else every overlay folder."""
    if environments is not None:
        return list(environments)
    if answers is not None:
        return [e.name for e in answers.environments]
    root = repo / output / "overlays"
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith(".") and kustomization_file(p))


def stale_sealed_secrets(
    repo: Path, answers: Answers | None, *, output: str | None = None, builds: Sequence[Build] | None = None,
    environments: Sequence[str] | None = None,
) -> list[Finding]:
    """SealedSecrets in the overlays that the controller could not decrypt as built, or that no build carries.

    Each ``overlays/<env>/secrets/*.sealedsecret.yaml`` is found in its overlay's build by its ciphertext,
    and the name and namespace the build gives it are compared with those it was sealed for (its
    template's), as its scope requires: strict both, namespace-wide the namespace. ``builds`` (as
    `wizard.core.kustomize` makes them) saves building again.
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
        if not files or kustomization_file(repo / overlay) is None:
            continue
        build = done.get(overlay)
        if build is None:
            command = command or find_kustomize()
            if command is None:
                return findings
            build = build_overlay(repo, overlay, command)
        if not build.ok:
            continue  # validate reports the failed build itself
        built = [o for o in build.objects if o.get("kind") == KIND]
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
