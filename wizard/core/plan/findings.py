"""What a reviewer must know: risks in today's manifests and decisions the tool made.

Each rule is a small function from the app's context to its findings; `RULES` lists them in the order the plan
shows them. Rules that look at one workload, container, object or environment at a time are grouped by
`per_workload`, `per_object` and `per_environment`, which keep the findings of one item together.
Findings name files and keys, never values: a plaintext password is reported by its key.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from wizard.core.kinds import containers, image_tag, secret_keys, secret_reference_paths
from wizard.core.model import Finding, Level
from wizard.core.plan.differences import fill_instruction, shared_address
from wizard.core.plan.isolation import (
    catch_all_ingress,
    cluster_wide_agent,
    existing_namespace,
    namespace_addresses,
    rbac_bindings,
)
from wizard.core.resolve.app import ENV_LABEL, built_image
from wizard.core.resolve.model import EnvironmentSettings, Resolved
from wizard.core.scan.manifests import ManifestObject

SECRETISH = re.compile(r"(?i)(pass(word|wd)?|secret|token|api[-_]?key|private[-_]?key|credential)")

Rule = Callable[[Resolved], Iterable[Finding]]
"""A rule: every finding of one kind (or one group of kinds), in a stable order."""
WorkloadRule = Callable[[Resolved, ManifestObject], Iterable[Finding]]
ContainerRule = Callable[[Resolved, ManifestObject, dict[str, Any]], Iterable[Finding]]
ObjectRule = Callable[[Resolved, ManifestObject], Iterable[Finding]]
EnvironmentRule = Callable[[Resolved, EnvironmentSettings], Iterable[Finding]]


def _src(ctx: Resolved, file: str) -> str:
    """Where an object is written today (a new app's objects: where its base will hold them)."""
    return f"{ctx.answers.source or ctx.layout.base}/{file}"


def _current_name(ctx: Resolved) -> str | None:
    current = ctx.answers.current
    return current.name if current else None


# --- groupings -----------------------------------------------------------------------------------------------


def per_workload(*rules: WorkloadRule) -> Rule:
    """A rule that applies `rules` to each workload in turn."""

    def rule(ctx: Resolved) -> list[Finding]:
        return [f for w in ctx.app.workloads for r in rules for f in r(ctx, w)]

    return rule


def per_container(*rules: ContainerRule) -> WorkloadRule:
    """A workload rule that applies `rules` to each of its containers (init containers included) in turn."""

    def rule(ctx: Resolved, w: ManifestObject) -> list[Finding]:
        return [f for c in containers(w.obj, init=True) for r in rules for f in r(ctx, w, c)]

    return rule


def per_object(*rules: ObjectRule) -> Rule:
    """A rule that applies `rules` to each object of the base in turn."""

    def rule(ctx: Resolved) -> list[Finding]:
        return [f for obj in ctx.app.base_objects for r in rules for f in r(ctx, obj)]

    return rule


def per_environment(*rules: EnvironmentRule) -> Rule:
    """A rule that applies `rules` to each environment in promotion order."""

    def rule(ctx: Resolved) -> list[Finding]:
        return [f for env in ctx.environments for r in rules for f in r(ctx, env)]

    return rule


# --- the source as scanned -----------------------------------------------------------------------------------


def skipped_files(ctx: Resolved) -> list[Finding]:
    """Files the scan could not read as manifests."""
    return [Finding(Level.INFO, "skipped-file", f"Skipped {path}: {reason}.", path) for path, reason in ctx.inventory.skipped]


def adopted_kustomization(ctx: Resolved) -> list[Finding]:
    """An adopted kustomization's removed (`vars`) and rewritten (`commonLabels`, deprecated) fields."""
    adopted = ctx.inventory.adopted
    if adopted is None:
        return []
    found: list[Finding] = []
    data = adopted.data
    if data.get("vars"):
        found.append(
            Finding(
                Level.ERROR,
                "kustomize-vars",
                "The adopted kustomization uses `vars`, removed in "
                "kustomize v5 in favour of `replacements`: convert them by hand, then re-run.",
                adopted.path,
            )
        )
    if data.get("commonLabels"):
        found.append(
            Finding(
                Level.INFO,
                "common-labels",
                "`commonLabels` became `labels` with `includeSelectors: true`, so today's selectors stay exactly as they are.",
                adopted.path,
            )
        )
    for key in ("patchesStrategicMerge", "patchesJson6902", "bases"):
        if data.get(key):
            found.append(
                Finding(
                    Level.INFO,
                    "deprecated-field",
                    f"`{key}` (deprecated) was rewritten to its kustomize v5 form in the base.",
                    adopted.path,
                )
            )
    return found


def plaintext_secrets(ctx: Resolved) -> list[Finding]:
    """Secrets committed in plaintext: not copied, named by their keys."""
    found: list[Finding] = []
    for obj in ctx.inventory.secrets_in_source():
        keys = secret_keys(obj.obj)
        found.append(
            Finding(
                Level.WARNING,
                "plaintext-secret",
                f"Secret/{obj.name} is in git in plaintext (keys: {', '.join(keys) or 'none'}). It was not copied: seal "
                "its values per environment, delete the file, and rotate the values: they stay in git history.",
                _src(ctx, obj.file),
            )
        )
    return found


def generated_secrets(ctx: Resolved) -> list[Finding]:
    """An adopted secretGenerator builds Secrets from plaintext in git; today's pods reference its hashed names."""
    adopted = ctx.inventory.adopted
    if adopted is None or not adopted.generated_secrets:
        return []
    current = ctx.answers.current
    found: list[Finding] = []
    for name, keys in sorted(adopted.generated_secrets.items()):
        today = (ctx.todays_secrets or {}).get(name)
        kept = (
            f" {current.name} keeps today's name {today} (its pods reference it: no restart); other environments "
            f"use {name}."
            if current is not None and today
            else ""
        )
        found.append(Finding(
            Level.WARNING,
            "plaintext-secret",
            f"secretGenerator {name} builds a Secret from plaintext in git (keys: {', '.join(keys) or 'none'}). "
            f"It was left out of the base: seal the values per environment and rotate them.{kept}",
            adopted.path,
        ))
    if current is not None and ctx.todays_secrets is None:
        users = sorted({
            w.ref for w in ctx.app.workloads for _, ref in secret_reference_paths(w.obj) if ref in adopted.generated_secrets
        })
        found.append(Finding(
            Level.WARNING,
            "generated-secret-renamed",
            f"Today's pods reference the hashed names of secretGenerator {', '.join(sorted(adopted.generated_secrets))}, "
            f"which k8s-wizard could not read (kustomize missing, or today's source does not build here). In "
            f"{current.name} the new build references the plain names, so {', '.join(users) or 'its workloads'} roll out "
            "once when Flux takes over (with `strategy: Recreate`, that is downtime). Find today's names with "
            f"`kubectl get secrets -n {current.namespace}` and seal from those.",
            adopted.path,
            current.name,
        ))
    return found


def secret_patches(ctx: Resolved) -> list[Finding]:
    """An adopted kustomization's patches that set Secret values (left out of the base)."""
    adopted = ctx.inventory.adopted
    if adopted is None:
        return []
    return [
        Finding(
            Level.WARNING,
            "plaintext-secret",
            f"{patch.where} sets Secret/{patch.secret} from plaintext in git (keys: {', '.join(patch.keys) or 'none'}). "
            "It was left out of the base: seal the values per environment and rotate them.",
            adopted.path,
        )
        for patch in adopted.secret_patches
    ]


def unknown_secret_keys(ctx: Resolved) -> list[Finding]:
    """A Secret used only through envFrom, with no source to learn its keys from."""
    return [
        Finding(
            Level.WARNING,
            "secret-keys-unknown",
            f"Secret/{need.name} is used by {', '.join(need.users)} through envFrom, so its key names are unknown: "
            "create it by hand in each environment (or add the keys to a source Secret) before deploying.",
        )
        for need in ctx.app.secret_needs
        if not need.keys
    ]


# --- workloads -----------------------------------------------------------------------------------------------


def mutable_image(ctx: Resolved, w: ManifestObject, c: dict[str, Any]) -> list[Finding]:
    """An untagged or `:latest` image may change on any restart."""
    image = built_image(ctx.inventory, str(c.get("image", "")))
    if not image or "@" in image or image_tag(image) not in (None, "latest"):
        return []
    cur_name = _current_name(ctx)
    return [
        Finding(
            Level.WARNING,
            "mutable-image",
            f"{w.ref} runs {image!r}: {'untagged (latest)' if image_tag(image) is None else ':latest'}. "
            f"{cur_name or 'Production'} may change on any restart; pin a tag or digest.",
            _src(ctx, w.file),
            cur_name,
        )
    ]


def plaintext_env(ctx: Resolved, w: ManifestObject, c: dict[str, Any]) -> list[Finding]:
    """A secret-looking env variable set as a plain value."""
    found: list[Finding] = []
    for env in c.get("env") or []:
        name = str((env or {}).get("name", ""))
        if SECRETISH.search(name) and (env or {}).get("value"):
            found.append(
                Finding(
                    Level.WARNING,
                    "plaintext-env",
                    f"{w.ref} container {c.get('name')} sets {name} as a plain env value: move it to a sealed Secret "
                    "and rotate it.",
                    _src(ctx, w.file),
                )
            )
    return found


def job_immutable(ctx: Resolved, w: ManifestObject) -> list[Finding]:
    """A Job's pod template cannot be re-applied by Flux once changed."""
    if w.kind != "Job":
        return []
    return [
        Finding(
            Level.WARNING,
            "job-immutable",
            f"{w.ref}: a Job's pod template is immutable, so Flux cannot re-apply a changed Job. Give it a new name "
            "per run, make it a CronJob, or annotate it `kustomize.toolkit.fluxcd.io/force: enabled` so Flux "
            "recreates it. Every environment runs it once.",
            _src(ctx, w.file),
        )
    ]


def statefulset_volumes(ctx: Resolved, w: ManifestObject) -> list[Finding]:
    """A StatefulSet's volumeClaimTemplates give every new environment empty volumes."""
    if w.kind != "StatefulSet" or not (w.obj.get("spec") or {}).get("volumeClaimTemplates"):
        return []
    return [
        Finding(
            Level.INFO,
            "statefulset-volumes",
            f"{w.ref} keeps its volumeClaimTemplates; every new environment gets its own, empty volumes.",
            _src(ctx, w.file),
        )
    ]


# --- objects of the base -------------------------------------------------------------------------------------


def plaintext_config(ctx: Resolved, obj: ManifestObject) -> list[Finding]:
    """A ConfigMap key that looks like a secret."""
    if obj.kind != "ConfigMap":
        return []
    return [
        Finding(
            Level.WARNING,
            "plaintext-config",
            f"ConfigMap/{obj.name} holds {key}, which looks like a secret: ConfigMaps are not encrypted. "
            "Move it to a sealed Secret.",
            _src(ctx, obj.file),
        )
        for key in obj.obj.get("data") or {}
        if SECRETISH.search(str(key))
    ]


def fixed_node_port(ctx: Resolved, obj: ManifestObject) -> list[Finding]:
    """A fixed nodePort is cluster-wide: only one environment can keep it."""
    if obj.kind != "Service":
        return []
    return [
        Finding(
            Level.INFO,
            "fixed-node-port",
            f"Service/{obj.name} fixes nodePort {port['nodePort']}: node ports are cluster-wide, so only "
            f"{_current_name(ctx) or 'the first environment'} keeps it; other environments get one from the cluster.",
            _src(ctx, obj.file),
        )
        for port in (obj.obj.get("spec") or {}).get("ports") or []
        if isinstance(port, dict) and port.get("nodePort")
    ]


def hard_coded_namespace(ctx: Resolved) -> list[Finding]:
    """Objects that name a namespace: each overlay sets its own instead."""
    pinned = [o for o in ctx.app.base_objects if o.namespace]
    if not pinned:
        return []
    namespaces = sorted({str(o.namespace) for o in pinned})
    return [
        Finding(
            Level.INFO,
            "hard-coded-namespace",
            f"{len(pinned)} object(s) hard-code namespace {', '.join(namespaces)} "
            f"({', '.join(o.ref for o in pinned[:6])}{', ...' if len(pinned) > 6 else ''}); "
            "each overlay sets its environment's namespace instead.",
            _src(ctx, pinned[0].file),
        )
    ]


def _strings(value: object) -> list[str]:
    """Every string inside a manifest value."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [t for v in value.values() for t in _strings(v)]
    if isinstance(value, list):
        return [t for v in value for t in _strings(v)]
    return []


def tls_secrets(ctx: Resolved) -> list[Finding]:
    """An Ingress's TLS Secret lives in its namespace: every new environment needs its own certificate."""
    found: list[Finding] = []
    new_envs = [e for e in ctx.answers.environments if not e.current]
    for ing in (o for o in ctx.app.base_objects if o.kind == "Ingress"):
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


def claim_new_volume(ctx: Resolved) -> list[Finding]:
    """A claim bound to a PersistentVolume that stays in the current environment gets a new volume elsewhere.

    A warning when the claim is ReadOnlyMany: a new, empty volume that nobody can write to holds nothing.
    """
    kept_pvs = {o.name for o, _ in ctx.app.current_only if o.kind == "PersistentVolume"}
    found: list[Finding] = []
    for pvc in ctx.app.base_objects:
        spec = pvc.obj.get("spec") or {}
        if pvc.kind != "PersistentVolumeClaim" or spec.get("volumeName") not in kept_pvs:
            continue
        read_only = "ReadOnlyMany" in (spec.get("accessModes") or [])
        message = (
            f"PersistentVolumeClaim/{pvc.name} binds PersistentVolume {spec['volumeName']}, which stays in "
            f"{_current_name(ctx)}: other environments' claims get a new volume from the cluster's default StorageClass."
        )
        if read_only:
            message += (
                " The claim is ReadOnlyMany: that new volume starts empty and cannot be written to, so those environments "
                "read nothing. Give them a PersistentVolume with the data (or a copy) and bind it per environment."
            )
        found.append(Finding(Level.WARNING if read_only else Level.INFO, "claim-new-volume", message, _src(ctx, pvc.file)))
    return found


def current_only(ctx: Resolved) -> list[Finding]:
    """Cluster-scoped and pinned objects stay in the current environment only."""
    cur_name = _current_name(ctx)
    return [
        Finding(
            Level.INFO,
            "current-only",
            f"{obj.ref} is {reason}: it stays in {cur_name} only (overlays/{cur_name}/outside-namespace.yaml), so "
            "environments sharing a cluster do not fight over it.",
            _src(ctx, obj.file),
            cur_name,
        )
        for obj, reason in ctx.app.current_only
    ]


def current_namespace(ctx: Resolved) -> list[Finding]:
    """The current environment's namespace: unknown today, or moving."""
    current = ctx.answers.current
    if current is None:
        return []
    today = ctx.today_namespace
    if not ctx.inventory.sets_namespace:
        return [
            Finding(
                Level.WARNING,
                "namespace-unknown",
                f"Today's manifests set no namespace: they run where they were applied (`default` for a plain "
                f"`kubectl apply`), and {current.name} is taken to run in {current.namespace!r}. "
                f"Check with `kubectl get deploy -A` before migrating: a wrong namespace creates a second copy.",
                environment=current.name,
            )
        ]
    if today is not None and today != current.namespace:
        return [
            Finding(
                Level.WARNING,
                "namespace-moved",
                f"{current.name} moves from namespace {today} to {current.namespace}: that creates new objects beside "
                "today's; delete the old ones only after the new ones serve traffic.",
                environment=current.name,
            )
        ]
    return []


def env_label_in_selector(ctx: Resolved) -> list[Finding]:
    """Today's selectors already use the environment label."""
    if not ctx.app.selectors_use_env_label:
        return []
    return [
        Finding(
            Level.INFO,
            "env-label-in-selector",
            f"Today's selectors already use the `{ENV_LABEL}` label. {_current_name(ctx)} keeps them as they are; other "
            "environments get their own value in selectors too (they are new objects).",
        )
    ]


# --- environments --------------------------------------------------------------------------------------------


def replicas_autoscaled(ctx: Resolved, settings: EnvironmentSettings) -> list[Finding]:
    """A replica count asked for an autoscaled workload is left out of git."""
    env = settings.env
    return [
        Finding(
            Level.INFO,
            "replicas-autoscaled",
            f"{env.name}: {name} is autoscaled, so its overlay sets no replica count (an HPA and a count in git "
            "make Flux reset the count on every reconcile).",
            environment=env.name,
        )
        for name in settings.replicas_autoscaled
    ]


def hpa_handover(ctx: Resolved, settings: EnvironmentSettings) -> list[Finding]:
    """The current environment's workload sets replicas today and becomes autoscaled."""
    env = settings.env
    if not env.current:
        return []
    found: list[Finding] = []
    for name in sorted(settings.autoscaled):
        workload = next((o for o in ctx.app.scalable if o.name == name), None)
        if workload is not None and "replicas" in (workload.obj.get("spec") or {}) and (
            name in settings.autoscaling or name in ctx.app.existing_hpas
        ):
            found.append(
                Finding(
                    Level.WARNING,
                    "hpa-handover",
                    f"{env.name}: {workload.ref} sets replicas today and is autoscaled: removing the field from "
                    "what Flux applies can drop it to 1 replica. Follow the hand-over step in the plan.",
                    environment=env.name,
                )
            )
    return found


def host_defaulted(ctx: Resolved, settings: EnvironmentSettings) -> list[Finding]:
    """A new environment without `host` gets `<env>.<today's host>`."""
    if not settings.hosts_defaulted:
        return []
    hosts = ", ".join(settings.hosts[h] for h in sorted(settings.hosts))
    return [
        Finding(
            Level.INFO,
            "host-defaulted",
            f"{settings.name}: ingress hosts default to {hosts} (set `host` to choose).",
            environment=settings.name,
        )
    ]


def external_services(ctx: Resolved, settings: EnvironmentSettings) -> list[Finding]:
    """A shared or external backing service: what leaves the build (only that), and where its address goes.

    A warning while an address key still names the instance that left the build (the app would look for a
    service that is not there); information once every key is filled or comes from a sealed Secret.
    """
    env = settings.env
    found: list[Finding] = []
    for service in settings.services:
        removed = ", ".join(f"{kind}/{name}" for kind, name in service.removed)
        where = fill_instruction(ctx, settings, service)
        address = shared_address(ctx, service)
        rewritten = {(k.where, k.key) for k, _ in service.rewrites}
        unfilled = [
            k for k in service.address_keys
            if k.key not in service.filled and not k.where.startswith("Secret/") and (k.where, k.key) not in rewritten
        ]
        article = "an" if service.choice[0] in "aeiou" else "a"
        text = f"{env.name} uses {article} {service.choice} {service.name}: " + (
            f"{removed} leave its build" if removed else "nothing leaves its build"
        )
        text += f" (the shared instance is {address})" if address else ""
        text += (
            "; its address goes to " + "; ".join(where) + "."
            if where
            else f"; the app reads no address key naming {service.name}: give {env.name} the address by hand."
        )
        level = Level.WARNING if unfilled or not where else Level.INFO
        found.append(Finding(level, "external-service", text, environment=env.name))
    return found


def config_shadowed(ctx: Resolved, settings: EnvironmentSettings) -> list[Finding]:
    """A ConfigMap override for a key a container also sets in `env` is dead: `env` wins over `envFrom`."""
    env = settings.env
    found: list[Finding] = []
    for w in ctx.app.workloads:
        for c in containers(w.obj):
            from_cms = {((e or {}).get("configMapRef") or {}).get("name") for e in c.get("envFrom") or []}
            direct = {str((e or {}).get("name")) for e in c.get("env") or []}
            for cm, data in settings.config.items():
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


# --- delivery ------------------------------------------------------------------------------------------------


def disruption_budget(ctx: Resolved, settings: EnvironmentSettings) -> list[Finding]:
    """A replica count at or below a PodDisruptionBudget's `minAvailable`: no pod may ever be evicted there, so
    node drains (cluster upgrades) hang on this environment."""
    found = []
    for pdb in (o for o in ctx.app.base_objects if o.kind == "PodDisruptionBudget"):
        spec = pdb.obj.get("spec") or {}
        wanted = spec.get("minAvailable")
        match = (spec.get("selector") or {}).get("matchLabels")
        if not isinstance(wanted, int) or isinstance(wanted, bool) or not isinstance(match, dict) or not match:
            continue
        for w in ctx.app.workloads:
            count = settings.replicas.get(w.name)
            labels = ((((w.obj.get("spec") or {}).get("template") or {}).get("metadata") or {}).get("labels")) or {}
            if count is None or count > wanted or not isinstance(labels, dict):
                continue
            if all(labels.get(k) == v for k, v in match.items()):
                found.append(
                    Finding(
                        Level.WARNING,
                        "disruption-budget",
                        f"{settings.env.name}: {w.kind}/{w.name} runs {count} replica(s) but PodDisruptionBudget/"
                        f"{pdb.name} keeps minAvailable {wanted}: no pod can be evicted, so node drains hang. "
                        "Raise the replicas or patch the budget in this overlay.",
                        path=_src(ctx, pdb.file),
                        environment=settings.env.name,
                    )
                )
    return found


def git_auth(ctx: Resolved) -> list[Finding]:
    """An SSH Flux source needs a deploy key."""
    if not str(ctx.answers.flux_url).startswith("ssh://"):
        return []
    return [
        Finding(
            Level.INFO,
            "git-auth",
            f"The Flux source uses SSH: create its deploy key secret with `flux create secret git "
            f"{ctx.answers.app}-git-auth --url={ctx.answers.flux_url}` and add the public key to the repository.",
        )
    ]


RULES: tuple[Rule, ...] = (
    skipped_files,
    adopted_kustomization,
    plaintext_secrets,
    generated_secrets,
    secret_patches,
    unknown_secret_keys,
    per_workload(per_container(mutable_image, plaintext_env), job_immutable, statefulset_volumes),
    per_object(plaintext_config, fixed_node_port),
    hard_coded_namespace,
    namespace_addresses,
    catch_all_ingress,
    tls_secrets,
    claim_new_volume,
    current_only,
    current_namespace,
    existing_namespace,
    rbac_bindings,
    cluster_wide_agent,
    env_label_in_selector,
    per_environment(
        replicas_autoscaled, hpa_handover, host_defaulted, external_services, config_shadowed, disruption_budget
    ),
    git_auth,
)
"""Every rule, in the order the plan lists their findings."""


def analyse(ctx: Resolved, rules: Iterable[Rule] = RULES) -> list[Finding]:
    """Every finding for the plan, in a stable order."""
    return [finding for rule in rules for finding in rule(ctx)]
