"""What an environment's answers change, in words for the plan, read from the resolved settings.

The plan must say exactly what the build changes against today's objects: never "no replica count
changes" when there are some, never "no pod restarts" when an answer changes a pod template.
"""

from __future__ import annotations

from wizard.core.kinds import secret_reference_paths
from wizard.core.resolve.model import EnvironmentSettings, Resolved, ServiceChoice


def replica_changes(settings: EnvironmentSettings) -> list[str]:
    """Each replica count the overlay sets that differs from today's manifest."""
    return [
        f"{c.kind}/{c.workload} replicas {c.today if c.today is not None else 'unset (1)'} -> {c.count}"
        for c in settings.replica_changes
    ]


def autoscaling_changes(resolved: Resolved, settings: EnvironmentSettings) -> list[str]:
    """New HPAs, changed HPA bounds, and replica counts handed over to an HPA."""
    out: list[str] = []
    for name, a in sorted(settings.autoscaling.items()):
        verb = "HPA bounds of" if name in resolved.app.existing_hpas else "a new HPA for"
        out.append(f"{verb} {name}: {a.min}-{a.max} replicas at {a.cpu}% CPU")
    for name in sorted(settings.autoscaled):
        w = resolved.workload(name)
        if w is not None and "replicas" in (w.obj.get("spec") or {}):
            out.append(f"{w.ref} spec.replicas ({(w.obj.get('spec') or {}).get('replicas')}) is left to the HPA")
    return out


def pod_template_changes(resolved: Resolved, settings: EnvironmentSettings) -> list[str]:
    """Answers that change a pod template (so its pods restart): resources and image tags."""
    out = [f"{w.ref} container resources" for w in resolved.app.workloads if w.name in settings.resources]
    out += [f"image {name} tag -> {tag}" for name, tag in settings.images]
    adopted = resolved.inventory.adopted
    if settings.env.current and resolved.todays_secrets is None and adopted is not None and adopted.generated_secrets:
        # Today's hashed Secret names could not be read: the pod templates reference the plain names instead.
        out += [
            f"{w.ref} Secret references (today's generated, hashed names become the plain ones)"
            for w in resolved.app.workloads
            if any(ref in adopted.generated_secrets for _, ref in secret_reference_paths(w.obj))
        ]
    return out


def current_changes(resolved: Resolved, settings: EnvironmentSettings) -> list[str]:
    """Everything the current environment's answers change against today's objects (empty: nothing)."""
    out = replica_changes(settings) + autoscaling_changes(resolved, settings) + pod_template_changes(resolved, settings)
    out += [f"ConfigMap/{cm} {', '.join(sorted(data))}" for cm, data in sorted(settings.config.items())]
    out += [f"Ingress host {old} -> {new}" for old, new in sorted(settings.hosts.items()) if old != new]
    if settings.namespace_moves:
        out.append(f"{len(settings.namespace_moves)} object(s) move to namespace {settings.env.namespace}")
    return out


def fill_instruction(resolved: Resolved, settings: EnvironmentSettings, service: ServiceChoice) -> list[str]:
    """For each address key of a shared/external service: where to put the address for this environment."""
    out: list[str] = []
    overlay = resolved.layout.overlay(settings.name)
    rewritten = {(k.where, k.key): value for k, value in service.rewrites}
    for key in service.address_keys:
        if (key.where, key.key) in rewritten:
            out.append(f"{key.describe()}: points at {rewritten[(key.where, key.key)]} in {settings.name}")
        elif key.key in service.filled:
            out.append(f"{key.describe()}: set by environments[{settings.index}].config")
        elif key.configmap is not None:
            out.append(f"{key.describe()}: set environments[{settings.index}].config.{key.configmap}.{key.key}")
        elif key.where.startswith("Secret/"):
            out.append(f"{key.describe()}: seal it for {settings.name} (the sealing step asks for it)")
        else:
            out.append(f"{key.describe()}: a plain env value; patch it in {overlay} (or move it to a ConfigMap)")
    return out


def shared_address(resolved: Resolved, service: ServiceChoice) -> str | None:
    """The address of the current environment's instance, for a shared service (its first Service)."""
    current = resolved.answers.current
    services = [name for kind, name in service.removed if kind == "Service"]
    if service.choice != "shared" or current is None or not services:
        return None
    return f"{services[0]}.{current.namespace}.svc.cluster.local"
