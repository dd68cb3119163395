"""Per-environment secret steps: sealing scripts (or SOPS), never a value."""

from __future__ import annotations

from wizard.core.answers.parse import Environment
from wizard.core.resolve.model import Resolved
from wizard.core.secrets.commands import kubeseal_script, sops_config, sops_script
from wizard.core.secrets.sealing import Scope

SOPS_CONFIG = ".sops.yaml"
PLACEHOLDER_MARK = "REPLACE-ME"
"""In every placeholder recipient, and in no real one (an age recipient is `age1` + lower-case bech32)."""


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


def secret_map(ctx: Resolved, env: Environment | None = None) -> dict[str, list[str]]:
    """Secret name -> key names, for the Secrets whose keys are known (named as in `env`, when given)."""
    return {ctx.secret_name(env, n.name) if env else n.name: list(n.keys) for n in ctx.app.secret_needs if n.keys}


def secret_types(ctx: Resolved, env: Environment | None = None) -> dict[str, str]:
    """Secret name (as in `env`) -> its type, when it is not Opaque: today's Secret, generator or use says so.

    A source Secret's `type`, a secretGenerator's `type`, an imagePullSecret (dockerconfigjson) and an
    Ingress TLS Secret (kubernetes.io/tls).
    """
    found: dict[str, str] = {}
    for ing in ctx.app.base_objects:
        if ing.kind == "Ingress":
            for tls in (ing.obj.get("spec") or {}).get("tls") or []:
                if isinstance(tls, dict) and tls.get("secretName"):
                    found[str(tls["secretName"])] = "kubernetes.io/tls"
    for w in ctx.app.workloads:
        pod = ((w.obj.get("spec") or {}).get("template") or {}).get("spec") or {}
        for pull in pod.get("imagePullSecrets") or []:
            if isinstance(pull, dict) and pull.get("name"):
                found[str(pull["name"])] = "kubernetes.io/dockerconfigjson"
    adopted = ctx.inventory.adopted
    for gen in (adopted.data.get("secretGenerator") or []) if adopted else []:
        if isinstance(gen, dict) and gen.get("name") and gen.get("type"):
            found[str(gen["name"])] = str(gen["type"])
    for obj in ctx.inventory.secrets_in_source():
        if obj.obj.get("type"):
            found[obj.name] = str(obj.obj["type"])
    named = {(ctx.secret_name(env, k) if env else k): v for k, v in found.items()}
    return {k: v for k, v in sorted(named.items()) if v != "Opaque"}


def render_secret_scripts(ctx: Resolved) -> dict[str, str]:
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
                environment=env.name, namespace=env.namespace, secrets=secret_map(ctx, env), types=secret_types(ctx, env),
                output_dir=f"{overlay}/secrets",
                controller_name=cfg.controller_name, controller_namespace=cfg.controller_namespace,
                scope=Scope(cfg.scope), cert=cfg.cert_for(env.cluster),
            )
        else:
            files[f"{overlay}/encrypt-secrets.sh"] = sops_script(
                environment=env.name, namespace=env.namespace, secrets=secret_map(ctx, env), types=secret_types(ctx, env),
                output_dir=f"{overlay}/secrets",
            )
    if provider == "sops":
        rules = [
            (f"^{ctx.layout.overlay(env.name)}/secrets/.*", sops_placeholder(env.name))
            for env in ctx.answers.environments
        ]
        files[SOPS_CONFIG] = _mac_only_encrypted(sops_config(rules))
    return files
