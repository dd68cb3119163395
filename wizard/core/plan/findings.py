"""What a reviewer must know: risks in today's manifests and decisions the tool made.

Findings name files and keys, never values: a plaintext password is reported by its key.
"""

from __future__ import annotations

import re

from wizard.core.kinds import containers, image_tag
from wizard.core.model import Finding, Level
from wizard.core.render.overlay import ENV_LABEL, _selectors_use_env_label
from wizard.core.resolve.context import Context

SECRETISH = re.compile(r"(?i)(pass(word|wd)?|secret|token|api[-_]?key|private[-_]?key|credential)")


def _src(ctx: Context, file: str) -> str:
    return f"{ctx.answers.source}/{file}"


def analyse(ctx: Context) -> list[Finding]:
    """Every finding for the plan, in a stable order."""
    out: list[Finding] = []
    current = ctx.answers.current
    cur_name = current.name if current else None
    inv = ctx.inventory

    for path, reason in inv.skipped:
        out.append(Finding(Level.INFO, "skipped-file", f"Skipped {path}: {reason}.", path))

    if inv.adopted is not None:
        data = inv.adopted.data
        if data.get("vars"):
            out.append(
                Finding(
                    Level.ERROR,
                    "kustomize-vars",
                    "The adopted kustomization uses `vars`, removed in "
                    "kustomize v5 in favour of `replacements`: convert them by hand, then re-run.",
                    inv.adopted.path,
                )
            )
        if data.get("commonLabels"):
            out.append(
                Finding(
                    Level.INFO,
                    "common-labels",
                    "`commonLabels` became `labels` with `includeSelectors: true`, "
                    "so today's selectors stay exactly as they are.",
                    inv.adopted.path,
                )
            )
        for key in ("patchesStrategicMerge", "patchesJson6902", "bases"):
            if data.get(key):
                out.append(
                    Finding(
                        Level.INFO,
                        "deprecated-field",
                        f"`{key}` (deprecated) was rewritten to its kustomize v5 form in the base.",
                        inv.adopted.path,
                    )
                )

    for obj in inv.secrets_in_source():
        keys = sorted({**(obj.obj.get("data") or {}), **(obj.obj.get("stringData") or {})})
        out.append(
            Finding(
                Level.WARNING,
                "plaintext-secret",
                f"Secret/{obj.name} is in git in plaintext (keys: {', '.join(keys) or 'none'}). It was not copied: seal "
                "its values per environment, delete the file, and rotate the values: they stay in git history.",
                _src(ctx, obj.file),
            )
        )
    if inv.adopted is not None and inv.adopted.generated_secrets:
        for name, keys in sorted(inv.adopted.generated_secrets.items()):
            out.append(
                Finding(
                    Level.WARNING,
                    "plaintext-secret",
                    f"secretGenerator {name} builds a Secret from plaintext in git (keys: {', '.join(keys) or 'none'}). "
                    "It was left out of the base: seal the values per environment and rotate them.",
                    inv.adopted.path,
                )
            )

    for need in ctx.secret_needs():
        if not need.keys:
            out.append(
                Finding(
                    Level.WARNING,
                    "secret-keys-unknown",
                    f"Secret/{need.name} is used by {', '.join(need.users)} through envFrom, so its key names are unknown: "
                    "create it by hand in each environment (or add the keys to a source Secret) before deploying.",
                )
            )

    for w in ctx.workloads():
        for c in containers(w.obj, init=True):
            image = ctx.built_image(str(c.get("image", "")))
            if image and "@" not in image and image_tag(image) in (None, "latest"):
                out.append(
                    Finding(
                        Level.WARNING,
                        "mutable-image",
                        f"{w.ref} runs {image!r}: {'untagged (latest)' if image_tag(image) is None else ':latest'}. "
                        f"{cur_name or 'Production'} may change on any restart; pin a tag or digest.",
                        _src(ctx, w.file),
                        cur_name,
                    )
                )
            for env in c.get("env") or []:
                name = str((env or {}).get("name", ""))
                if SECRETISH.search(name) and (env or {}).get("value"):
                    out.append(
                        Finding(
                            Level.WARNING,
                            "plaintext-env",
                            f"{w.ref} container {c.get('name')} sets {name} as a plain env value: move it to a sealed Secret "
                            "and rotate it.",
                            _src(ctx, w.file),
                        )
                    )
        if w.kind == "Job":
            out.append(
                Finding(
                    Level.WARNING,
                    "job-immutable",
                    f"{w.ref}: a Job's pod template is immutable, so Flux cannot re-apply a changed Job. Give it a new name "
                    "per run, make it a CronJob, or annotate it `kustomize.toolkit.fluxcd.io/force: enabled` so Flux "
                    "recreates it. Every environment runs it once.",
                    _src(ctx, w.file),
                )
            )
        if w.kind == "StatefulSet" and (w.obj.get("spec") or {}).get("volumeClaimTemplates"):
            out.append(
                Finding(
                    Level.INFO,
                    "statefulset-volumes",
                    f"{w.ref} keeps its volumeClaimTemplates; every new environment gets its own, empty volumes.",
                    _src(ctx, w.file),
                )
            )

    for obj in ctx.base_objects:
        if obj.kind == "ConfigMap":
            for key in obj.obj.get("data") or {}:
                if SECRETISH.search(str(key)):
                    out.append(
                        Finding(
                            Level.WARNING,
                            "plaintext-config",
                            f"ConfigMap/{obj.name} holds {key}, which looks like a secret: ConfigMaps are not encrypted. "
                            "Move it to a sealed Secret.",
                            _src(ctx, obj.file),
                        )
                    )
        if obj.kind == "Service":
            for port in (obj.obj.get("spec") or {}).get("ports") or []:
                if isinstance(port, dict) and port.get("nodePort"):
                    out.append(
                        Finding(
                            Level.INFO,
                            "fixed-node-port",
                            f"Service/{obj.name} fixes nodePort {port['nodePort']}: node ports are cluster-wide, so only "
                            f"{cur_name or 'the first environment'} keeps it; other environments get one from the cluster.",
                            _src(ctx, obj.file),
                        )
                    )

    pinned = [o for o in ctx.base_objects if o.namespace]
    if pinned:
        namespaces = sorted({str(o.namespace) for o in pinned})
        out.append(
            Finding(
                Level.INFO,
                "hard-coded-namespace",
                f"{len(pinned)} object(s) hard-code namespace {', '.join(namespaces)} "
                f"({', '.join(o.ref for o in pinned[:6])}{', ...' if len(pinned) > 6 else ''}); "
                "each overlay sets its environment's namespace instead.",
                _src(ctx, pinned[0].file),
            )
        )
    out.extend(_cross_namespace_addresses(ctx, cur_name))
    out.extend(_tls_secrets(ctx))
    kept_pvs = {o.name for o, _ in ctx.current_only if o.kind == "PersistentVolume"}
    for pvc in ctx.base_objects:
        if pvc.kind == "PersistentVolumeClaim" and (pvc.obj.get("spec") or {}).get("volumeName") in kept_pvs:
            out.append(
                Finding(
                    Level.INFO,
                    "claim-new-volume",
                    f"PersistentVolumeClaim/{pvc.name} binds PersistentVolume {pvc.obj['spec']['volumeName']}, which stays "
                    f"in {cur_name}: other environments' claims get a new volume from the cluster's default StorageClass.",
                    _src(ctx, pvc.file),
                )
            )

    for obj, reason in ctx.current_only:
        out.append(
            Finding(
                Level.INFO,
                "current-only",
                f"{obj.ref} is {reason}: it stays in {cur_name} only (overlays/{cur_name}/outside-namespace.yaml), so "
                "environments sharing a cluster do not fight over it.",
                _src(ctx, obj.file),
                cur_name,
            )
        )

    if current is not None:
        today = inv.today_namespace
        if today is None:
            out.append(
                Finding(
                    Level.WARNING,
                    "namespace-unknown",
                    f"Today's manifests set no namespace, so {current.name} is assumed to run in {current.namespace!r}. "
                    f"Check with `kubectl get deploy -A` before migrating: a wrong namespace creates a second copy.",
                    environment=current.name,
                )
            )
        elif today != current.namespace:
            out.append(
                Finding(
                    Level.WARNING,
                    "namespace-moved",
                    f"{current.name} moves from namespace {today} to {current.namespace}: that creates new objects beside "
                    "today's; delete the old ones only after the new ones serve traffic.",
                    environment=current.name,
                )
            )

    if _selectors_use_env_label(ctx):
        out.append(
            Finding(
                Level.INFO,
                "env-label-in-selector",
                f"Today's selectors already use the `{ENV_LABEL}` label. {cur_name} keeps them as they are; other "
                "environments get their own value in selectors too (they are new objects).",
            )
        )

    hpas = ctx.existing_hpas()
    for env in ctx.answers.environments:
        if isinstance(env.replicas, dict):
            skipped = sorted(set(env.replicas) & ctx.autoscaled(env))
        elif isinstance(env.replicas, int):
            skipped = sorted(ctx.autoscaled(env) & {o.name for o in ctx.scalable()})
        else:
            skipped = []
        for name in skipped:
            out.append(
                Finding(
                    Level.INFO,
                    "replicas-autoscaled",
                    f"{env.name}: {name} is autoscaled, so its overlay sets no replica count (an HPA and a count in git "
                    "make Flux reset the count on every reconcile).",
                    environment=env.name,
                )
            )
        for name in sorted(ctx.autoscaled(env)):
            workload = next((o for o in ctx.scalable() if o.name == name), None)
            if (
                env.current
                and workload is not None
                and "replicas" in (workload.obj.get("spec") or {})
                and (name in ctx.autoscaling(env) or name in hpas)
            ):
                out.append(
                    Finding(
                        Level.WARNING,
                        "hpa-handover",
                        f"{env.name}: {workload.ref} sets replicas today and is autoscaled: removing the field from "
                        "what Flux applies can drop it to 1 replica. Follow the hand-over step in the plan.",
                        environment=env.name,
                    )
                )
        if env.host is None and not env.current:
            hosts = sorted(
                {
                    str(r.get("host"))
                    for o in ctx.base_objects
                    if o.kind == "Ingress"
                    for r in (o.obj.get("spec") or {}).get("rules") or []
                    if r.get("host")
                }
            )
            if hosts:
                out.append(
                    Finding(
                        Level.INFO,
                        "host-defaulted",
                        f"{env.name}: ingress hosts default to {', '.join(f'{env.name}.{h}' for h in hosts)} "
                        "(set `host` to choose).",
                        environment=env.name,
                    )
                )
        for name, choice in sorted(env.services.items()):
            if choice != "own":
                out.append(
                    Finding(
                        Level.INFO,
                        "external-service",
                        f"{env.name} uses a {choice} {name}: its own instance is removed from the overlay; put the "
                        "connection details in the environment's sealed Secret.",
                        environment=env.name,
                    )
                )
        out.extend(_dead_config(ctx, env))

    if str(ctx.answers.flux_url).startswith("ssh://"):
        out.append(
            Finding(
                Level.INFO,
                "git-auth",
                f"The Flux source uses SSH: create its deploy key secret with `flux create secret git "
                f"{ctx.answers.app}-git-auth --url={ctx.answers.flux_url}` and add the public key to the repository.",
            )
        )
    return out


