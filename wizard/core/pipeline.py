"""The whole engine behind one API, shared by the command line, the Textual app and the plain mode.

scan -> answers -> resolve -> plan -> render -> preview -> write -> validate. No user interface in here.
"""

from __future__ import annotations

import functools
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from wizard.core import yamlio
from wizard.core.answers import semantic
from wizard.core.answers.parse import ANSWERS_FILE, Answers, answers_text, parse_answers, read_answers_file
from wizard.core.answers.schema import SCHEMA_FILE, schema_text
from wizard.core.errors import BlockingError, InputError, WizardError
from wizard.core.facts import candidate_facts as candidate_facts  # re-exported: the commands and tests use them here
from wizard.core.facts import detect_source as detect_source
from wizard.core.facts import facts as facts
from wizard.core.facts import source_candidates as source_candidates
from wizard.core.kustomize import Build, build_all
from wizard.core.layout import MIGRATION_FILE, STATE_FILE
from wizard.core.model import ChangeKind, FileChange, Finding, Plan
from wizard.core.plan.export import to_markdown
from wizard.core.plan.findings import analyse
from wizard.core.plan.helmfindings import HELM_RULES
from wizard.core.plan.helmsteps import build_helm_plan
from wizard.core.plan.steps import build_plan
from wizard.core.render.files import render
from wizard.core.resolve import resolve as resolve_app
from wizard.core.scan.app import scan_app, scanned_for
from wizard.core.scan.gitinfo import git_facts
from wizard.core.scan.manifests import Inventory, scan
from wizard.core.validate import placeholders
from wizard.core.validate.checks import build_findings, validate
from wizard.core.write.atomic import check_targets, write_changes
from wizard.core.write.changes import Choice, preview, settle, state_text
from wizard.core.write.merge import resolve


@dataclass(frozen=True)
class Outcome:
    """Everything a front-end shows before the write: the plan (with its file changes) and the rendered files."""

    answers: Answers
    plan: Plan
    rendered: dict[str, str]

    @property
    def changes(self) -> tuple[FileChange, ...]:
        return self.plan.changes

    @property
    def conflicts(self) -> list[FileChange]:
        return [c for c in self.plan.changes if c.kind is ChangeKind.CONFLICT]


def load_answers(repo: Path, data: Any, origin: str) -> tuple[Answers, Inventory]:
    """Validate raw answers against the repository (today's namespace, git remote), and scan the source."""
    source = data.get("source") if isinstance(data, dict) else None
    problem = semantic.source_problem(source)
    if problem is not None:  # before the scan: never read a folder the answers may not name
        raise InputError(f"{origin}: {problem[0]}: {problem[1]}")
    inventory = scan(repo, str(source).rstrip("/") if source else None)
    git = git_facts(repo)
    answers = parse_answers(
        data,
        origin,
        today_namespace=inventory.today_namespace,
        git_url=git.remote_url,
        git_branch=git.branch,
    )
    if answers.source is None:
        inventory = scan_app(repo, answers)  # a new app (the objects it will create) or a chart
    return answers, inventory


def read_answers(repo: Path, path: Path | None) -> tuple[Answers, Inventory]:
    """Answers from a file (default: the repository's .k8s-wizard.yaml)."""
    path = path or repo / ANSWERS_FILE
    data = read_answers_file(path)
    return load_answers(repo, data, str(path))


def build(repo: Path, answers: Answers, inventory: Inventory | None = None) -> Outcome:
    """Plan and render for the answers, and classify every file against what is on disk."""
    if inventory is None or not scanned_for(inventory, answers):
        inventory = scan_app(repo, answers)
    resolved = resolve_app(inventory, answers)
    rendered = render(resolved)
    if resolved.helm is not None:
        findings = analyse(resolved, HELM_RULES)
        plan = build_helm_plan(resolved, findings)
    else:
        findings = [*analyse(resolved), *placeholders.in_answers(answers)]
        plan = build_plan(resolved, findings)
    rendered[MIGRATION_FILE] = to_markdown(plan, with_changes=False)
    changes = preview(repo, rendered, bases=_answers_base(repo, inventory))
    changes = [_answers_change(c, answers, inventory) if c.path == ANSWERS_FILE else c for c in changes]
    check_targets(repo, [c.path for c in changes if c.kind is not ChangeKind.UNCHANGED])
    return Outcome(answers, replace(plan, changes=tuple(changes)), rendered)


def _normalized(text: str, origin: str, inventory: Inventory, git_url: str | None, git_branch: str | None) -> str | None:
    """An answers file's text, normalized (None when it does not load or validate)."""
    return _normalized_text(text, origin, inventory.today_namespace, git_url, git_branch)


@functools.lru_cache(maxsize=64)
def _normalized_text(
    text: str, origin: str, today_namespace: str | None, git_url: str | None, git_branch: str | None
) -> str | None:
    """`_normalized`, kept by its inputs (it reads nothing else): a process that builds again and again (the
    interview's preview, a re-run) normalizes the same answers file once."""
    try:
        data = yamlio.load(text)
        answers = parse_answers(data, origin, today_namespace=today_namespace, git_url=git_url, git_branch=git_branch)
    except (WizardError, yaml.YAMLError):
        return None
    return answers_text(answers)


