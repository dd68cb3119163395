"""The plan as Markdown (for a pull request), an indented tree, or JSON."""

from __future__ import annotations

import functools
import json
from collections import Counter
from typing import Any

import jinja2

from wizard.core.model import ChangeKind, Level, Plan
from wizard.resources import resource_dir

TEMPLATES = resource_dir("templates")


@functools.cache
def _environment() -> jinja2.Environment:
    """One per process: compiling the templates is most of a render (the loader still sees an edited template)."""
    # Templates ship inside the package data when installed; the repo folder when run from a checkout.
    loaders: list[jinja2.BaseLoader] = [jinja2.FileSystemLoader(str(TEMPLATES))]
    return jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
        undefined=jinja2.StrictUndefined,
    )


def to_markdown(plan: Plan, *, with_changes: bool = True) -> str:
    """The plan as a Markdown document (MIGRATION.md)."""
    order = [Level.ERROR, Level.WARNING, Level.INFO]
    findings = [(lvl.value, [f for f in plan.findings if f.level is lvl]) for lvl in order]
    findings = [(lvl, items) for lvl, items in findings if items]
    changes = [c for c in plan.changes if c.kind is not ChangeKind.UNCHANGED] if with_changes else []
    counts = sorted(Counter(c.kind.value for c in plan.changes).items()) if with_changes else []
    text = _environment().get_template("plan.md.j2").render(plan=plan, findings=findings, changes=changes, counts=counts)
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text.rstrip("\n") + "\n"


def to_tree(plan: Plan) -> str:
    """The plan as an indented text tree: phases, steps, commands, findings."""
    lines = [f"{plan.app}: {' -> '.join(plan.environments)}"]
    for phase in plan.phases:
        lines.append(f"├─ {phase.title}")
        for step in phase.steps:
            lines.append(f"│  ├─ {step.title}")
            lines.extend(f"│  │    $ {c}" for c in step.commands)
            lines.extend(f"│  │    file {f}" for f in step.files)
    lines.append(f"├─ Findings ({len(plan.findings)})")
    lines.extend(f"│  ├─ [{f.level.value}] {f.code}: {f.message}" for f in plan.findings)
    changed = [c for c in plan.changes if c.kind is not ChangeKind.UNCHANGED]
    lines.append(f"└─ File changes ({len(changed)} of {len(plan.changes)})")
    lines.extend(f"   ├─ {c.kind.value:<9} {c.path}" for c in plan.changes)
    return "\n".join(lines) + "\n"


def to_data(plan: Plan) -> dict[str, Any]:
    """The plan as plain data (for JSON)."""
    return {
        "app": plan.app,
        "environments": list(plan.environments),
        "phases": [
            {
                "title": p.title,
                "summary": p.summary,
                "steps": [
                    {"title": s.title, "detail": s.detail, "commands": list(s.commands), "files": list(s.files)} for s in p.steps
                ],
            }
            for p in plan.phases
        ],
        "findings": [
            {"level": f.level.value, "code": f.code, "message": f.message, "path": f.path, "environment": f.environment}
            for f in plan.findings
        ],
        "changes": [{"path": c.path, "kind": c.kind.value, "note": c.note} for c in plan.changes],
    }


def to_json(plan: Plan) -> str:
    return json.dumps(to_data(plan), indent=2, sort_keys=False) + "\n"
