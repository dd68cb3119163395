"""What the interview proposes for a repository that deploys a Helm chart: plain data, no UI.

The chart folder (Chart.yaml), the values files that look like today's (`values-prod.yaml` next to the
chart or in the repository), and the value paths the usual per-environment answers would set, read from
the chart's values.yaml merged with those files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from wizard.core.answers.helm import HelmAnswers, split_path
from wizard.core.errors import InputError
from wizard.core.resolve.helmvalues import get_path, ingress_enabled, propose_paths
from wizard.core.scan.chart import detect_charts, scan_chart

_SKIP_DIRS = {".git", "node_modules", ".venv", "vendor", "templates", "charts"}


def values_files(repo: Path, chart_dir: str) -> list[str]:
    """Values files other than the chart's own values.yaml; the production ones when names say so."""
    found: list[str] = []
    for path in sorted(repo.rglob("values*.y*ml")):
        rel = path.relative_to(repo)
        if len(rel.parts) > 4 or any(p in _SKIP_DIRS or p.startswith(".") for p in rel.parts[:-1]):
            continue
        if rel.as_posix() == f"{chart_dir}/values.yaml".removeprefix("./") or "base/values" in rel.as_posix():
            continue
        found.append(rel.as_posix())
    production = [f for f in found if "prod" in Path(f).name]
    shared = [f for f in found if any(w in Path(f).name for w in ("common", "base", "shared", "default"))]
    return (shared + production) if production else found


def chart_facts(repo: Path) -> dict[str, Any] | None:
    """The first chart in the repository as interview facts, or None when there is none (or it cannot be read)."""
    charts = detect_charts(repo)
    if not charts:
        return None
    folder = charts[0]
    chart = "./" if folder == "." else f"./{folder}"
    files = values_files(repo, folder)
    try:
        inventory = scan_chart(repo, HelmAnswers(chart=chart if folder != "." else "./.", release="x", values=tuple(files)))
    except InputError:
        return None
    effective = inventory.effective
    paths = propose_paths(effective)
    replicas = get_path(effective, split_path(paths["replicas"])) if "replicas" in paths else None
    host = get_path(effective, split_path(paths["host"])) if "host" in paths else None
    ingress_on = isinstance(host, str) and bool(host) and ingress_enabled(effective, split_path(paths["host"]))
    return {
        "path": folder,
        "chart": chart,
        "name": inventory.name,
        "version": inventory.version,
        "values_files": files,
        "paths": paths,
        "replicas": replicas if isinstance(replicas, int) else None,
        "host": host if ingress_on else None,
    }
