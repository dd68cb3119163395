"""Per-environment secret steps: sealing scripts (or SOPS), never a value."""

from __future__ import annotations

from wizard.core.context import Context
from wizard.core.sealing import Scope
from wizard.core.secret_commands import kubeseal_script, sops_config, sops_script


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
            (f"^{ctx.layout.overlay(env.name)}/secrets/.*", f"age1-REPLACE-WITH-{env.name.upper()}-PUBLIC-KEY")
            for env in ctx.answers.environments
        ]
        files[".sops.yaml"] = sops_config(rules)
    return files
