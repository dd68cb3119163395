"""Add or remove an environment in the raw answers (the mapping of `.k8s-wizard.yaml`).

Pure functions: they take the answers as plain data and return a changed copy; the pipeline
validates the result (`pipeline.load_answers`) and re-generates. The order of `environments` is the
promotion order, so the Flux `dependsOn` chain and the promotion workflow follow it by themselves.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from wizard.core.answers.patterns import DNS_LABEL, DNS_LABEL_MAX
from wizard.core.errors import InputError

# What `--from` copies: the differences an environment makes to the base. Never its identity
# (name, namespace, current) nor its ingress host, which must differ between environments.
COPIED_KEYS = ("replicas", "resources", "config", "autoscaling", "image_tag", "services", "values")


def _environments(data: Any, origin: str) -> list[dict[str, Any]]:
    """The `environments` list of raw answers, checked just enough to work on it."""
    if not isinstance(data, Mapping):
        raise InputError(f"{origin}: expected a mapping of answers, got {type(data).__name__}")
    envs = data.get("environments")
    if not isinstance(envs, list) or not all(isinstance(e, Mapping) and "name" in e for e in envs):
        raise InputError(f"{origin}: environments: expected a list of environments, each with a name")
    return [dict(e) for e in envs]


def _names(envs: list[dict[str, Any]]) -> list[str]:
    return [str(e["name"]) for e in envs]


def _index(envs: list[dict[str, Any]], name: str, what: str) -> int:
    names = _names(envs)
    if name not in names:
        raise InputError(f"{what}: no environment {name!r} (environments: {', '.join(names)})")
    return names.index(name)


def _check_label(value: str, what: str) -> None:
    if len(value) > DNS_LABEL_MAX or not DNS_LABEL.match(value):
        raise InputError(f"{what}: {value!r} is not a DNS-1123 label (lower-case letters, digits, '-', at most 63)")


def default_namespace(envs: list[dict[str, Any]], name: str) -> str:
    """The namespace a new environment gets when none is given: the other environments' naming pattern.

    `shop-staging` for `staging` gives `shop-qa` for `qa`; when no environment's namespace contains its
    name (or the pattern's result is taken or not a label), the namespace is the environment's name.
    """
    taken = {str(e.get("namespace") or e["name"]) for e in envs}
    for env in envs:
        if env.get("current"):
            continue  # the running environment keeps today's namespace, which says nothing about the pattern
        env_name, env_ns = str(env["name"]), str(env.get("namespace") or env["name"])
        if env_ns != env_name and env_name in env_ns:
            candidate = env_ns.replace(env_name, name, 1)
            if candidate not in taken and len(candidate) <= DNS_LABEL_MAX and DNS_LABEL.match(candidate):
                return candidate
    return name


def add_environment(
    data: Any,
    name: str,
    after: str | None = None,
    namespace: str | None = None,
    from_env: str | None = None,
    cluster: str | None = None,
) -> dict[str, Any]:
    """The answers with environment `name` added to the promotion order.

    Position: right after `after` when given, else just before the environment that runs today (so
    staging, qa, production); with no running environment (a new app), just before the last one.
    `from_env` copies that environment's differences (replicas, resources, config, autoscaling,
    image_tag, services), never its name, namespace, host or `current`.
    """
    origin = "add-env"
    envs = _environments(data, ".k8s-wizard.yaml")
    _check_label(name, origin)
    if name in _names(envs):
        raise InputError(f"{origin}: environment {name!r} already exists (environments: {', '.join(_names(envs))})")
    if namespace is not None:
        _check_label(namespace, f"{origin} --namespace")

    new: dict[str, Any] = {"name": name, "namespace": namespace or default_namespace(envs, name)}
    if cluster is not None:
        _check_label(cluster, f"{origin} --cluster")
        new["cluster"] = cluster
    elif any(e.get("cluster") for e in envs):
        clusters = sorted({str(e["cluster"]) for e in envs if e.get("cluster")})
        raise InputError(f"{origin}: the environments name their clusters ({', '.join(clusters)}): give --cluster")
    if from_env is not None:
        source = envs[_index(envs, from_env, f"{origin} --from")]
        for key in COPIED_KEYS:
            if source.get(key) is not None:
                new[key] = copy.deepcopy(source[key])

    if after is not None:
        position = _index(envs, after, f"{origin} --after") + 1
    else:
        current = [i for i, e in enumerate(envs) if e.get("current")]
        position = current[0] if current else max(len(envs) - 1, 0)
    result = copy.deepcopy(dict(data))
    result["environments"] = [copy.deepcopy(e) for e in envs]
    result["environments"].insert(position, new)
    return result


def remove_environment(data: Any, name: str) -> dict[str, Any]:
    """The answers without environment `name`.

    The environment that runs today cannot be removed (its overlay is what keeps production
    running), nor the last environment.
    """
    origin = "remove-env"
    envs = _environments(data, ".k8s-wizard.yaml")
    index = _index(envs, name, origin)
    if envs[index].get("current"):
        raise InputError(
            f"{origin}: {name!r} is the environment that runs today (current: true); it cannot be removed: "
            "its overlay is what keeps today's deployment running"
        )
    if len(envs) == 1:
        raise InputError(f"{origin}: {name!r} is the only environment; there must be at least one")
    result = copy.deepcopy(dict(data))
    result["environments"] = [copy.deepcopy(e) for i, e in enumerate(envs) if i != index]
    return result


__all__ = ["COPIED_KEYS", "add_environment", "default_namespace", "remove_environment"]
