"""One environment's answers resolved against the app's objects; every "no such ..." error is raised here.

Errors name the answers-file key path (`environments[1].replicas.api`) and what exists instead.
"""

from __future__ import annotations

import re
from typing import Any

from wizard.core.answers.parse import Answers, Autoscaling, Environment, Resources
from wizard.core.errors import InputError
from wizard.core.kinds import BACKING_ENV, WORKLOADS, containers, image_name
from wizard.core.resolve.app import today_replicas
from wizard.core.resolve.model import AddressKey, AppFacts, EnvironmentSettings, ReplicaChange, ServiceChoice
from wizard.core.scan.manifests import Inventory, ManifestObject

STATELESS = frozenset({"Deployment", "ReplicaSet"})


def _fail(index: int, key: str, reason: str) -> InputError:
    return InputError(f"answers: environments[{index}].{key}: {reason}")


def _found(names: list[str] | tuple[str, ...]) -> str:
    return ", ".join(names) or "none"


def follows_one_number(workload: ManifestObject, facts: AppFacts) -> bool:
    """Whether one replica number (or one autoscaling answer) for every workload applies to this one.

    It applies to stateless Deployments. StatefulSets, and backing services that run a single instance
    today (a database or cache in a Deployment), keep their count unless the answer names them: three
    Postgres pods are not three times the database, and a single-instance cache does not replicate.
    """
    if workload.kind not in STATELESS:
        return False
    return not (workload.name in facts.backing_workloads and (today_replicas(workload) or 1) <= 1)


def _scalable_names(facts: AppFacts) -> list[str]:
    return sorted({o.name for o in facts.scalable})


def _autoscaling(facts: AppFacts, env: Environment, index: int, removed: frozenset[str]) -> dict[str, Autoscaling]:
    if env.autoscaling is None:
        return {}
    names = _scalable_names(facts)
    if isinstance(env.autoscaling, Autoscaling):
        chosen = {w.name for w in facts.scalable if follows_one_number(w, facts)}
        return {n: env.autoscaling for n in sorted(chosen - removed)}
    for name in env.autoscaling:
        if name not in names:
            raise _fail(index, f"autoscaling.{name}", f"no such workload (found: {_found(names)})")
    return dict(sorted(env.autoscaling.items()))


def _replicas(
    facts: AppFacts, env: Environment, index: int, autoscaled: frozenset[str], removed: frozenset[str]
) -> tuple[dict[str, int], tuple[ReplicaChange, ...], tuple[str, ...]]:
    """(counts the overlay sets, the ones that differ from today, the ones left to an HPA)."""
    if env.replicas is None:
        return {}, (), ()
    names = _scalable_names(facts)
    if isinstance(env.replicas, int):
        wanted = {w.name: env.replicas for w in facts.scalable if follows_one_number(w, facts)}
        left_to_hpa = sorted(autoscaled & set(names))
    else:
        for name in env.replicas:
            if name not in names:
                raise _fail(index, f"replicas.{name}", f"no such workload (found: {_found(names)})")
        wanted = dict(env.replicas)
        left_to_hpa = sorted(set(env.replicas) & autoscaled)
    counts = {k: v for k, v in sorted(wanted.items()) if k not in autoscaled | removed}
    first: dict[str, ManifestObject] = {}
    for w in facts.scalable:
        first.setdefault(w.name, w)
    changes = tuple(
        ReplicaChange(name, first[name].kind, today_replicas(first[name]), count)
        for name, count in counts.items()
        if today_replicas(first[name]) != count
    )
    return counts, changes, tuple(left_to_hpa)


def _resources(facts: AppFacts, env: Environment, index: int, removed: frozenset[str]) -> dict[str, dict[str, Any]]:
    wanted = env.resources
    if wanted is None:
        return {}
    names = sorted({w.name for w in facts.workloads})
    if isinstance(wanted, Resources):
        return {w.name: wanted.as_dict() for w in facts.workloads if w.name not in removed and wanted.as_dict()}
    for name in wanted:
        if name not in names:
            raise _fail(index, f"resources.{name}", f"no such workload (found: {_found(names)})")
    return {name: spec.as_dict() for name, spec in sorted(wanted.items()) if name not in removed and spec.as_dict()}


