"""Service addresses that name today's namespace, in container env, args and command, and in ConfigMaps.

Only a bare service name follows the namespace by itself (DOMAIN.md). `db.shop`, `db.shop:5432`,
`db.shop.svc`, `db.shop.svc.cluster.local` and a StatefulSet pod's `pg-0.db.shop.svc.cluster.local` keep
pointing at today's namespace, so a new environment would talk to production (a staging database node
joining production's ring). Every environment whose namespace is not today's gets those values rewritten to
its own namespace, by a JSON patch on the exact field; what cannot be told apart from an outside host name is
left alone and reported (file and key).

- `<name>.<today>.svc[.cluster.local]` (and `<pod>.<name>.<today>.svc...`): unambiguous, rewritten.
- `<service>.<today>` where `<service>` is one of the app's Services: rewritten.
- `<other>.<today>` (not one of the app's Services: maybe an outside domain): a warning, not rewritten.
- `<service>.<other-namespace>` where `<service>` is one of the app's Services: a warning (shared on purpose?).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from wizard.core.answers.parse import Environment
from wizard.core.kinds import pod_spec
from wizard.core.resolve.model import Resolved
from wizard.core.scan.manifests import ManifestObject

_LABEL = r"[a-z0-9](?:[-a-z0-9]*[a-z0-9])?"
# A host name of two or more labels, not glued to a longer word or host name on either side.
_HOST = re.compile(rf"(?<![-a-z0-9.])((?:{_LABEL}\.)+{_LABEL})(?![-a-z0-9]|\.[a-z0-9])")


@dataclass(frozen=True)
class AddressUse:
    """One string field of a manifest that holds a namespace-qualified address."""

    obj: ManifestObject
    path: str
    """JSON pointer of the field (what the patch replaces)."""
    where: str
    """For people: `ConfigMap/api-config key DATABASE_HOST`, `Deployment/api container api env DB_URL`."""
    value: str
    rewritten: tuple[str, ...]
    """The addresses in it that name today's namespace (rewritten per environment)."""
    ambiguous: tuple[str, ...]
    """Addresses that may or may not mean a service of the app (reported, not rewritten)."""


def _pointer(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


def _fields(obj: ManifestObject) -> list[tuple[str, str, str]]:
    """(JSON pointer, description, value) of every string field an address may sit in."""
    out: list[tuple[str, str, str]] = []
    if obj.kind == "ConfigMap":
        for k, v in (obj.obj.get("data") or {}).items():
            if isinstance(v, str):
                out.append((f"/data/{_pointer(str(k))}", f"{obj.ref} key {k}", v))
        return out
    if obj.kind == "Service":
        name = (obj.obj.get("spec") or {}).get("externalName")
        if isinstance(name, str):
            out.append(("/spec/externalName", f"{obj.ref} spec.externalName", name))
        return out
    pod = pod_spec(obj.obj)
    if pod is None:
        return out
    prefix = "/spec/jobTemplate/spec/template/spec" if obj.kind == "CronJob" else "/spec/template/spec"
    for part in ("initContainers", "containers"):
        for i, c in enumerate(pod.get(part) or []):
            if not isinstance(c, dict):
                continue
            who = f"{obj.ref} container {c.get('name')}"
            for j, env in enumerate(c.get("env") or []):
                if isinstance(env, dict) and isinstance(env.get("value"), str):
                    out.append((f"{prefix}/{part}/{i}/env/{j}/value", f"{who} env {env.get('name')}", env["value"]))
            for field in ("args", "command"):
                for j, arg in enumerate(c.get(field) or []):
                    if isinstance(arg, str):
                        out.append((f"{prefix}/{part}/{i}/{field}/{j}", f"{who} {field}[{j}]", arg))
    return out


def _classify(host: str, today: str, services: set[str]) -> tuple[str, str | None, str | None]:
    """('rewrite'|'ambiguous'|'', the service named, the namespace named) for one host name."""
    labels = host.split(".")
    for suffix in (["svc", "cluster", "local"], ["svc"]):
        if labels[-len(suffix):] == suffix and len(labels) >= len(suffix) + 2:
            namespace, service = labels[-len(suffix) - 1], labels[-len(suffix) - 2]
            if namespace == today:
                return "rewrite", service, namespace
            return ("ambiguous" if service in services else ""), service, namespace
    if len(labels) == 2:
        service, namespace = labels
        if namespace == today:
            return ("rewrite" if service in services else "ambiguous"), service, namespace
        if service in services:
            return "ambiguous", service, namespace
    return "", None, None


def address_uses(resolved: Resolved) -> list[AddressUse]:
    """Every field of the base that names a service by namespace (today's, or an app's Service elsewhere)."""
    today = resolved.today_namespace
    if not today:
        return []
    services = {o.name for o in resolved.app.base_objects if o.kind == "Service"}
    found: list[AddressUse] = []
    for obj in resolved.app.base_objects:
        for path, where, value in _fields(obj):
            if "." not in value:
                continue
            rewrite: list[str] = []
            ambiguous: list[str] = []
            for match in _HOST.finditer(value):
                kind, _, _ = _classify(match.group(1), today, services)
                if kind == "rewrite":
                    rewrite.append(match.group(1))
                elif kind == "ambiguous":
                    ambiguous.append(match.group(1))
            if rewrite or ambiguous:
                found.append(AddressUse(
                    obj, path, where, value, tuple(dict.fromkeys(rewrite)), tuple(dict.fromkeys(ambiguous)),
                ))
    return found


def rewrite(value: str, today: str, namespace: str, hosts: tuple[str, ...]) -> str:
    """`value` with today's namespace label of each of `hosts` replaced by `namespace`."""
    def swap(match: re.Match[str]) -> str:
        host = match.group(1)
        if host not in hosts:
            return host
        labels = host.split(".")
        index = next(i for i in range(len(labels) - 1, -1, -1) if labels[i] == today)
        labels[index] = namespace
        return ".".join(labels)

    return _HOST.sub(swap, value)


def address_patches(
    resolved: Resolved, env: Environment, kept: set[str], configured: dict[str, set[str]],
) -> list[tuple[AddressUse, str]]:
    """(field, new value) for every address of today's namespace that `env` must point at its own namespace.

    `kept`: services the environment shares or uses externally (their addresses stay); `configured`:
    ConfigMap name -> keys the environment's `config` answer sets itself (left to that answer).
    """
    today = resolved.today_namespace
    if not today or env.namespace == today:
        return []
    services = {o.name for o in resolved.app.base_objects if o.kind == "Service"}
    out: list[tuple[AddressUse, str]] = []
    for use in address_uses(resolved):
        hosts = tuple(h for h in use.rewritten if _classify(h, today, services)[1] not in kept)
        if not hosts:
            continue
        if use.obj.kind == "ConfigMap" and use.path.removeprefix("/data/") in configured.get(use.obj.name, set()):
            continue
        out.append((use, rewrite(use.value, today, env.namespace, hosts)))
    return out