def _dead_config(ctx: Context, env: object) -> list[Finding]:
    """A ConfigMap override for a key a container also sets in `env` is dead: `env` wins over `envFrom`."""
    from wizard.core.answers.parse import Environment

    assert isinstance(env, Environment)
    found: list[Finding] = []
    overrides = ctx.config_overrides(env)
    for w in ctx.workloads():
        for c in containers(w.obj):
            from_cms = {((e or {}).get("configMapRef") or {}).get("name") for e in c.get("envFrom") or []}
            direct = {str((e or {}).get("name")) for e in c.get("env") or []}
            for cm, data in overrides.items():
                if cm in from_cms:
                    for key in sorted(set(data) & direct):
                        found.append(
                            Finding(
                                Level.WARNING,
                                "config-shadowed",
                                f"{env.name}: {key} in ConfigMap/{cm} has no effect on {w.ref}: the container sets {key} in "
                                "`env`, which wins over `envFrom`.",
                                environment=env.name,
                            )
                        )
    return found


def _strings(value: object) -> list[str]:
    """Every string inside a manifest value."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [t for v in value.values() for t in _strings(v)]
    if isinstance(value, list):
        return [t for v in value for t in _strings(v)]
    return []


def _cross_namespace_addresses(ctx: Context, cur_name: str | None) -> list[Finding]:
    """An address with today's namespace in it (`db.shop.svc`) would point every environment at production's."""
    today = ctx.inventory.today_namespace
    if not today or len(ctx.answers.environments) < 2:
        return []
    pattern = re.compile(rf"\b[a-z0-9]([-a-z0-9]*[a-z0-9])?\.{re.escape(today)}(\.svc(\.cluster\.local)?)?\b")
    found: list[Finding] = []
    for obj in ctx.base_objects:
        if obj.kind == "Secret":
            continue
        where = obj.obj.get("data") if obj.kind == "ConfigMap" else obj.obj.get("spec")
        hits = sorted({m.group(0) for text in _strings(where) for m in pattern.finditer(text) if ".svc" in m.group(0)})
        if hits:
            found.append(
                Finding(
                    Level.WARNING,
                    "cross-namespace-address",
                    f"{obj.ref} addresses {', '.join(hits)}: a fully qualified name in namespace {today} makes every "
                    f"environment talk to {cur_name or 'production'}'s service. Use the short name (it resolves in each "
                    "environment's own namespace), or override it per environment.",
                    _src(ctx, obj.file),
                )
            )
    return found


def _tls_secrets(ctx: Context) -> list[Finding]:
    """An Ingress's TLS Secret lives in its namespace: every new environment needs its own certificate."""
    found: list[Finding] = []
    new_envs = [e for e in ctx.answers.environments if not e.current]
    for ing in (o for o in ctx.base_objects if o.kind == "Ingress"):
        secrets = sorted({str(t["secretName"]) for t in (ing.obj.get("spec") or {}).get("tls") or [] if t.get("secretName")})
        if not secrets or not new_envs:
            continue
        annotations = (ing.obj.get("metadata") or {}).get("annotations") or {}
        if "cert-manager.io/cluster-issuer" in annotations:
            how = "cert-manager issues it for the new host (the ClusterIssuer serves every namespace)"
        elif "cert-manager.io/issuer" in annotations:
            how = "cert-manager issues it only if the namespaced Issuer exists there too: add one per environment"
        else:
            how = "create it there (or annotate the Ingress for cert-manager)"
        found.append(
            Finding(
                Level.WARNING if "cluster-issuer" not in how else Level.INFO,
                "tls-secret",
                f"{ing.ref} serves TLS from Secret {', '.join(secrets)}, which must exist in "
                f"{', '.join(e.namespace for e in new_envs)} with a certificate for the environment's host: {how}.",
                _src(ctx, ing.file),
            )
        )
    return found
