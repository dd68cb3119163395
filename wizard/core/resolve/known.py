"""What the resolve stage concluded, in short lines: the interview's "What I know".

`summarise(resolved, settled)` says per environment what its overlay will set (replicas and HPAs,
resources, image tags, hosts, namespace, removed or external services, ConfigMap keys) and app-wide
which Secrets and keys the app needs; `found(...)` gives the scan's facts that no answer has settled yet
(today's namespace, replica counts, hosts, images). Key names only: never a Secret or ConfigMap value.

`settled` is the set of answers-file keys the person has answered or passed (`environments[*].replicas`,
`environments[*].host`, ...): a topic is shown as concluded only once settled, as the scan's fact before.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from wizard.core.kinds import image_name
from wizard.core.resolve.model import AppFacts, EnvironmentSettings, Resolved
from wizard.core.scan.manifests import Inventory

SHOWN = 4
"""At most this many items on one line; the rest are counted (an app may have hundreds of workloads)."""

ENVIRONMENTS = "environments[*].name"
NAMESPACE = "environments[*].namespace"
REPLICAS = "environments[*].replicas"
AUTOSCALING = "environments[*].autoscaling"
RESOURCES = ("environments[*].resources.requests", "environments[*].resources.limits")
IMAGE_TAG = "environments[*].image_tag"
HOST = "environments[*].host"
SERVICES = "environments[*].services"
CONFIG = "environments[*].config"
FLUX_URL = "flux.url"
EVERY_TOPIC = frozenset({ENVIRONMENTS, NAMESPACE, REPLICAS, AUTOSCALING, *RESOURCES, IMAGE_TAG, HOST, SERVICES, CONFIG, FLUX_URL})
"""Every topic the summary knows: what a finished interview (or an answers file) has settled."""

_USERINFO = re.compile(r"(?<=//)[^/@\s]+@")


@dataclass(frozen=True)
class KnownEnvironment:
    """One environment as resolved: (what, value) lines, like ("replicas", "shop-web 3")."""

    name: str
    current: bool
    lines: tuple[tuple[str, str], ...]

    @property
    def title(self) -> str:
        """The environment's name, marked when it is the one running today."""
        return f"{self.name} (runs today)" if self.current else self.name


@dataclass(frozen=True)
class Known:
    """What the panel shows: scan facts not yet settled, each environment's settings, app-wide needs, a problem."""

    found: tuple[str, ...] = ()
    environments: tuple[KnownEnvironment, ...] = ()
    app: tuple[tuple[str, str], ...] = ()
    """App-wide conclusions: the Secrets and keys it needs, where Flux reads it."""
    problem: str | None = None
    """Why the answers so far do not resolve (the message `apply` would give), or None."""

    def lines(self) -> list[str]:
        """The whole panel as plain text lines (the plain mode prints these)."""
        out = [f"! {self.problem}"] if self.problem else []
        out += list(self.found)
        for env in self.environments:
            out.append(f"{env.title}:")
            out += [f"  {what}: {value}" for what, value in env.lines]
        out += [f"{what}: {value}" for what, value in self.app]
        return out


def listed(items: Iterable[str], shown: int = SHOWN) -> str:
    """`a, b, c, d +3 more`: a line that stays short whatever the app's size."""
    items = list(items)
    head = ", ".join(items[:shown])
    return f"{head} +{len(items) - shown} more" if len(items) > shown else head


def short_image(reference: str) -> str:
    """An image without its registry and organisation (`ghcr.io/acme/shop-web:1.4.2` -> `shop-web:1.4.2`)."""
    return reference.rsplit("/", 1)[-1]


def masked(url: str) -> str:
    """A URL without any credential in it, and without its scheme (short enough for a side panel).

    The user part of an http(s) URL may be a token and a `user:password` one is a password: both are hidden. An
    SSH login name alone (`ssh://git@github.com/...`) is no secret and is kept, as the Flux object will carry it.
    """
    ssh = url.startswith(("ssh://", "git+ssh://", "ssh+git://"))

    def hide(match: re.Match[str]) -> str:
        return match.group(0) if ssh and ":" not in match.group(0) else "***@"

    return _USERINFO.sub(hide, url).removeprefix("https://")