def _images(facts: AppFacts, env: Environment, index: int) -> tuple[tuple[str, str], ...]:
    tag = env.image_tag
    if tag is None:
        return ()
    if isinstance(tag, str):
        return tuple((n, tag) for n in facts.own_images)
    known = sorted({image_name(i) for i in facts.images})
    for name in tag:
        if name not in known:
            raise _fail(index, f"image_tag.{name}", f"no container uses this image (found: {_found(known)})")
    return tuple(sorted(tag.items()))


CATCH_ALL = ""
"""The `hosts` key of an Ingress rule without a host (a catch-all, or a `defaultBackend`): the answer gives it one."""


def _sibling_host(siblings: tuple[Environment, ...], env: Environment) -> str | None:
    """`qa.blog.example.com` for qa when staging answers `staging.blog.example.com` (None when none does)."""
    for other in siblings:
        if other is not env and not other.current and isinstance(other.host, str) and other.host.startswith(f"{other.name}."):
            return f"{env.name}.{other.host.removeprefix(other.name + '.')}"
    return None


def _hosts(
    facts: AppFacts, env: Environment, index: int, generated: bool, siblings: tuple[Environment, ...] = (),
) -> tuple[dict[str, str], bool]:
    """(today's host -> this environment's host, whether the hosts were defaulted)."""
    host, today = env.host, list(facts.hosts)
    if generated:
        if isinstance(host, dict):
            raise _fail(
                index, "host", "a new app has no host today to map from: give this environment's host name "
                "(like staging.example.com)"
            )
        return {}, False
    if host is None:
        if env.current:
            return {}, False
        if not today:
            # A catch-all Ingress: follow another environment's `<its name>.<domain>` host, if one has it.
            derived = _sibling_host(siblings, env)
            return ({CATCH_ALL: derived}, True) if derived and facts.ingresses else ({}, False)
        return {h: f"{env.name}.{h.removeprefix('*.')}" for h in today}, True
    if isinstance(host, str):
        if len(today) > 1:
            raise _fail(
                index, "host", f"today's ingresses use {len(today)} hosts ({', '.join(today)}); give a mapping "
                "{today's host: new host}"
            )
        if not facts.ingresses:
            raise _fail(index, "host", "the app has no Ingress: there is no route to give a host")
        # No host today: the Ingress rules are catch-alls (key ""), and the answer gives them this host.
        return ({today[0]: host} if today else {CATCH_ALL: host}), False
    for old in host:
        if old not in today:
            raise _fail(index, f"host.{old}", f"no ingress uses this host (found: {_found(today)})")
    return dict(host), False


def _config(facts: AppFacts, env: Environment, index: int) -> dict[str, dict[str, str]]:
    if not env.config:
        return {}
    cms = list(facts.configmaps)
    nested = {k: v for k, v in env.config.items() if isinstance(v, dict)}
    flat = {k: v for k, v in env.config.items() if not isinstance(v, dict)}
    out: dict[str, dict[str, str]] = {}
    for name, data in nested.items():
        if name not in cms:
            raise _fail(index, f"config.{name}", f"no ConfigMap called {name!r} (found: {_found(cms)})")
        out[name] = dict(data)
    if flat:
        if len(cms) != 1:
            raise _fail(
                index, "config", f"the app has {len(cms)} ConfigMaps ({_found(cms)}); use {{ConfigMap name: {{KEY: value}}}}"
            )
        out.setdefault(cms[0], {}).update(flat)
    return out


def _names_host(text: str, hosts: set[str]) -> bool:
    """True when a value addresses one of the hosts (`postgres`, `postgres:5432`, `x://u@postgres/db`)."""
    return any(re.search(rf"(?<![-A-Za-z0-9_.]){re.escape(h)}(?![-A-Za-z0-9_])", text) for h in hosts)


def _address_keys_of_workload(facts: AppFacts, removed: set[tuple[str, str]]) -> tuple[AddressKey, ...]:
    """Where the kept workloads read the address of a removed workload's Services (values naming them)."""
    hosts = {name for kind, name in removed if kind == "Service"}
    found: list[AddressKey] = []
    if not hosts:
        return ()
    for w in facts.workloads:
        if (w.kind, w.name) in removed:
            continue
        prefix, pod = _pod_spec_path(w)
        for field_name in ("containers", "initContainers"):
            for i, c in enumerate(pod.get(field_name) or []):
                for j, entry in enumerate((c or {}).get("env") or []):
                    value = (entry or {}).get("value")
                    if isinstance(value, str) and _names_host(value, hosts):
                        found.append(AddressKey(
                            f"{w.ref} container {c.get('name')}", str(entry.get("name")), bare=_bare(value, hosts),
                            target=(w.kind, w.name), pointer=f"{prefix}/{field_name}/{i}/env/{j}/value",
                        ))
    for obj in facts.base_objects:
        if obj.kind == "ConfigMap":
            for key, value in sorted((obj.obj.get("data") or {}).items()):
                if isinstance(value, str) and _names_host(value, hosts):
                    found.append(AddressKey(obj.ref, str(key), obj.name, bare=_bare(value, hosts)))
    return tuple(found)


