"""Custom resources checked against their CustomResourceDefinitions, as a cluster would check them.

The CRDs of the Flux objects the tool writes (GitRepository, OCIRepository, HelmRepository, Kustomization,
HelmRelease) and of SealedSecret ship with the package (`crds/`, copied verbatim; see `crds/SOURCE.txt`).
An object whose apiVersion the CRD does not serve, or whose content breaks the served version's
`openAPIV3Schema` (a required field missing, a duration that is not one, a wrong type), is a finding.
Relations between objects (a sourceRef or dependsOn that exists, a path that builds) are checked in
`wizard.core.validate.checks`. Messages name the object, the field path and the rule, and shorten values.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from importlib import resources
from typing import Any

import yaml

CRD_FOLDER = "crds"
_SHOWN = 60  # characters of a value a message quotes at most


@functools.cache
def _crds() -> dict[tuple[str, str], dict[str, Any]]:
    """Every shipped CRD by (group, kind)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for entry in resources.files(__package__).joinpath(CRD_FOLDER).iterdir():
        if entry.name.endswith(".yaml"):
            doc = yaml.load(entry.read_text(encoding="utf-8"), Loader=loader)  # noqa: S506 - a safe loader
            if isinstance(doc, dict) and doc.get("kind") == "CustomResourceDefinition":
                found[(doc["spec"]["group"], doc["spec"]["names"]["kind"])] = doc
    return found


def known(obj: Mapping[str, Any]) -> bool:
    """True when a CRD for the object's group and kind ships with the package."""
    group = str(obj.get("apiVersion", "")).rpartition("/")[0]
    return (group, str(obj.get("kind", ""))) in _crds()


@functools.cache
def _validator(group: str, kind: str, version: str) -> Any:
    import jsonschema  # imported on first use

    crd = _crds()[(group, kind)]
    schema = next(v["schema"]["openAPIV3Schema"] for v in crd["spec"]["versions"] if v["name"] == version)
    return jsonschema.Draft7Validator(schema)


def served_versions(group: str, kind: str) -> list[str]:
    """The versions the CRD serves."""
    return [str(v["name"]) for v in _crds()[(group, kind)]["spec"]["versions"] if v.get("served")]


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 3] + "..."


def _reason(error: Any) -> str:
    """One schema error in a sentence that never prints a long value."""
    keyword, rule = error.validator, error.validator_value
    if keyword == "required":
        return "is required"
    if keyword == "pattern":
        return f"{_shown(error.instance)} does not match {rule}"
    if keyword == "type":
        return f"{_shown(error.instance)} is not of type {rule}"
    if keyword == "enum":
        return f"{_shown(error.instance)} is not one of {', '.join(map(str, rule))}"
    if keyword in ("minimum", "maximum", "minLength", "maxLength", "minItems", "maxItems"):
        return f"{_shown(error.instance)} breaks {keyword} {rule}"
    return str(error.message)[:200]


def problems(obj: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """(field path, reason) for every way the object breaks its CRD; nothing for a kind without a shipped CRD."""
    group, _, version = str(obj.get("apiVersion", "")).rpartition("/")
    kind = str(obj.get("kind", ""))
    if (group, kind) not in _crds():
        return
    served = served_versions(group, kind)
    if version not in served:
        listed = ", ".join(f"{group}/{v}" for v in served)
        yield "apiVersion", f"{obj.get('apiVersion')} is not served for {kind} (served: {listed})"
        return
    errors = sorted(_validator(group, kind, version).iter_errors(obj), key=lambda e: [str(p) for p in e.absolute_path])
    for error in errors:
        path = ".".join(f"[{p}]" if isinstance(p, int) else str(p) for p in error.absolute_path).replace(".[", "[")
        if error.validator == "required":
            missing = next((k for k in error.validator_value if k not in (error.instance or {})), "")
            path = f"{path}.{missing}" if path else str(missing)
        yield path or "<root>", _reason(error)
