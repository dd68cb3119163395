"""Built objects made comparable across environments.

What is meant to differ between two environments is taken out before comparing: the namespace (in
`metadata.namespace`, in `namespace:` fields such as RoleBinding subjects, and in service addresses like
`db.shop.svc`), the `environment` label, a `namePrefix`/`nameSuffix` of the overlay and the hash
suffix kustomize gives generated ConfigMaps and Secrets. Lists of named items (containers, env,
ports) become mappings keyed by name, so an inserted env var is one difference, not a shifted list.
A Secret's values are replaced by a digest and a SealedSecret's ciphertext (different on every seal)
by a marker: no secret value ever reaches a report.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

ENV_LABEL = "environment"
NAMESPACE = "<namespace>"
SEALED = "<sealed>"
LABEL_MAPS = ("labels", "matchLabels", "selector")
# kustomize's name hash: a dash and 10 characters from its consonant-and-digit alphabet (api/hasher).
HASH_SUFFIX = re.compile(r"^(?P<name>.+)-[bcdfghjklmnpqrstvwxz2456789]{10}$")

ObjectKey = tuple[str, str, str]
"""(kind, namespace, name) of a normalized object; namespace is '' for the environment's own."""


@dataclass(frozen=True)
class Naming:
    """How one environment's build names things: what to take out before comparing."""

    environment: str
    namespace: str
    name_prefix: str = ""
    name_suffix: str = ""


def object_key(obj: Mapping[str, Any]) -> ObjectKey:
    """The key of a normalized object."""
    meta = obj.get("metadata") or {}
    return (str(obj.get("kind", "")), str(meta.get("namespace") or ""), str(meta.get("name", "")))


def describe(key: ObjectKey) -> str:
    """`Kind/name`, with the namespace when the object is pinned outside the environment's."""
    kind, namespace, name = key
    return f"{kind}/{name}" + (f" (namespace {namespace})" if namespace else "")


def _address_pattern(namespace: str) -> re.Pattern[str]:
    # svc.ns, svc.ns.svc, svc.ns.svc.cluster.local, svc.ns:5432, pod-0.svc.ns.svc...: the namespace is a
    # whole DNS label after a dot, followed by the end, a dot, a port or a path.
    return re.compile(r"(?<=\.)" + re.escape(namespace) + r"(?=$|[.:/\s\"',;])")


class Normalizer:
    """Normalizes every object of one environment's build."""

    def __init__(self, naming: Naming, objects: list[dict[str, Any]]) -> None:
        self.naming = naming
        self._address = _address_pattern(naming.namespace)
        self.renames: dict[str, str] = {}
        for obj in objects:
            name = str((obj.get("metadata") or {}).get("name", ""))
            kind = str(obj.get("kind", ""))
            plain = self._plain_name(kind, name)
            if plain != name and kind != "Namespace":  # a namespace's name is not a reference to rename
                self.renames[name] = plain

    def _plain_name(self, kind: str, name: str) -> str:
        if kind == "Namespace" and name == self.naming.namespace:
            return NAMESPACE
        if kind in ("ConfigMap", "Secret"):
            match = HASH_SUFFIX.match(name)
            if match:
                name = match.group("name")
        prefix, suffix = self.naming.name_prefix, self.naming.name_suffix
        if prefix and name.startswith(prefix) and len(name) > len(prefix):
            name = name[len(prefix) :]
        if suffix and name.endswith(suffix) and len(name) > len(suffix):
            name = name[: -len(suffix)]
        return name

    def objects(self, objects: list[dict[str, Any]]) -> dict[ObjectKey, dict[str, Any]]:
        """Normalized objects by key (a later duplicate key keeps the first: kustomize never emits one)."""
        out: dict[ObjectKey, dict[str, Any]] = {}
        for obj in objects:
            norm = self.object(obj)
            out.setdefault(object_key(norm), norm)
        return out

    def object(self, obj: Mapping[str, Any]) -> dict[str, Any]:
        """One object, normalized."""
        kind = str(obj.get("kind", ""))
        norm = self._value(obj, ())
        assert isinstance(norm, dict)
        meta = norm.setdefault("metadata", {})
        if isinstance(meta, dict):
            namespace = meta.pop("namespace", None)
            if namespace not in (None, NAMESPACE, self.naming.namespace):
                meta["namespace"] = namespace  # pinned elsewhere: part of its identity
            name = str((obj.get("metadata") or {}).get("name", ""))
            meta["name"] = self._plain_name(kind, name)
        if kind == "Secret":
            for part in ("data", "stringData"):
                if isinstance(norm.get(part), dict):
                    norm[part] = {k: _digest(v) for k, v in norm[part].items()}
        if kind == "SealedSecret":
            spec = norm.get("spec")
            if isinstance(spec, dict) and isinstance(spec.get("encryptedData"), dict):
                spec["encryptedData"] = dict.fromkeys(spec["encryptedData"], SEALED)
        return norm

    def _value(self, value: Any, path: tuple[str, ...]) -> Any:
        if isinstance(value, Mapping):
            out: dict[str, Any] = {}
            for k, v in value.items():
                key = str(k)
                if path and path[-1] in LABEL_MAPS and key == ENV_LABEL and v == self.naming.environment:
                    continue
                inner = self._value(v, (*path, key))
                if key in LABEL_MAPS and inner == {} and v:
                    continue  # held only the environment label
                out[key] = inner
            return out
        if isinstance(value, list):
            return _keyed([self._value(v, (*path, "[]")) for v in value])
        if isinstance(value, str):
            return self._string(value, path)
        return value

    def _string(self, text: str, path: tuple[str, ...]) -> str:
        if path and path[-1] == "namespace" and text == self.naming.namespace:
            return NAMESPACE
        if text in self.renames:
            return self.renames[text]
        if self.naming.namespace in text:
            return self._address.sub(NAMESPACE, text)
        return text


def _keyed(items: list[Any]) -> Any:
    """A list of mappings with unique `name`s (containers, env, ports, volumes) becomes {"[name]": item}."""
    names = [i.get("name") for i in items if isinstance(i, dict)]
    if items and len(names) == len(items) and all(isinstance(n, str) for n in names) and len(set(names)) == len(names):
        return {f"[{n}]": i for n, i in zip(names, items, strict=True)}
    return items


_SALT = os.urandom(16)
SECRET_PREFIX = "<secret "


def _digest(value: Any) -> str:
    """Stands for a Secret value: equal values compare equal within one run (a keyed digest with a
    per-process key, so nothing about the value can be recovered); reports show only `<secret value>`."""
    return SECRET_PREFIX + hmac.new(_SALT, str(value).encode("utf-8"), hashlib.sha256).hexdigest()[:16] + ">"


def shown(value: Any) -> Any:
    """A normalized value as a report shows it (secret digests become `<secret value>`)."""
    if isinstance(value, str) and value.startswith(SECRET_PREFIX):
        return "<secret value>"
    if isinstance(value, dict):
        if value and all(k.startswith("[") and k.endswith("]") for k in value):
            return [shown(v) for v in value.values()]  # a keyed list (see _keyed) shown as the list it was
        return {k: shown(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shown(v) for v in value]
    return value
