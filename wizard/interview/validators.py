"""Named validators for interview answers, each `(str) -> (ok, message)`.

The prompts file names them (`validate: [dns_label]`, `validate: [{int_range: [0, 100]}]`);
`validator()` turns such a spec into the callable. Messages say what is wrong and what would be right.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import PurePosixPath
from typing import Any

from wizard.core.answers import schema
from wizard.core.answers.patterns import (
    CONFIG_KEY,
    DNS_LABEL,
    DNS_LABEL_MAX,
    GIT_URL,
    HOST_NAME,
    HOST_NAME_MAX,
    HTTP_PATH,
    IMAGE_REFERENCE,
    IMAGE_TAG,
    QUANTITY,
)

Validator = Callable[[str], tuple[bool, str]]
"""A check on one value as text: (True, "") when fine, else (False, a message for the person)."""

OK: tuple[bool, str] = (True, "")

# The patterns and limits are those of the answers schema (wizard/core/answers/schema.json), so the interview
# refuses exactly what `apply` would refuse; the messages here add hints for a person typing.
_SCP_LIKE = re.compile(r"^[\w.-]+@[\w.-]+:(?!//)\S+$")


def dns_label(value: str) -> tuple[bool, str]:
    """A Kubernetes name such as a namespace or environment name (RFC 1123 label)."""
    if not value:
        return False, "A name is needed."
    if len(value) > DNS_LABEL_MAX:
        return False, f"{value!r} is {len(value)} characters long: a name has at most {DNS_LABEL_MAX}."
    if not DNS_LABEL.match(value):
        hint = " (lower case only)" if value.lower() != value and DNS_LABEL.match(value.lower()) else ""
        return False, (
            f"{value!r} is not a valid name{hint}: use lower-case letters, digits and '-', "
            "starting and ending with a letter or digit."
        )
    return OK


def host(value: str) -> tuple[bool, str]:
    """A host name for an Ingress rule: `shop.example.com`, or a wildcard `*.example.com`."""
    if "://" in value or "/" in value:
        return False, f"{value!r} is a URL: give the host name only, like shop.example.com."
    if ":" in value:
        return False, f"{value!r} has a port: an Ingress host is the name only."
    name = value[2:] if value.startswith("*.") else value
    if not name or len(value) > HOST_NAME_MAX:
        return False, "A host name is needed, like staging.example.com."
    long = next((label for label in name.split(".") if len(label) > 63), None)
    if long is not None:
        return False, f"{value!r} is not a host name: the part {long[:12]}... is {len(long)} characters long, at most 63."
    if not HOST_NAME.match(value):
        return False, f"{value!r} is not a host name: lower-case letters, digits, '-' and dots, like staging.example.com."
    return OK


def quantity(value: str) -> tuple[bool, str]:
    """A Kubernetes quantity: `100m`, `0.5`, `128Mi`, `1Gi`."""
    if QUANTITY.match(value):
        return OK
    hint = " (Kubernetes writes MiB as Mi)" if re.search(r"[KMGTPE]i?B$", value) else ""
    return False, f"{value!r} is not a Kubernetes quantity{hint}: like 100m or 0.5 for CPU, 128Mi or 1Gi for memory."


def resource_name(value: str) -> tuple[bool, str]:
    """A container resource name: cpu, memory or ephemeral-storage."""
    if value in ("cpu", "memory", "ephemeral-storage"):
        return OK
    return False, f"{value!r} is not a resource: use cpu, memory or ephemeral-storage."


def int_range(low: int, high: int) -> Validator:
    """A whole number from `low` to `high` inclusive."""

    def check(value: str) -> tuple[bool, str]:
        if not re.fullmatch(r"-?\d+", value.strip()):
            return False, f"{value!r} is not a whole number."
        number = int(value)
        if not low <= number <= high:
            return False, f"{number} is out of range: give a number from {low} to {high}."
        return OK

    return check


def git_url(value: str) -> tuple[bool, str]:
    """A URL Flux can clone: https://, http:// or ssh:// (Flux does not read scp-like git@host:path)."""
    if _SCP_LIKE.match(value):
        user_host, _, path = value.partition(":")
        return False, f"Flux needs an ssh:// URL: write ssh://{user_host}/{path} instead of {value!r}."
    if not GIT_URL.match(value):
        return False, f"{value!r} is not a git URL Flux can use: https://host/org/repo.git or ssh://git@host/org/repo.git."
    return OK


def url(value: str) -> tuple[bool, str]:
    """An http(s) URL."""
    if re.match(r"^https?://[^\s/]+(/\S*)?$", value):
        return OK
    return False, f"{value!r} is not an http(s) URL."


