"""Where a Helm app's answers meet its chart: each environment's values, resolved once.

The usual per-environment keys (`replicas`, `resources`, `host`, `autoscaling`, `image_tag`) reach the
chart through value paths: given in `helm.paths`, else proposed from the chart's own values (`replicaCount`,
`ingress.hosts[0].host`, `image.tag`, ... and the variants of widely used charts). Raw
`environments[*].values` are deep-merged on top. Every path is checked against what the chart knows (its
values.yaml and today's files): an unknown path is refused with its key path. Render reads the result and
nothing after this module looks at the raw answers' values again.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from wizard.core.answers.helm import MAPPED_KEYS, join_path, split_path
from wizard.core.answers.parse import Answers, Autoscaling, Environment, Resources
from wizard.core.errors import InputError
from wizard.core.scan.chart import ChartInventory, deep_merge

_PREFIXES = ("", "deployment.", "web.", "app.", "server.", "controller.", "main.")
CANDIDATES: dict[str, tuple[str, ...]] = {
    "replicas": tuple(f"{p}{leaf}" for p in _PREFIXES for leaf in ("replicaCount", "replicas")),
    "resources": tuple(f"{p}resources" for p in _PREFIXES),
    "host": tuple(
        f"{p}{leaf}"
        for p in _PREFIXES
        for leaf in ("ingress.hosts[0].host", "ingress.hostname", "ingress.host", "ingress.hosts[0]")
    ),
    "image_tag": tuple(f"{p}image.tag" for p in _PREFIXES),
    "autoscaling": tuple(f"{p}{leaf}" for p in _PREFIXES for leaf in ("autoscaling", "hpa")),
}
"""Value paths the wizard looks for, in order, for each answer key."""

AUTOSCALING_KEYS: dict[str, tuple[str, ...]] = {
    "enabled": ("enabled",),
    "min": ("minReplicas", "minReplicaCount", "min"),
    "max": ("maxReplicas", "maxReplicaCount", "max"),
    "cpu": ("targetCPUUtilizationPercentage", "targetCPUUtilization", "targetCPU", "cpu"),
}
"""The keys of an autoscaling block (helm create's names first)."""

_MISSING = object()


def get_path(tree: Any, parts: list[str | int]) -> Any:
    """The value at a path, or _MISSING."""
    node = tree
    for part in parts:
        if isinstance(part, int):
            if not isinstance(node, list) or part >= len(node):
                return _MISSING
            node = node[part]
        else:
            if not isinstance(node, dict) or part not in node:
                return _MISSING
            node = node[part]
    return node


def ingress_enabled(values: dict[str, Any], parts: list[str | int]) -> bool:
    """False when the block holding a host says `enabled: false` (the chart renders no ingress then)."""
    for end in range(len(parts) - 1, 0, -1):
        block = get_path(values, parts[:end])
        if isinstance(block, dict) and "enabled" in block:
            return bool(block["enabled"])
    return True


def _fits(key: str, value: Any) -> bool:
    if key == "replicas":
        return isinstance(value, int) and not isinstance(value, bool)
    if key == "resources":
        return isinstance(value, dict)
    if key in ("host", "image_tag"):
        return value is None or isinstance(value, str)
    if key == "autoscaling":
        return isinstance(value, dict) and _sub_key(value, "min") is not None and _sub_key(value, "max") is not None
    return False


def _sub_key(block: dict[str, Any], what: str) -> str | None:
    return next((k for k in AUTOSCALING_KEYS[what] if k in block), None)


def propose_paths(values: dict[str, Any]) -> dict[str, str]:
    """The value path of each answer key in a chart's values (keys the chart has no value for are left out)."""
    found: dict[str, str] = {}
    for key in MAPPED_KEYS:
        for path in CANDIDATES[key]:
            if _fits(key, get_path(values, split_path(path))):
                found[key] = path
                break
    return found


@dataclass(frozen=True)
class HelmEnvironment:
    """One environment's release: its name, the values it adds on top of today's, whether an HPA scales it."""

    release: str
    values: dict[str, Any]
    autoscaled: bool
    mapped: dict[str, str] = field(default_factory=dict)
    """The answer keys this environment sets through a value path: {key: path}."""


@dataclass(frozen=True)
class HelmResolution:
    """Every environment's values, and the value paths used (given or proposed)."""

    paths: dict[str, str]
    proposed: tuple[str, ...]
    """Answer keys whose path the wizard proposed (not given in helm.paths)."""
    environments: dict[str, HelmEnvironment]


class _Resolver:
    def __init__(self, chart: ChartInventory, answers: Answers) -> None:
        self.chart = chart
        self.answers = answers
        self.known = chart.effective
        self.checked = chart.defaults_known

    def fail(self, path: str, reason: str) -> InputError:
        return InputError(f"answers: {path}: {reason}")

    def paths(self) -> tuple[dict[str, str], tuple[str, ...]]:
        helm = self.chart.helm
        for key, path in helm.paths.items():
            if self.checked and get_path(self.known, split_path(path)) is _MISSING:
                raise self.fail(f"helm.paths.{key}", f"{path!r}: no such value in the chart's values{self._where()}")
        proposed = {k: v for k, v in propose_paths(self.known).items() if k not in helm.paths}
        return {**proposed, **helm.paths}, tuple(sorted(proposed))

    def _where(self) -> str:
        helm = self.chart.helm
        sources = [f"{helm.chart_dir}/values.yaml" if not helm.remote else f"{self.chart.name} {self.chart.version}"]
        sources += [vf.path for vf in self.chart.values_files]
        return f" ({', '.join(sources)})"

    def check_known(self, user: dict[str, Any], known: Any, where: str) -> None:
        """Refuse keys the chart does not have; a map that is empty in the chart (podAnnotations: {}) is free-form."""
        if not self.checked or not isinstance(known, dict) or not known:
            return
        for key, value in user.items():
            if key not in known:
                choices = ", ".join(sorted(str(k) for k in known)[:12])
                raise self.fail(f"{where}.{key}", f"no such value in the chart (there: {choices})")
            if isinstance(value, dict):
                self.check_known(value, known[key], f"{where}.{key}")

    def environment(self, index: int, env: Environment, paths: dict[str, str]) -> HelmEnvironment:
        where = f"environments[{index}]"
        values: dict[str, Any] = {}
        mapped: dict[str, str] = {}

        def need(key: str) -> list[str | int]:
            if key not in paths:
                looked = ", ".join(CANDIDATES[key][:4])
                raise self.fail(
                    f"{where}.{key}",
                    f"the chart has no value for this (looked for {looked}, ...): set helm.paths.{key} to its value path, "
                    f"or set the chart value under {where}.values",
                )
            mapped[key] = paths[key]
            return split_path(paths[key])

        for key in ("replicas", "resources", "autoscaling", "image_tag", "host"):
            raw = getattr(env, key)
            if isinstance(raw, dict):  # {workload: ...} (one `resources` for all is a Resources, not a dict)
                raise self.fail(
                    f"{where}.{key}",
                    f"a Helm app takes one {key} per environment (not one per workload); set other chart values under "
                    f"{where}.values",
                )
        scaling = env.autoscaling if isinstance(env.autoscaling, Autoscaling) else None
        if scaling is not None:
            parts = need("autoscaling")
            block = get_path(self.known, parts)
            block = block if isinstance(block, dict) else {}
            settings = {"enabled": True, "min": scaling.min, "max": scaling.max, "cpu": scaling.cpu}
            for what, value in settings.items():
                sub = _sub_key(block, what)
                if sub is not None:
                    self._set(values, [*parts, sub], value)
        autoscaled = self._autoscaled(values, paths)
        if env.replicas is not None and not autoscaled:
            self._set(values, need("replicas"), env.replicas)
        if isinstance(env.resources, Resources) and env.resources.as_dict():
            self._set(values, need("resources"), env.resources.as_dict())
        if env.image_tag is not None:
            self._set(values, need("image_tag"), env.image_tag)
        host = env.host if isinstance(env.host, str) else None
        if host is None and not env.current and "host" in paths and self._ingress_enabled(split_path(paths["host"])):
            # Two environments must not answer on the same host: default to <env>.<today's host>, as for manifests.
            today = get_path(self.known, split_path(paths["host"]))
            if isinstance(today, str) and today:
                host = f"{env.name}.{today.removeprefix('*.')}"
        if host is not None:
            self._set_host(values, need("host"), host)
        if env.values:
            self.check_known(env.values, self.known, f"{where}.values")
            self._check_overlap(env.values, values, f"{where}.values", mapped)
            values = deep_merge(values, copy.deepcopy(env.values))
            autoscaled = self._autoscaled(values, paths)
        release = self.chart.helm.release if env.current else f"{self.chart.helm.release}-{env.name}"
        return HelmEnvironment(release=release[:53].rstrip("-."), values=values, autoscaled=autoscaled, mapped=mapped)

    def _ingress_enabled(self, parts: list[str | int]) -> bool:
        return ingress_enabled(self.known, parts)

    def _autoscaled(self, values: dict[str, Any], paths: dict[str, str]) -> bool:
        """Whether the environment's final values switch the chart's autoscaling on."""
        if "autoscaling" not in paths:
            return False
        final = deep_merge(self.known, values)
        block = get_path(final, split_path(paths["autoscaling"]))
        if not isinstance(block, dict):
            return False
        key = _sub_key(block, "enabled")
        return bool(block.get(key)) if key else False

    def _check_overlap(self, raw: dict[str, Any], mapped_values: dict[str, Any], where: str, mapped: dict[str, str]) -> None:
        for key, path in mapped.items():
            parts = split_path(path)
            head = [p for p in parts if isinstance(p, str)]
            node: Any = raw
            for part in head:
                if isinstance(node, list):
                    break  # a list on the way replaces the mapped value's list: an overlap
                if not isinstance(node, dict) or part not in node:
                    node = None
                    break
                node = node[part]
            if node is not None:
                raise self.fail(f"{where}.{'.'.join(head)}", f"also set by {where.rsplit('.', 1)[0]}.{key}: give it once")

    def _set(self, values: dict[str, Any], parts: list[str | int], value: Any) -> None:
        """Set a path in the environment's values; a list on the way is copied whole from today's (Helm replaces lists)."""
        node: Any = values
        known: Any = self.known
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            nxt = parts[i + 1] if not last else None
            known_child = get_path(known, [part]) if known is not _MISSING else _MISSING
            if last:
                node[part] = value
                return
            if isinstance(nxt, int):
                if not isinstance(node, dict) or not isinstance(node.get(part), list):
                    if not isinstance(known_child, list):
                        raise self.fail(f"helm.paths ({join_path(parts)})", "the chart has no list here")
                    node[part] = copy.deepcopy(known_child)
                node = node[part]
            elif isinstance(part, int):
                node = node[part]
            else:
                if not isinstance(node.get(part), dict):
                    node[part] = {}
                node = node[part]
            known = known_child

    def _set_host(self, values: dict[str, Any], parts: list[str | int], host: str) -> None:
        """Set the host, and the same host in the ingress's TLS list (a certificate must match the new name)."""
        old = get_path(self.known, parts)
        self._set(values, parts, host)
        root = parts[: next((i for i, p in enumerate(parts) if p in ("hosts", "host", "hostname")), len(parts) - 1)]
        tls = get_path(self.known, [*root, "tls"])
        if isinstance(old, str) and old and isinstance(tls, list):
            for i, entry in enumerate(tls):
                hosts = entry.get("hosts") if isinstance(entry, dict) else None
                for j, name in enumerate(hosts or []):
                    if name == old:
                        self._set(values, [*root, "tls", i, "hosts", j], host)


def resolve_helm(chart: ChartInventory, answers: Answers) -> HelmResolution:
    """Each environment's release name and values; InputError (exit 2) with the key path on an unknown value."""
    resolver = _Resolver(chart, answers)
    paths, proposed = resolver.paths()
    envs = {env.name: resolver.environment(i, env, paths) for i, env in enumerate(answers.environments)}
    releases: dict[str, str] = {}
    for i, env in enumerate(answers.environments):
        release = envs[env.name].release
        if release in releases:
            raise resolver.fail(f"environments[{i}].name", f"release name {release!r} is also {releases[release]}'s")
        releases[release] = env.name
    return HelmResolution(paths=paths, proposed=proposed, environments=envs)
