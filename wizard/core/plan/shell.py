"""Commands MIGRATION.md gives, built so that they run as written (tests/test_migration_commands.py runs them).

- rollback re-applies today's manifests the way they were applied: `-k` for a kustomization (never `-f`,
  which would print its plaintext literals and miss its generators), `-R` when files sit in sub-folders,
  and `-n` only when no object is pinned to another namespace (kubectl refuses a mismatch).
- `git add` names every path the write creates: the output folder, MIGRATION.md, the answers file, the
  record, and `.github/` and `.sops.yaml` when they are written.
- the clean-up removes the source folder with any plaintext Secret file in one `git rm`.
"""

from __future__ import annotations

import shlex

from wizard.core.answers.parse import ANSWERS_FILE, Answers
from wizard.core.kinds import CLUSTER_SCOPED
from wizard.core.layout import MIGRATION_FILE, STATE_FILE, WORKFLOW_DIR, Layout
from wizard.core.render.overlay import BUILTIN_NAMESPACES
from wizard.core.render.secretfiles import SOPS_CONFIG
from wizard.core.resolve.model import Resolved

SOPS_AGE_SECRET = "sops-age"
"""The Secret in flux-system holding the age private key Flux decrypts with (decryption.secretRef)."""


def written_paths(resolved: Resolved) -> list[str]:
    """Top-level paths the write creates, for `git add` (folders with a trailing slash)."""
    paths = [f"{resolved.answers.output}/", MIGRATION_FILE, ANSWERS_FILE, STATE_FILE.split("/")[0] + "/"]
    if resolved.answers.ci != "none":
        paths.append(WORKFLOW_DIR.split("/")[0] + "/")
    if resolved.answers.secrets.provider == "sops":
        paths.append(SOPS_CONFIG)
    return paths


def git_add(resolved: Resolved) -> str:
    """`git add` of everything the write creates."""
    return "git add " + " ".join(shlex.quote(p) for p in written_paths(resolved))


def rollback_apply(resolved: Resolved) -> list[str]:
    """Commands that re-apply today's manifests exactly as they are applied today."""
    source = resolved.answers.source
    if not source:
        return []
    inventory = resolved.inventory
    today = resolved.today_namespace
    folder = shlex.quote(f"{source}/")
    if inventory.adopted is not None:
        sets_namespace = bool(inventory.adopted.data.get("namespace"))
        return [f"kubectl apply {'' if sets_namespace or not today else f'-n {shlex.quote(today)} '}-k {folder}"]
    recursive = "-R " if any("/" in f.path for f in inventory.files) else ""
    pinned_elsewhere = any(
        o.namespace and o.namespace != today for o in inventory.objects if o.kind not in CLUSTER_SCOPED
    )
    if not today:
        return [f"kubectl apply {recursive}-f {folder}"]
    if pinned_elsewhere:
        # kubectl refuses `-n` for an object pinned to another namespace: use the context's, set to today's.
        return [
            f"kubectl config set-context --current --namespace {shlex.quote(today)}",
            f"kubectl apply {recursive}-f {folder}",
        ]
    return [f"kubectl apply -n {shlex.quote(today)} {recursive}-f {folder}"]


def remove_source(resolved: Resolved, plaintext: list[str]) -> str:
    """One `git rm` of the source folder and any plaintext Secret file outside it."""
    source = str(resolved.answers.source)
    outside = [p for p in plaintext if not p.startswith(f"{source}/")]
    return "git rm -r " + " ".join(shlex.quote(p) for p in [source, *outside])


def sops_age_secret() -> str:
    """The command that gives Flux the age private key (from the file sops itself reads: $SOPS_AGE_KEY_FILE)."""
    return (
        f"kubectl create secret generic {SOPS_AGE_SECRET} --namespace flux-system "
        '--from-file=age.agekey="$SOPS_AGE_KEY_FILE"'
    )


def cluster_cleanup(answers: Answers, name: str, namespace: str, position: int) -> list[str]:
    """What `remove-env NAME` leaves to do in the cluster: its Flux Kustomization (Flux then removes what it
    applied), the next environment's Flux object (its dependsOn changed) and the namespace (never pruned).

    `answers` are the answers without the environment; `position` is where it stood in the promotion order.
    """
    layout = Layout(answers.output)
    commands = [f"flux delete kustomization {shlex.quote(f'{answers.app}-{name}')} --silent"]
    if position < len(answers.environments):
        commands.append(f"kubectl apply -f {shlex.quote(layout.flux_kustomization(answers.environments[position].name))}")
    if namespace not in BUILTIN_NAMESPACES and namespace not in {e.namespace for e in answers.environments}:
        commands.append(f"kubectl delete namespace {shlex.quote(namespace)}")
    return commands