def _pod_spec_path(w: ManifestObject) -> tuple[str, dict[str, Any]]:
    """The JSON pointer of a workload's pod spec, and the pod spec."""
    spec = w.obj.get("spec") or {}
    if w.kind == "CronJob":
        pod = (((spec.get("jobTemplate") or {}).get("spec") or {}).get("template") or {}).get("spec") or {}
        return "/spec/jobTemplate/spec/template/spec", pod
    return "/spec/template/spec", ((spec.get("template") or {}).get("spec") or {})


def _bare(value: str, hosts: set[str]) -> str | None:
    """The value when it is nothing but a Service address (`postgres` or `postgres:5432`), else None."""
    return value if any(re.fullmatch(rf"{re.escape(h)}(:\d+)?", value) for h in hosts) else None


def _shared_rewrites(
    keys: tuple[AddressKey, ...], hosts: list[str], namespace: str | None, filled: tuple[str, ...]
) -> tuple[tuple[AddressKey, str], ...]:
    """A shared service's bare addresses, pointed at the current environment's instance in its namespace."""
    if namespace is None:
        return ()
    out = []
    for key in keys:
        if key.bare is None or key.key in filled:
            continue
        host, _, port = key.bare.partition(":")
        out.append((key, f"{host}.{namespace}.svc.cluster.local" + (f":{port}" if port else "")))
    return tuple(out)


def address_names(facts: AppFacts, inventory: Inventory) -> dict[str, tuple[AddressKey, ...]]:
    """Backing-service address keys (DATABASE_URL, REDIS_HOST, ...) the app reads, and where."""
    found: dict[str, list[AddressKey]] = {}
    for w in facts.workloads:
        for c in containers(w.obj, init=True):
            for entry in c.get("env") or []:
                name = str((entry or {}).get("name", ""))
                if name in BACKING_ENV:
                    found.setdefault(name, []).append(AddressKey(f"{w.ref} container {c.get('name')}", name))
    for need in facts.secret_needs:
        for key in need.keys:
            if key in BACKING_ENV:
                found.setdefault(key, []).append(AddressKey(f"Secret/{need.name}", key))
    for obj in facts.base_objects:
        if obj.kind == "ConfigMap":
            for key in sorted(obj.obj.get("data") or {}):
                if str(key) in BACKING_ENV:
                    found.setdefault(str(key), []).append(AddressKey(obj.ref, str(key), obj.name))
    return {k: tuple(v) for k, v in sorted(found.items())}


def _companions(facts: AppFacts, workload: ManifestObject, labels: dict[str, Any]) -> list[tuple[str, str]]:
    """Objects that only make sense with the workload: its HPA and the PodDisruptionBudgets selecting its pods."""
    found: list[tuple[str, str]] = []
    hpa = facts.existing_hpas.get(workload.name)
    if hpa is not None:
        found.append((hpa.kind, hpa.name))
    for pdb in facts.base_objects:
        selector = ((pdb.obj.get("spec") or {}).get("selector") or {}).get("matchLabels") or {}
        if pdb.kind == "PodDisruptionBudget" and selector and all(labels.get(k) == v for k, v in selector.items()):
            found.append((pdb.kind, pdb.name))
    return found


def _not_removed(answer: Any, removed: frozenset[str], index: int, key: str, services: tuple[ServiceChoice, ...]) -> None:
    """A per-workload answer for a workload the environment does not run contradicts `services`: refuse it."""
    if not isinstance(answer, dict):
        return
    for name in sorted(set(answer) & removed):
        choice = next(s.choice for s in services if s.name == name)
        article = "an" if choice == "external" else "a"
        raise _fail(
            index, f"{key}.{name}", f"this environment uses {article} {choice} {name} (services.{name}), so it runs no {name} "
            "of its own to set this for"
        )