def _answers_base(repo: Path, inventory: Inventory) -> dict[str, str]:
    """The merge base of the answers file: what is on disk, normalized.

    The answers file is the input as well as an output: merged against its normalized self, a comment or
    different formatting there is the user's edit (kept), only the answer changes are the tool's, and a
    hand-written file is not "a file k8s-wizard did not write". An unreadable file falls back to the record.
    """
    path = repo / ANSWERS_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return {}
    git = git_facts(repo)
    normalized = _normalized(text, str(path), inventory, git.remote_url, git.branch)
    return {ANSWERS_FILE: normalized} if normalized is not None else {}


def _answers_change(change: FileChange, answers: Answers, inventory: Inventory) -> FileChange:
    """The answers file always ends up saying exactly the answers the other files were generated from.

    Never a conflict for the user to settle (keeping theirs would make the next run generate something
    else): the user's comments and formatting are kept where the merge allows, and when the merged text
    would not mean the same answers, the normalized file is written.
    """
    new = change.generated
    if new is None or change.kind not in (ChangeKind.CHANGE, ChangeKind.CONFLICT) or change.old is None:
        return change
    text = change.new if change.kind is ChangeKind.CHANGE else resolve(change.base or "", change.old, new, "new")
    note = "your comments kept"
    if text is None or _normalized(text, ANSWERS_FILE, inventory, answers.flux_url, answers.flux_branch) != new:
        text, note = new, "rewritten: your edits there did not merge"
    kind = ChangeKind.UNCHANGED if text == change.old else ChangeKind.CHANGE
    return replace(change, kind=kind, new=text, note=note if change.old != change.base else "", conflicts=0)


def settle_conflicts(outcome: Outcome, choice: Choice, paths: set[str] | None = None) -> Outcome:
    """Resolve conflicts (all, or those in `paths`) the user's way."""
    changes = tuple(settle(c, choice) if paths is None or c.path in paths else c for c in outcome.plan.changes)
    return replace(outcome, plan=replace(outcome.plan, changes=changes))


def write(repo: Path, outcome: Outcome) -> list[str]:
    """Write the outcome's changes and the record of what was generated (all or nothing)."""
    record = {c.path: c.generated for c in outcome.plan.changes if c.generated is not None}
    # The record and the schema the answers file points editors at are bookkeeping, not one of the files.
    extra = {STATE_FILE: state_text(record), SCHEMA_FILE: schema_text()}
    written = write_changes(repo, list(outcome.plan.changes), extra=extra)
    return [path for path in written if path not in extra]


def lay_out(repo: Path, outcome: Outcome, target: Path) -> None:
    """Lay the output folder out under `target` as a write of `outcome` would leave it (the repo is not touched)."""
    output = outcome.answers.output
    if (repo / output).is_dir():
        shutil.copytree(repo / output, target / output, symlinks=True)
    for change in outcome.plan.changes:
        if not change.path.startswith(f"{output}/"):
            continue
        path = target / change.path
        if change.new is None:
            path.unlink(missing_ok=True)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(change.new, encoding="utf-8")


def check_outcome(
    repo: Path, outcome: Outcome, on_done: Callable[[Build], None] | None = None
) -> tuple[list[Build], list[Finding]]:
    """Build every overlay as the write would leave it, in a temporary copy: the repository is not touched.

    The preview uses it to show, before anything is written, that the real kustomize builds the result.
    """
    with tempfile.TemporaryDirectory(prefix="k8s-wizard-preview-") as tmp:
        target = Path(tmp)
        lay_out(repo, outcome, target)
        return validate(target, outcome.answers.output, on_done=on_done)


BUILD_ERRORS = frozenset({"build-failed", "build-warning"})
"""The findings of `check_outcome` that mean an overlay does not build (cleanly): the write is refused.

Other findings of the check (a SealedSecret sealed for a namespace the answers just changed, say) are for
`validate` to report: they are why a change is made, not a reason to refuse it.
"""


def output_unchanged(outcome: Outcome) -> bool:
    """True when the write leaves every file of the output folder as it is on disk (a re-run with nothing to do
    there): the output folder in the repository is then exactly what the write would leave."""
    prefix = f"{outcome.answers.output}/"
    return all(c.new == c.old for c in outcome.plan.changes if c.path.startswith(prefix))


def build_errors(
    repo: Path, outcome: Outcome, on_done: Callable[[Build], None] | None = None
) -> tuple[list[Build], list[Finding]]:
    """Every overlay built as the write would leave it, and the findings saying one does not build (cleanly): then
    nothing may be written.

    Only the builds are needed for that (the findings of `check_outcome` outside `BUILD_ERRORS` never refuse a
    write), so the other checks are not run. When the write leaves the output folder as it is, the overlays are
    built where they are (kustomize only reads); else in a temporary copy laid out as the write would leave it.
    """
    output = outcome.answers.output
    if output_unchanged(outcome):
        builds = build_all(repo, output, on_done)
    else:
        with tempfile.TemporaryDirectory(prefix="k8s-wizard-preview-") as tmp:
            target = Path(tmp)
            lay_out(repo, outcome, target)
            builds = build_all(target, output, on_done)
    return builds, [f for f in build_findings(builds) if f.code in BUILD_ERRORS]


def refuse_unbuildable(repo: Path, outcome: Outcome) -> None:
    """Raise BlockingError (exit 1, nothing written) when an overlay of the would-be output does not build."""
    _, errors = build_errors(repo, outcome)
    if errors:
        detail = "; ".join(f"{f.path or f.code}: {f.message}" for f in errors[:3])
        raise BlockingError(f"{len(errors)} overlay build error(s), nothing written: {detail}")
