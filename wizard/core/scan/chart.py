"""Read a Helm app as it is deployed today: the chart's own values and the values files used with it.

An in-repo chart is a folder with a Chart.yaml. A remote chart (Helm repository or OCI registry) is read
from helm's local archive cache when it is there (`<name>-<version>.tgz` in `$HELM_REPOSITORY_CACHE`,
default `~/.cache/helm/repository`, where `helm pull -d` or `helm repo` put it), so its default values
are known offline; without it, only today's values files are known. Nothing is fetched, nothing changed.
"""

from __future__ import annotations

import os
import tarfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import yaml

from wizard.core import yamlio
from wizard.core.errors import InputError

CHART_FILE = "Chart.yaml"
# Where single-app repositories keep their chart (helm create puts it in <name>/).
_CHART_HOMES = ("chart", "charts", "helm", "deploy", "deploy/helm", "deployment", "k8s", "kubernetes", ".")


class ChartAnswers(Protocol):
    """What the scan needs to know of the `helm:` answers (wizard.core.answers.helm.HelmAnswers has it)."""

    @property
    def chart(self) -> str: ...
    @property
    def chart_dir(self) -> str: ...
    @property
    def remote(self) -> bool: ...
    @property
    def version(self) -> str | None: ...
    @property
    def values(self) -> tuple[str, ...]: ...
    @property
    def release(self) -> str: ...
    @property
    def paths(self) -> dict[str, str]: ...


@dataclass(frozen=True)
class ValuesFile:
    """One values file used today: its path in the repository, its text (copied verbatim) and its data."""

    path: str
    text: str
    data: dict[str, Any]


@dataclass
class ChartInventory:
    """The chart and today's values: what resolve maps the answers onto and render writes out."""

    helm: ChartAnswers
    name: str
    version: str
    defaults: dict[str, Any]
    """The chart's own values.yaml ({} when the chart cannot be read offline)."""
    defaults_known: bool
    values_files: list[ValuesFile] = field(default_factory=list)
    chart_dir: Path | None = None
    """An in-repo chart's folder (absolute); None for a remote chart."""
    archive: Path | None = None
    """A remote chart's archive in helm's cache, when it is there."""

    @property
    def today(self) -> dict[str, Any]:
        """Today's values files merged in `-f` order (later files win, maps deep-merged)."""
        merged: dict[str, Any] = {}
        for vf in self.values_files:
            merged = deep_merge(merged, vf.data)
        return merged

    @property
    def effective(self) -> dict[str, Any]:
        """The values today's release runs with: the chart's defaults, then today's files."""
        return deep_merge(self.defaults, self.today)


def deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """Helm's and helm-controller's merge: maps merge key by key, anything else (lists too) is replaced."""
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def _load_mapping(text: str, where: str) -> dict[str, Any]:
    try:
        data = yamlio.load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        raise InputError(f"{where}{line}: {getattr(exc, 'problem', None) or 'not valid YAML'}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InputError(f"{where}: expected a mapping of values, got {type(data).__name__}")
    return data


def helm_cache() -> Path:
    """helm's repository cache folder (what `helm env HELM_REPOSITORY_CACHE` prints)."""
    if os.environ.get("HELM_REPOSITORY_CACHE"):
        return Path(os.environ["HELM_REPOSITORY_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "helm" / "repository"


def find_archive(name: str, version: str) -> Path | None:
    """A remote chart's archive in helm's cache, if it was pulled there."""
    path = helm_cache() / f"{name}-{version.removeprefix('v')}.tgz"
    return path if path.is_file() else None


def _archive_member(archive: Path, name: str, member: str) -> str | None:
    with tarfile.open(archive, "r:gz") as tar:
        try:
            handle = tar.extractfile(f"{name}/{member}")
        except KeyError:
            return None
        return handle.read().decode("utf-8") if handle else None


def scan_chart(repo: Path, helm: ChartAnswers) -> ChartInventory:
    """Read the chart named in the answers and today's values files; errors name the file or answer key."""
    files: list[ValuesFile] = []
    for i, rel in enumerate(helm.values):
        path = repo / rel
        if not path.is_file():
            raise InputError(f"answers: helm.values[{i}]: {rel!r} not found in the repository")
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise InputError(f"{rel}: not UTF-8 text") from None
        files.append(ValuesFile(rel, text, _load_mapping(text, rel)))
    if not helm.remote:
        folder = repo / helm.chart_dir
        meta_path = folder / CHART_FILE
        if not meta_path.is_file():
            raise InputError(f"answers: helm.chart: {helm.chart!r} has no {CHART_FILE} (an in-repo chart is a folder with one)")
        meta = _load_mapping(meta_path.read_text(encoding="utf-8"), f"{helm.chart_dir}/{CHART_FILE}")
        if not meta.get("name") or not meta.get("version"):
            raise InputError(f"{helm.chart_dir}/{CHART_FILE}: name and version are required")
        values_path = folder / "values.yaml"
        where = f"{helm.chart_dir}/values.yaml"
        local = _load_mapping(values_path.read_text(encoding="utf-8"), where) if values_path.is_file() else {}
        return ChartInventory(helm, str(meta["name"]), str(meta["version"]), local, True, files, chart_dir=folder)
    assert helm.version is not None
    archive = find_archive(helm.chart, helm.version)
    defaults: dict[str, Any] = {}
    if archive is not None:
        member: str | None
        try:
            member = _archive_member(archive, helm.chart, "values.yaml")
        except (OSError, tarfile.TarError, UnicodeDecodeError):
            member = None
        defaults = _load_mapping(member, f"{archive}:values.yaml") if member else {}
    return ChartInventory(helm, helm.chart, helm.version, defaults, archive is not None, files, archive=archive)


def detect_charts(repo: Path) -> list[str]:
    """Chart folders in the repository, nearest the usual homes first (`./chart`, `./charts/web`, ...)."""
    found: list[str] = []
    for home in _CHART_HOMES:
        folder = repo / home
        if not folder.is_dir():
            continue
        candidates = [folder, *sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))]
        for candidate in candidates:
            if (candidate / CHART_FILE).is_file():
                rel = candidate.relative_to(repo).as_posix()
                if rel not in found and not any(rel.startswith(f"{f}/") for f in found):
                    found.append(rel)
    return found
