"""The scan's facts as the interview sees them: every key present, plus a few derived values.

The scan hands over a plain dict (see FACT_DEFAULTS for its keys). `derive()` fills missing keys and adds
values the prompts file can refer to directly, so the expression language stays tiny.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

FACT_DEFAULTS: dict[str, Any] = {
    "source": None,
    "object_count": 0,
    "files": 0,
    "namespace": None,
    "namespaces": [],
    "kinds": {},
    "workloads": [],
    "configmaps": [],
    "secrets": {},
    "hosts": [],
    "backing_services": [],
    "git": {"url": None, "branch": None},
    "has_kustomization": False,
    "app": None,
    "chart": None,
    "candidates": [],
    "reading": False,
}
"""The keys the scan provides, with the value that means "nothing found"."""

DERIVED = (
    "replicas_today",
    "host",
    "multi_host",
    "flux_url",
    "secret_keys",
    "backing_summary",
    "workload_names",
    "several_sources",
    "source_choices",
)
"""The keys `derive()` adds (documented on the function)."""

_SCP_LIKE = re.compile(r"^(?P<user>[\w.-]+)@(?P<host>[\w.-]+):(?!//)(?P<path>\S+)$")


def flux_url(url: str | None) -> str | None:
    """A git remote as a URL Flux can clone: scp-like `git@host:org/repo` becomes `ssh://git@host/org/repo`."""
    if not url:
        return None
    match = _SCP_LIKE.match(url)
    if match:
        return f"ssh://{match['user']}@{match['host']}/{match['path']}"
    return url


def replicas_today(workloads: list[Mapping[str, Any]]) -> int | dict[str, int]:
    """Today's replica count: one number when every workload has the same, else {workload: count}."""
    counts = {str(w.get("name")): int(w["replicas"]) for w in workloads if isinstance(w.get("replicas"), int)}
    if not counts:
        return 1
    if len(set(counts.values())) == 1:
        return next(iter(counts.values()))
    return counts


def derive(facts: Mapping[str, Any]) -> dict[str, Any]:
    """The facts with defaults filled and these derived keys added:

    replicas_today   int, or {workload: int} when workloads differ (1 when none has a count)
    host             the one Ingress host, when there is exactly one
    multi_host       true when there are several Ingress hosts
    flux_url         facts.git.url in a form Flux accepts (scp-like remotes become ssh://)
    secret_keys      "`name`: KEY, KEY2; ..." — key names only, never values
    backing_summary  "`db` (StatefulSet), `redis` (REDIS_URL in deployment/api)"
    workload_names   the workloads' names
    several_sources  true when more than one folder holds Kubernetes objects (they are offered as a choice)
    source_choices   those folders as choices ({value, label}), then `other`
    """
    out: dict[str, Any] = {key: facts.get(key, default) for key, default in FACT_DEFAULTS.items()}
    out.update({k: v for k, v in facts.items() if k not in out})
    for key, default in FACT_DEFAULTS.items():
        if out[key] is None and default is not None:
            out[key] = default
    git = dict(out["git"] or {})
    out["git"] = {"url": git.get("url"), "branch": git.get("branch")}
    hosts = list(out["hosts"])
    out["replicas_today"] = replicas_today(list(out["workloads"]))
    out["host"] = hosts[0] if len(hosts) == 1 else None
    out["multi_host"] = len(hosts) > 1
    out["flux_url"] = flux_url(out["git"]["url"])
    out["secret_keys"] = "; ".join(
        f"`{name}`: {', '.join(keys)}" if keys else f"`{name}`" for name, keys in dict(out["secrets"]).items()
    )
    out["backing_summary"] = ", ".join(
        f"`{s.get('name')}` ({s.get('evidence') if s.get('kind') == 'env' else s.get('kind')})" for s in out["backing_services"]
    )
    out["workload_names"] = [str(w.get("name")) for w in out["workloads"]]
    candidates = [dict(c) for c in out["candidates"] if isinstance(c, Mapping) and c.get("value")]
    if out["source"] and out["source"] not in [c["value"] for c in candidates]:
        candidates.insert(0, {"value": out["source"], "label": f"{out['object_count']} objects"})
    out["several_sources"] = len(candidates) > 1
    out["source_choices"] = [*candidates, {"value": "other", "label": "another folder, or none: a new app"}]
    return out
