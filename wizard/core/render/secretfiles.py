"""Per-environment secret steps: sealing scripts (or SOPS), never a value."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from wizard.core import yamlio
from wizard.core.model import Finding, Level
from wizard.core.resolve.context import Context
from wizard.core.secrets.commands import kubeseal_script, sops_config, sops_script
from wizard.core.secrets.sealing import Scope

SOPS_CONFIG = ".sops.yaml"
PLACEHOLDER_MARK = "REPLACE-ME"
"""In every placeholder recipient, and in no real one (an age recipient is `age1` + lower-case bech32)."""
_PLACEHOLDER = re.compile(r"(?i)replace")


def sops_placeholder(environment: str) -> str:
    """The recipient written until the user puts the environment's age public key in `.sops.yaml`.

    It does not start with `age1`, so neither a reader nor sops takes it for a key: sops refuses it
    ("failed to parse ... age recipient") instead of encrypting for it.
    """
    return f"{PLACEHOLDER_MARK}-with-the-{environment}-age-public-key"


def _mac_only_encrypted(config: str) -> str:
    """`.sops.yaml` with `mac_only_encrypted: true` in each creation rule (after its `encrypted_regex`).

    The overlays' kustomize build changes each Secret's unencrypted fields (the environment label, and
    the namespace or name when a namespace, namePrefix or nameSuffix applies), and Flux decrypts the
    built Secret: with a MAC over every value, sops refuses it ("MAC mismatch"). With the MAC over the
    encrypted values only (sops >= 3.9, Flux >= 2.4), the data stays protected and the build may label it.
    """
    lines: list[str] = []
    for line in config.splitlines():
        lines.append(line)
        stripped = line.lstrip(" -")
        if stripped.startswith("encrypted_regex:"):
            lines.append(" " * (len(line) - len(stripped)) + "mac_only_encrypted: true")
    return "\n".join(lines) + "\n"


def _recipients(rule: dict[str, Any]) -> list[str]:
    """The age recipients of one creation rule: `age:` as one comma-separated string or a list, and key_groups."""
    found: list[Any] = []
    for holder in [rule, *[g for g in rule.get("key_groups") or [] if isinstance(g, dict)]]:
        value = holder.get("age")
        found.extend(value if isinstance(value, list) else str(value).split(",") if value is not None else [])
    return [str(r).strip() for r in found if str(r).strip()]


def sops_placeholders(repo: Path) -> list[Finding]:
    """An error for each creation rule of `<repo>/.sops.yaml` whose age recipient is still a placeholder."""
    path = repo / SOPS_CONFIG
    if not path.is_file():
        return []
    try:
        docs = yamlio.load_all(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        return [Finding(Level.ERROR, "sops-config", f"not valid YAML: {exc}", SOPS_CONFIG)]
    config = docs[0] if docs and isinstance(docs[0], dict) else {}
    findings: list[Finding] = []
    for index, rule in enumerate(config.get("creation_rules") or [], start=1):
        if not isinstance(rule, dict):
            continue
        for recipient in _recipients(rule):
            if _PLACEHOLDER.search(recipient):
                where = rule.get("path_regex", "?")
                findings.append(Finding(
                    Level.ERROR, "sops-placeholder",
                    f"creation rule {index} (path_regex {where}) still has the placeholder recipient {recipient!r}: "
                    "put the environment's age public key there (`age-keygen -y KEYFILE`) before encrypting",
                    SOPS_CONFIG,
                ))
    return findings


def secret_map(ctx: Context) -> dict[str, list[str]]:
    """Secret name -> key names, for the Secrets whose keys are known."""
    return {need.name: list(need.keys) for need in ctx.secret_needs() if need.keys}


def render_secret_scripts(ctx: Context) -> dict[str, str]:
    """`overlays/<env>/seal-secrets.sh` per environment, and `.sops.yaml` for SOPS."""
    provider = ctx.answers.secrets.provider
    secrets = secret_map(ctx)
    if provider == "none" or not secrets:
        return {}
    files: dict[str, str] = {}
    cfg = ctx.answers.secrets
    for env in ctx.answers.environments:
        overlay = ctx.layout.overlay(env.name)
        if provider == "sealed-secrets":
            files[f"{overlay}/seal-secrets.sh"] = kubeseal_script(
                environment=env.name, namespace=env.namespace, secrets=secrets, output_dir=f"{overlay}/secrets",
                controller_name=cfg.controller_name, controller_namespace=cfg.controller_namespace,
                scope=Scope(cfg.scope), cert=cfg.cert,
            )
        else:
            files[f"{overlay}/encrypt-secrets.sh"] = sops_script(
                environment=env.name, namespace=env.namespace, secrets=secrets, output_dir=f"{overlay}/secrets",
            )
    if provider == "sops":
        rules = [
            (f"^{ctx.layout.overlay(env.name)}/secrets/.*", sops_placeholder(env.name))
            for env in ctx.answers.environments
        ]
        files[SOPS_CONFIG] = _mac_only_encrypted(sops_config(rules))
    return files