def _grouped(values: Mapping[str, str]) -> str:
    """{workload: text} as one line; when every workload has the same text: `text each (7 workloads)`."""
    if not values:
        return ""
    distinct = set(values.values())
    if len(values) > 1 and len(distinct) == 1:
        return f"{next(iter(distinct))} each ({len(values)} workloads)"
    return listed(f"{name} {text}" for name, text in values.items())


def _resources_text(spec: Mapping[str, Mapping[str, Any]]) -> str:
    """`100m/128Mi–200m/256Mi` (requests–limits, cpu/memory), or the parts given."""

    def part(name: str) -> str:
        values = spec.get(name) or {}
        return "/".join(str(values[k]) for k in ("cpu", "memory", "ephemeral-storage") if k in values)

    requests, limits = part("requests"), part("limits")
    if requests and limits:
        return f"{requests}–{limits}"
    return f"requests {requests}" if requests else f"limits {limits}" if limits else "none"


def today_replicas_line(app: AppFacts) -> str | None:
    """Today's replica counts (and today's HPAs) of the scalable workloads."""
    counts: dict[str, str] = {}
    for w in app.scalable:
        hpa = app.existing_hpas.get(w.name)
        if hpa is not None:
            counts[w.name] = f"HPA {_hpa_text(hpa.obj)}"
        else:
            value = (w.obj.get("spec") or {}).get("replicas")
            counts[w.name] = str(value if isinstance(value, int) else 1)
    return _grouped(counts) or None


def found(inventory: Inventory, app: AppFacts, today: str | None, settled: frozenset[str],
          git: tuple[str | None, str | None] = (None, None)) -> list[str]:
    """The scan's facts that no answer has settled yet, in a few short lines."""
    lines: list[str] = []
    if inventory.generated:
        lines.append(f"a new app: {len(inventory.objects)} objects to create")
    elif inventory.chart is not None:
        lines.append(f"Helm chart {inventory.chart.name} {inventory.chart.version}")
    elif inventory.source:
        lines.append(f"{len(inventory.objects)} objects in ./{inventory.source}")
    else:
        lines.append("no manifests found")
    if app.workloads and not inventory.generated:
        lines.append(f"workloads: {listed(w.name for w in app.workloads)}")
    if inventory.source and not inventory.generated:
        if NAMESPACE not in settled:
            lines.append(f"namespace today: {today or 'none set'}")
        if REPLICAS not in settled and AUTOSCALING not in settled:
            replicas = today_replicas_line(app)
            if replicas:
                lines.append(f"replicas today: {replicas}")
        if IMAGE_TAG not in settled and app.own_images:
            lines.append(f"images: {listed(short_image(i) for i in app.images if image_name(i) in app.own_images)}")
        if HOST not in settled and app.hosts:
            lines.append(f"hosts today: {listed(app.hosts)}")
    url, branch = git
    if url and FLUX_URL not in settled:
        lines.append(f"git: {masked(url)} ({branch or '?'})")
    return lines


def _hpa_text(hpa: dict[str, Any]) -> str:
    spec = hpa.get("spec") or {}
    return f"{spec.get('minReplicas', 1)}–{spec.get('maxReplicas', '?')}"


