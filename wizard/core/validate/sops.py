"""SOPS: placeholder age recipients left in `.sops.yaml` block the migration until real keys replace them."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from wizard.core import yamlio
from wizard.core.model import Finding, Level
from wizard.core.render.secretfiles import SOPS_CONFIG

_PLACEHOLDER = re.compile(r"(?i)replace")


def _recipients(rule: dict[str, Any]) -> list[str]:
    """The age recipients of one creation rule: `age:` as one comma-separated string or a list, and key_groups."""
    found: list[Any] = []
    for holder in [rule, *[g for g in rule.get("key_groups") or [] if isinstance(g, dict)]]:
        value = holder.get("age")
        found.extend(value if isinstance(value, list) else str(value).split(",") if value is not None else [])
    return [str(r).strip() for r in found if str(r).strip()]


def sops_placeholders(repo: Path) -> list[Finding]:
    """An error for each creation rule of `<repo>/.sops.yaml` whose age recipient is still a placeholder."""
    path = repo / SOPS_CONFIG
    if not path.is_file():
        return []
    try:
        docs = yamlio.load_all(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        return [Finding(Level.ERROR, "sops-config", f"not valid YAML{yamlio.error_message(exc)}", SOPS_CONFIG)]
    config = docs[0] if docs and isinstance(docs[0], dict) else {}
    findings: list[Finding] = []
    for index, rule in enumerate(config.get("creation_rules") or [], start=1):
        if not isinstance(rule, dict):
            continue
        for recipient in _recipients(rule):
            if _PLACEHOLDER.search(recipient):
                where = rule.get("path_regex", "?")
                findings.append(Finding(
                    Level.ERROR, "sops-placeholder",
                    f"creation rule {index} (path_regex {where}) still has the placeholder recipient {recipient!r}: "
                    "put the environment's age public key there (`age-keygen -y KEYFILE`) before encrypting",
                    SOPS_CONFIG,
                ))
    return findings
