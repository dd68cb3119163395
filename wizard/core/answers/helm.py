"""The `helm:` block of the answers and each environment's raw `values:` (schema v1, additive).

```yaml
helm:
  chart: ./chart                 # a chart folder in the repository (Chart.yaml), or a chart name (remote)
  repository: oci://ghcr.io/acme/charts   # remote only: https:// (HelmRepository) or oci:// (OCIRepository)
  version: 1.2.3                 # remote only: the chart version installed today
  values: [deploy/values-prod.yaml]       # values files used today, in `-f` order
  release: shop                  # today's release name
  paths: {replicas: replicaCount, host: ingress.hosts[0].host}   # optional: where the usual keys go
```

Value paths are dotted with list indexes (`ingress.hosts[0].host`). Which paths exist is decided later,
against the chart's own values (resolve); here only their spelling is checked.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from wizard.core.answers.patterns import (
    CHART_NAME,
    CHART_REPOSITORY,
    CHART_VERSION,
    HELM_RELEASE,
    HELM_RELEASE_MAX,
    SECRET_KEY,
    SECRET_NAME,
    SECRET_NAME_MAX,
)
from wizard.core.errors import InputError

MAPPED_KEYS = ("replicas", "resources", "host", "autoscaling", "image_tag")
"""The per-environment answers a chart receives through a value path."""

HELM_KEYS = ("chart", "repository", "version", "values", "release", "paths", "secrets")
# The answers schema's patterns come from wizard.core.answers.patterns (`schema.check` applies them first).
_SEGMENT = re.compile(r"([^.\[\]]+)((?:\[\d+\])*)")


@dataclass(frozen=True)
class HelmAnswers:
    """Where the chart comes from and how today's release is installed."""

    chart: str
    release: str
    values: tuple[str, ...] = ()
    repository: str | None = None
    version: str | None = None
    paths: dict[str, str] = field(default_factory=dict)
    secrets: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Secrets the chart reads but does not create (an existingSecret): name -> key names, never values."""

    @property
    def remote(self) -> bool:
        """True for a chart from a Helm repository or an OCI registry, False for a folder in the repository."""
        return self.repository is not None

    @property
    def oci(self) -> bool:
        return bool(self.repository and self.repository.startswith("oci://"))

    @property
    def chart_dir(self) -> str:
        """An in-repo chart's folder, relative to the repository root (no leading `./`)."""
        return PurePosixPath(self.chart.removeprefix("./")).as_posix()


def split_path(path: str) -> list[str | int]:
    """`ingress.hosts[0].host` -> ['ingress', 'hosts', 0, 'host']; ValueError when it is not a value path."""
    parts: list[str | int] = []
    for chunk in path.split("."):
        match = _SEGMENT.fullmatch(chunk)
        if not match:
            raise ValueError(path)
        parts.append(match.group(1))
        parts.extend(int(i) for i in re.findall(r"\[(\d+)\]", match.group(2)))
    return parts


def join_path(parts: list[str | int]) -> str:
    """The inverse of split_path."""
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def parse_helm(raw: Any, origin: str) -> HelmAnswers:
    """Validate the `helm:` mapping."""

    def fail(path: str, reason: str) -> InputError:
        return InputError(f"{origin}: helm.{path}: {reason}" if path else f"{origin}: helm: {reason}")

    if not isinstance(raw, Mapping):
        raise fail("", f"expected a mapping, got {type(raw).__name__}")
    for key in raw:
        if key not in HELM_KEYS:
            raise fail(str(key), f"unknown key (allowed: {', '.join(HELM_KEYS)})")

    def text(key: str) -> str | None:
        value = raw.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise fail(key, f"expected a string, got {type(value).__name__}")
        return str(value).strip()

    chart = text("chart")
    if not chart:
        raise fail("chart", "required: a chart folder in the repository (./chart) or a chart name with helm.repository")
    repository = text("repository")
    version = text("version")
    if repository is not None:
        if not CHART_REPOSITORY.match(repository):
            raise fail("repository", f"{repository!r} is not an https:// Helm repository or an oci:// registry")
        if not CHART_NAME.match(chart):
            raise fail("chart", f"{chart!r} is not a chart name (a remote chart is named, not a path)")
        if version is None:
            raise fail("version", "required for a remote chart: the version installed today (`helm list` shows it)")
        if not CHART_VERSION.match(version):
            raise fail("version", f"{version!r} is not a chart version (like 1.2.3)")
    else:
        if version is not None:
            raise fail("version", "only for a remote chart (with helm.repository); an in-repo chart's version is its Chart.yaml")
        _check_relative(chart, "chart", fail)
    release = text("release")
    if not release:
        raise fail("release", "required: today's release name (`helm list -n <namespace>` shows it)")
    if len(release) > HELM_RELEASE_MAX or not HELM_RELEASE.match(release):
        raise fail("release", f"{release!r} is not a Helm release name (lower-case letters, digits, '-', '.', at most 53)")
    values_raw = raw.get("values") or []
    if isinstance(values_raw, str):
        values_raw = [values_raw]
    if not isinstance(values_raw, list):
        raise fail("values", "expected a list of values files")
    values: list[str] = []
    for i, entry in enumerate(values_raw):
        if not isinstance(entry, str) or not entry.strip():
            raise fail(f"values[{i}]", "expected a file path")
        values.append(_check_relative(entry.strip(), f"values[{i}]", fail))
    if len(set(values)) != len(values):
        raise fail("values", "a file is listed twice")
    paths_raw = raw.get("paths") or {}
    if not isinstance(paths_raw, Mapping):
        raise fail("paths", "expected a mapping {answer key: value path}")
    paths: dict[str, str] = {}
    for key, value in sorted(paths_raw.items(), key=lambda kv: str(kv[0])):
        if key not in MAPPED_KEYS:
            raise fail(f"paths.{key}", f"unknown key (allowed: {', '.join(MAPPED_KEYS)})")
        if not isinstance(value, str):
            raise fail(f"paths.{key}", "expected a value path like replicaCount or ingress.hosts[0].host")
        try:
            split_path(value)
        except ValueError:
            raise fail(f"paths.{key}", f"{value!r} is not a value path (like ingress.hosts[0].host)") from None
        paths[str(key)] = value
    secrets = _secrets(raw.get("secrets"), fail)
    return HelmAnswers(
        chart=chart, release=release, values=tuple(values), repository=repository, version=version, paths=paths,
        secrets=secrets,
    )