def _replicas(settings: EnvironmentSettings, app: AppFacts) -> list[tuple[str, str]]:
    lines: list[tuple[str, str]] = []
    counts = {name: str(n) for name, n in sorted(settings.replicas.items())}
    kept = {name: f"{_hpa_text(app.existing_hpas[name].obj)} (today's)" for name in sorted(settings.autoscaled)
            if name not in settings.autoscaling and name in app.existing_hpas and name not in settings.removed}
    if counts:
        lines.append(("replicas", _grouped(counts)))
    elif not settings.autoscaling and not kept:
        lines.append(("replicas", "as today"))
    hpas = {name: f"{a.min}–{a.max} at {a.cpu}% CPU" for name, a in sorted(settings.autoscaling.items())}
    if hpas or kept:
        lines.append(("HPA", _grouped({**hpas, **kept})))
    if settings.replicas_autoscaled:
        lines.append(("count left to the HPA", listed(settings.replicas_autoscaled)))
    return lines


def _hosts(settings: EnvironmentSettings, resolved: Resolved) -> str:
    hosts = list(dict.fromkeys(settings.hosts.values()))
    for _, obj in settings.added:
        if obj.get("kind") == "Ingress":
            hosts += [str(r.get("host")) for r in (obj.get("spec") or {}).get("rules") or [] if r.get("host")]
    if not hosts:
        kept = [h for h in resolved.app.hosts if h not in settings.hosts]
        return f"as today: {listed(kept)}" if kept else "none"
    return listed(hosts) + (" (proposed)" if settings.hosts_defaulted else "")


def environment_lines(resolved: Resolved, settings: EnvironmentSettings, settled: frozenset[str]) -> list[tuple[str, str]]:
    """One environment's resolved settings, for the topics settled so far."""
    lines: list[tuple[str, str]] = []
    if NAMESPACE in settled:
        lines.append(("namespace", settings.env.namespace))
    if resolved.helm is not None:
        return lines  # a chart's settings are value paths (resolve/helmvalues.py), shown by the plan
    if REPLICAS in settled or AUTOSCALING in settled:
        lines += _replicas(settings, resolved.app)
    if any(key in settled for key in RESOURCES) and settings.resources:
        lines.append(("resources", _grouped({n: _resources_text(s) for n, s in sorted(settings.resources.items())})))
    if IMAGE_TAG in settled:
        tags = [short_image(f"{name}:{tag}") for name, tag in settings.images]
        base = listed(short_image(i) for i in resolved.app.images if image_name(i) in resolved.app.own_images)
        unchanged = f"the base's: {base}" if resolved.first_deployment else "as today"
        lines.append(("image", listed(tags) if tags else unchanged))
    if HOST in settled:
        lines.append(("host", _hosts(settings, resolved)))
    if CONFIG in settled and settings.config:
        lines.append(("config", listed(f"{cm}: {', '.join(sorted(keys))}" for cm, keys in sorted(settings.config.items()))))
    if SERVICES in settled or settings.services:
        for service in settings.services:
            removed = [f"{kind}/{name}" for kind, name in service.removed]
            tail = f", removes {listed(removed, 2)}" if removed else ""
            lines.append((service.choice, f"{service.name}{tail}"))
    return lines


def app_lines(resolved: Resolved, settled: frozenset[str]) -> list[tuple[str, str]]:
    """App-wide conclusions: the Secrets and the key names the app needs (never a value), Flux's source."""
    lines = [(f"Secret {need.name}", listed(need.keys) if need.keys else "whole Secret") for need in resolved.app.secret_needs]
    if FLUX_URL in settled and resolved.answers.flux_url:
        lines.append(("Flux reads", f"{masked(resolved.answers.flux_url)} ({resolved.answers.flux_branch})"))
    return lines


def summarise(resolved: Resolved, settled: frozenset[str], git: tuple[str | None, str | None] = (None, None)) -> Known:
    """The panel for resolved answers: per environment once the environments are settled."""
    environments: tuple[KnownEnvironment, ...] = ()
    if ENVIRONMENTS in settled:
        environments = tuple(
            KnownEnvironment(s.name, s.env.current, tuple(environment_lines(resolved, s, settled)))
            for s in resolved.environments
        )
    return Known(
        found=tuple(found(resolved.inventory, resolved.app, resolved.today_namespace, settled, git)),
        environments=environments,
        app=tuple(app_lines(resolved, settled)),
    )