def git_ref(value: str) -> tuple[bool, str]:
    """A branch name git accepts (`git check-ref-format --branch`, the common rules)."""
    if schema.refusal("gitBranch", value) is not None:
        return False, f"{value!r} is not a branch name git accepts."
    return OK


def path(value: str) -> tuple[bool, str]:
    """A folder inside the repository: relative, forward slashes, no '..'."""
    if not value.strip():
        return False, "A folder is needed, like k8s."
    if value.startswith("/") or re.match(r"^[A-Za-z]:[\\/]", value):
        return False, f"{value!r} is absolute: give a folder inside the repository, like k8s."
    if "\\" in value:
        return False, f"{value!r}: use '/' between folders."
    if ".." in PurePosixPath(value).parts:
        return False, f"{value!r} leaves the repository: give a folder inside it."
    if schema.refusal("relativePath", value) is not None:
        return False, f"{value!r} is not a folder inside the repository, like k8s."
    return OK


def image(value: str) -> tuple[bool, str]:
    """A container image reference: `ghcr.io/org/app:1.2.3`."""
    if IMAGE_REFERENCE.match(value):
        return OK
    return False, f"{value!r} is not an image reference, like ghcr.io/org/app:1.0.0."


def image_tag(value: str) -> tuple[bool, str]:
    """An image tag: letters, digits, '_', '.', '-', at most 128."""
    if IMAGE_TAG.match(value):
        return OK
    return False, f"{value!r} is not an image tag: letters, digits, '_', '.' and '-', like v1.2.3."


def config_key(value: str) -> tuple[bool, str]:
    """A ConfigMap key: letters, digits, '-', '_' and '.'."""
    if CONFIG_KEY.match(value):
        return OK
    return False, f"{value!r} is not a ConfigMap key: letters, digits, '-', '_' and '.', like LOG_LEVEL."


def http_path(value: str) -> tuple[bool, str]:
    """An HTTP path for a probe (the answers schema's httpPath): starts with '/', like /healthz."""
    if HTTP_PATH.match(value) and not re.search(r"\s", value):
        return OK
    return False, f"{value!r} is not an HTTP path: it starts with /, like /healthz."


def _schema_range(name: str, what: str) -> Validator:
    """A whole number within the schema definition's minimum and maximum."""
    low, high = schema.limits(name)
    within = int_range(low, high)

    def check(value: str) -> tuple[bool, str]:
        ok, message = within(value)
        return (ok, message.replace("give a number", f"give {what}")) if not ok else OK

    check.__doc__ = f"{what.capitalize()}: a whole number from {low} to {high} (the answers schema's {name})."
    return check


replicas = _schema_range("replicaCount", "a replica count")
port = _schema_range("port", "a port")


VALIDATORS: dict[str, Callable[..., Validator] | Validator] = {
    "http_path": http_path,
    "replicas": replicas,
    "port": port,
    "dns_label": dns_label,
    "host": host,
    "quantity": quantity,
    "resource_name": resource_name,
    "int_range": int_range,
    "git_url": git_url,
    "url": url,
    "git_ref": git_ref,
    "path": path,
    "image": image,
    "image_tag": image_tag,
    "config_key": config_key,
}
"""Every validator the prompts file may name. `int_range` takes arguments ([low, high])."""

_FACTORIES = {"int_range"}


def validator(spec: Any) -> Validator:
    """The validator a prompts-file spec names: `"host"` or `{"int_range": [1, 65535]}`.

    Raises ValueError (with the reason) for an unknown name or wrong arguments.
    """
    if isinstance(spec, str):
        if spec not in VALIDATORS:
            raise ValueError(f"unknown validator {spec!r} (known: {', '.join(sorted(VALIDATORS))})")
        if spec in _FACTORIES:
            raise ValueError(f"validator {spec!r} needs arguments, like {{{spec}: [0, 100]}}")
        return VALIDATORS[spec]  # type: ignore[return-value]
    if isinstance(spec, dict) and len(spec) == 1:
        ((name, args),) = spec.items()
        if name not in _FACTORIES:
            raise ValueError(f"validator {name!r} takes no arguments" if name in VALIDATORS else f"unknown validator {name!r}")
        if not isinstance(args, list) or not all(isinstance(a, int) and not isinstance(a, bool) for a in args):
            raise ValueError(f"validator {name!r} takes a list of whole numbers")
        try:
            return VALIDATORS[name](*args)  # type: ignore[return-value]
        except TypeError as exc:
            raise ValueError(f"validator {name!r}: {exc}") from None
    raise ValueError(f"a validator is a name or {{name: [args]}}, not {spec!r}")
