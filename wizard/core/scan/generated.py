"""The names today's secretGenerators give their Secrets: `<name>-<hash>`, as the real kustomize builds them.

Today's pod templates reference those hashed names. The base drops the generator (its values are plaintext
in git), so the environment that runs today must keep referencing the same names, or every workload that
uses them rolls out. The hash depends on the values, so it is read from a real build of today's source, and
only the names are kept: no value leaves this module.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from wizard.core.kustomize import build_overlay, find_kustomize
from wizard.core.scan.manifests import Inventory

_HASH = re.compile(r"-[a-z0-9]{10}$")


def _hash_disabled(data: dict[str, Any], generator: dict[str, Any]) -> bool:
    """`disableNameSuffixHash` of the generator's options, else of the kustomization's generatorOptions."""
    options = generator.get("options") if isinstance(generator.get("options"), dict) else {}
    general = data.get("generatorOptions") if isinstance(data.get("generatorOptions"), dict) else {}
    return bool((options or {}).get("disableNameSuffixHash", (general or {}).get("disableNameSuffixHash", False)))


def todays_generated_secrets(inventory: Inventory) -> dict[str, str] | None:
    """{generator name: the Secret name today's build gives it}; {} without generators, None when unknown.

    Unknown means kustomize is not installed or today's source does not build here (a remote base, say).
    Built once per inventory (cached).
    """
    hit, value = inventory._cached("todays_generated_secrets")
    if not hit:
        value = inventory._cache["todays_generated_secrets"] = _read(inventory.repo, inventory)
    return dict(value) if value is not None else None


def _read(repo: Path, inventory: Inventory) -> dict[str, str] | None:
    adopted = inventory.adopted
    if adopted is None or not adopted.generated_secrets or inventory.source is None:
        return {}
    data = adopted.data
    wanted: dict[str, str] = {}
    for gen in data.get("secretGenerator") or []:
        if isinstance(gen, dict) and gen.get("name") and not _hash_disabled(data, gen):
            name = str(gen["name"])
            wanted[name] = f"{data.get('namePrefix') or ''}{name}{data.get('nameSuffix') or ''}"
    if not wanted:
        return {}
    command = find_kustomize()
    if command is None:
        return None
    result = build_overlay(repo, inventory.source, command)
    if not result.ok:
        return None
    built = {
        str((o.get("metadata") or {}).get("name"))
        for o in result.objects
        if o.get("kind") == "Secret"
    }
    found: dict[str, str] = {}
    for name, stem in wanted.items():
        match = sorted(b for b in built if b.startswith(stem) and _HASH.fullmatch(b[len(stem):]))
        if len(match) != 1:
            return None
        found[name] = match[0]
    return found
