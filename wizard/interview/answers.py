"""From the interview's values (by question id) to the answers dict (schema version 1).

Each question names the answers-file path it fills (`key`). `environments[*].x` paths take one value
per environment; `environments[*].name` makes the list and `environments[*].current` marks the one
environment that runs today. Empty values are left out to keep the file short.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Protocol

ANSWER_KEYS = frozenset(
    {
        "app",
        "source",
        "output",
        "new_app.image",
        "new_app.port",
        "new_app.liveness",
        "new_app.readiness",
        "new_app.config",
        "new_app.secrets",
        "helm.chart",
        "helm.release",
        "helm.values",
        "helm.paths",
        "environments[*].name",
        "environments[*].current",
        "environments[*].namespace",
        "environments[*].replicas",
        "environments[*].host",
        "environments[*].config",
        "environments[*].image_tag",
        "environments[*].resources.requests",
        "environments[*].resources.limits",
        "environments[*].autoscaling",
        "environments[*].services",
        "environments[*].cluster",
        "secrets.provider",
        "secrets.controller_name",
        "secrets.controller_namespace",
        "secrets.cert",
        "flux.url",
        "flux.branch",
        "ci",
    }
)
"""Every answers-file path a question may fill (`wizard.core.answers.parse` reads them)."""

TOP_ORDER = ("version", "app", "source", "output", "new_app", "helm", "environments", "secrets", "flux", "ci")
ENV_ORDER = ("name", "namespace", "current")


class Keyed(Protocol):
    """What the builder needs of a question."""

    @property
    def id(self) -> str: ...

    @property
    def key(self) -> str | None: ...


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == {} or value == []


def _put(target: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    for part in parents:
        target = target.setdefault(part, {})
    target[last] = value


def build_answers(questions: Iterable[Keyed], values: Mapping[str, Any]) -> dict[str, Any]:
    """The answers dict from the resolved value of each question that applies (missing ids are skipped)."""
    keyed = [(q.key, values[q.id]) for q in questions if q.key and q.id in values]
    names = next((list(v) for k, v in keyed if k == "environments[*].name"), [])
    envs: dict[str, dict[str, Any]] = {name: {"name": name} for name in names}
    out: dict[str, Any] = {"version": 1}
    for key, value in keyed:
        if key == "environments[*].name":
            continue
        if key == "environments[*].current":
            if value:
                for name, env in envs.items():
                    if name == value:
                        env["current"] = True
            continue
        if key.startswith("environments[*]."):
            sub = key.removeprefix("environments[*].")
            for name, item in dict(value or {}).items():
                if name in envs and not _empty(item):
                    _put(envs[name], sub, item)
            continue
        if not _empty(value):
            _put(out, key, value)
    out["environments"] = [_ordered(env, ENV_ORDER) for env in envs.values()]
    return _ordered(out, TOP_ORDER)


def _ordered(data: dict[str, Any], first: tuple[str, ...]) -> dict[str, Any]:
    head = {k: data[k] for k in first if k in data}
    return head | {k: v for k, v in data.items() if k not in head}