def _secrets(raw: Any, fail: Any) -> dict[str, tuple[str, ...]]:
    """`helm.secrets: {Secret name: [KEY, ...]}`: key names only (a value here would be a secret in git)."""
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise fail("secrets", "expected a mapping {Secret name: [key names]}")
    out: dict[str, tuple[str, ...]] = {}
    for name, keys in sorted(raw.items(), key=lambda kv: str(kv[0])):
        if not isinstance(name, str) or len(name) > SECRET_NAME_MAX or not SECRET_NAME.match(name):
            raise fail("secrets", f"{name!r} is not a Secret name")
        if isinstance(keys, Mapping):
            raise fail(f"secrets.{name}", "list the key names only; secret values never go in the answers file")
        if not isinstance(keys, list) or not keys:
            raise fail(f"secrets.{name}", "expected a list of key names")
        for i, key in enumerate(keys):
            if not isinstance(key, str) or not SECRET_KEY.match(key):
                raise fail(f"secrets.{name}[{i}]", "not a secret key name (letters, digits, '-', '_', '.')")
        if len(set(keys)) != len(keys):
            raise fail(f"secrets.{name}", "a key is listed twice")
        out[name] = tuple(sorted(keys))
    return out


def _check_relative(value: str, key: str, fail: Any) -> str:
    path = PurePosixPath(value.removeprefix("./"))
    if value.startswith("/") or ".." in path.parts or not str(path) or str(path) == ".":
        raise fail(key, f"{value!r} must be a path inside the repository (relative, no '..')")
    return path.as_posix()


def parse_values(raw: Any, path: str, origin: str) -> dict[str, Any]:
    """An environment's raw chart values: a mapping with string keys (checked against the chart in resolve)."""

    def walk(value: Any, where: str) -> None:
        if isinstance(value, Mapping):
            for key, child in value.items():
                if not isinstance(key, str) or not key:
                    raise InputError(f"{origin}: {where}: value keys must be non-empty strings, got {key!r}")
                walk(child, f"{where}.{key}")
        elif isinstance(value, list):
            for i, child in enumerate(value):
                walk(child, f"{where}[{i}]")

    if not isinstance(raw, Mapping):
        raise InputError(f"{origin}: {path}: expected a mapping of chart values, got {type(raw).__name__}")
    walk(raw, path)
    return dict(raw)


def helm_dict(helm: HelmAnswers) -> dict[str, Any]:
    """The normalized `helm:` block, in the file's key order."""
    out: dict[str, Any] = {"chart": helm.chart if helm.remote else f"./{helm.chart_dir}"}
    if helm.repository:
        out["repository"] = helm.repository
        out["version"] = helm.version
    out["release"] = helm.release
    if helm.values:
        out["values"] = list(helm.values)
    if helm.paths:
        out["paths"] = dict(helm.paths)
    if helm.secrets:
        out["secrets"] = {name: list(keys) for name, keys in helm.secrets.items()}
    return out