def _services(
    facts: AppFacts, inventory: Inventory, env: Environment, index: int, config: dict[str, dict[str, str]],
    current_namespace: str | None,
) -> tuple[ServiceChoice, ...]:
    if not env.services:
        return ()
    workloads = {w.name: w for w in reversed(facts.workloads)}
    # The address keys walk every container and ConfigMap: looked up only for a name that is no workload.
    addresses = {} if all(name in workloads for name in env.services) else address_names(facts, inventory)
    out: list[ServiceChoice] = []
    for name, choice in sorted(env.services.items()):
        if name not in workloads and name not in addresses:
            known = sorted(set(facts.backing_workloads) | set(addresses))
            raise _fail(
                index, f"services.{name}", f"no such backing service: no workload of that name and no address key "
                f"({', '.join(BACKING_ENV[:3])}, ...) the app reads (found: {_found(known)})"
            )
        if choice == "own":
            continue
        if name in workloads:
            w = workloads[name]
            removed = [(w.kind, w.name)]
            labels = ((w.obj.get("spec") or {}).get("template") or {}).get("metadata", {}).get("labels") or {}
            for svc in facts.base_objects:
                selector = (svc.obj.get("spec") or {}).get("selector") or {}
                if svc.kind == "Service" and selector and all(labels.get(k) == v for k, v in selector.items()):
                    removed.append(("Service", svc.name))
            keys = _address_keys_of_workload(facts, set(removed))
            removed += _companions(facts, w, labels)
        else:
            removed, keys = [], addresses[name]
        filled = tuple(
            k.key for k in keys if k.configmap is not None and k.key in config.get(k.configmap, {})
        )
        rewrites: tuple[tuple[AddressKey, str], ...] = ()
        if choice == "shared":
            services = [n for kind, n in removed if kind == "Service"]
            rewrites = _shared_rewrites(keys, services, current_namespace, filled)
        out.append(ServiceChoice(name, choice, tuple(removed), keys, filled, rewrites))
    return tuple(out)


def resolve_environment(
    facts: AppFacts, inventory: Inventory, answers: Answers, index: int, today: str | None
) -> EnvironmentSettings:
    """Every setting of environment `index`, checked against the app's objects (`today`: the app's namespace today)."""
    env = answers.environments[index]
    config = _config(facts, env, index)
    current = answers.current
    services = _services(facts, inventory, env, index, config, current.namespace if current else None)
    for service in services:  # a shared instance's address, in a ConfigMap: set for this environment
        for address, value in service.rewrites:
            if address.configmap is not None:
                config.setdefault(address.configmap, {})[address.key] = value
    removed = frozenset(name for s in services for kind, name in s.removed if kind in WORKLOADS)
    for key in ("replicas", "autoscaling", "resources"):
        _not_removed(getattr(env, key), removed, index, key, services)
    autoscaling = _autoscaling(facts, env, index, removed)
    autoscaled = (frozenset(facts.existing_hpas) | frozenset(autoscaling)) - removed
    replicas, changes, left = _replicas(facts, env, index, autoscaled, removed)
    hosts, defaulted = _hosts(facts, env, index, inventory.generated, answers.environments)
    moves: tuple[ManifestObject, ...] = ()
    # The environment that holds the once-per-cluster objects keeps pinned namespaces (an unsetOnly namespace
    # transformer), so objects that hard-code today's namespace are moved explicitly.
    if answers.holds_cluster_objects(env) and today and today != env.namespace:
        moves = tuple(o for o in facts.base_objects if o.namespace == today)
    added = tuple((f"{o.kind.lower()}.yaml", o.obj) for o in inventory.env_objects.get(env.name, ()))
    return EnvironmentSettings(
        env=env,
        index=index,
        replicas=replicas,
        replica_changes=changes,
        replicas_autoscaled=left,
        autoscaling=autoscaling,
        autoscaled=autoscaled,
        resources=_resources(facts, env, index, removed),
        images=_images(facts, env, index),
        hosts=hosts,
        hosts_defaulted=defaulted,
        config=config,
        services=services,
        namespace_moves=moves,
        added=added,
    )


def neutral_settings(answers: Answers, index: int) -> EnvironmentSettings:
    """An environment whose answers reach no object here (a Helm app: they become chart values instead)."""
    return EnvironmentSettings(
        env=answers.environments[index], index=index, replicas={}, replica_changes=(), replicas_autoscaled=(),
        autoscaling={}, autoscaled=frozenset(), resources={}, images=(), hosts={}, hosts_defaulted=False, config={},
        services=(), namespace_moves=(),
    )
