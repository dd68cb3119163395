"""`validate` for a Helm app: render every environment's release with the Helm engine and check it.

Adds findings to the kustomize checks: each environment's render (or why it could not be rendered), the
environment that runs today against today's release, and objects two releases would both install.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from wizard.core import yamlio
from wizard.core.answers.parse import Answers
from wizard.core.errors import WizardError
from wizard.core.kustomize import Build, build_overlay
from wizard.core.layout import Layout
from wizard.core.model import Finding, Level
from wizard.core.render.helmrelease import values_keys_of
from wizard.core.resolve.helmvalues import resolve_helm
from wizard.core.scan.chart import deep_merge, scan_chart
from wizard.core.validate.helmrender import (
    INSTALL_HINT,
    ChartRef,
    EnvironmentRender,
    RenderError,
    compare_with_today,
    engine,
    render_chart,
    render_release,
    shared_objects,
)


def today_chart(repo: Path, answers: Answers) -> ChartRef:
    """The chart today's release was installed from, as the answers name it."""
    helm = answers.helm
    assert helm is not None
    if not helm.remote:
        return ChartRef(repo / helm.chart_dir, helm.chart, None, helm.chart)
    location = f"{str(helm.repository).rstrip('/')}/{helm.chart}"
    return ChartRef(None, helm.chart, helm.version, location)


def render_today(repo: Path, answers: Answers, asked: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Today's release: the chart with today's values files (in `-f` order), release name and namespace.

    `asked`: values the current environment's answers set on top (what the answers ask to change).
    """
    helm = answers.helm
    current = answers.current
    assert helm is not None and current is not None
    values: dict[str, Any] = {}
    for rel in helm.values:
        values = deep_merge(values, yamlio.load((repo / rel).read_text(encoding="utf-8")) or {})
    return render_chart(today_chart(repo, answers), deep_merge(values, asked or {}), helm.release, current.namespace)


def asked_values(repo: Path, answers: Answers) -> dict[str, Any]:
    """The values the current environment's answers set (resolved as apply resolves them)."""
    assert answers.helm is not None and answers.current is not None
    resolution = resolve_helm(scan_chart(repo, answers.helm), answers)
    return resolution.environments[answers.current.name].values


def edited_copies(repo: Path, answers: Answers) -> list[str]:
    """Copies of today's values files in the base that no longer match the originals (changed since the migration)."""
    assert answers.helm is not None
    base = Layout(answers.output).base
    edited = []
    for original, key in values_keys_of(list(answers.helm.values)):
        copy, source = repo / base / "values" / key, repo / original
        if copy.is_file() and source.is_file() and copy.read_bytes() != source.read_bytes():
            edited.append(f"{base}/values/{key}")
    return edited


def check_helm(repo: Path, builds: list[Build], answers: Answers | None) -> tuple[list[EnvironmentRender], list[Finding]]:
    """Render each overlay's HelmRelease; compare the current one with today's release; look for shared objects."""
    with_release = [b for b in builds if b.ok and any(o.get("kind") == "HelmRelease" for o in b.objects)]
    if not with_release:
        return [], []
    if engine() is None:
        return [], [
            Finding(
                Level.WARNING,
                "helm-engine-missing",
                f"Charts not rendered: the Helm engine is not installed ({INSTALL_HINT}). The HelmReleases were built by "
                "kustomize only; what they install was not checked.",
            )
        ]
    renders: list[EnvironmentRender] = []
    findings: list[Finding] = []
    for b in with_release:
        if b.reused:
            b = build_overlay(repo, b.path)  # a reused build keeps only summaries: the release needs its values
        try:
            render = render_release(repo, b.path, list(b.objects))
        except RenderError as exc:
            level = Level.WARNING if "not in helm's cache" in str(exc) else Level.ERROR
            findings.append(Finding(level, "helm-render", f"not rendered: {exc}", b.path))
            continue
        if render is not None:
            renders.append(render)
            findings.append(
                Finding(
                    Level.INFO,
                    "helm-rendered",
                    f"release {render.release} in {render.namespace} renders {len(render.objects)} objects",
                    b.path,
                )
            )
    current = answers.current if answers is not None and answers.helm is not None else None
    if answers is not None and current is not None:
        overlay = Layout(answers.output).overlay(current.name)
        mine = next((r for r in renders if r.overlay == overlay), None)
        if mine is not None:
            try:
                asked = asked_values(repo, answers)
                today = render_today(repo, answers, asked)
            except (RenderError, OSError, WizardError) as exc:
                findings.append(Finding(Level.WARNING, "helm-today", f"today's release not rendered: {exc}", overlay))
            else:
                lines = compare_with_today(today, mine)
                edited = edited_copies(repo, answers)
                if lines and edited:
                    # The values were changed in the base after the migration: a difference is the point of the edit.
                    findings.append(
                        Finding(
                            Level.WARNING,
                            "helm-current-edited",
                            f"{current.name} renders differently from the release the migration started from, after edits to "
                            f"{', '.join(edited)}: " + "; ".join(lines),
                            overlay,
                        )
                    )
                elif lines:
                    findings.append(
                        Finding(
                            Level.ERROR,
                            "helm-current-differs",
                            f"{current.name} does not render today's objects{' plus what its answers ask' if asked else ''}: "
                            + "; ".join(lines),
                            overlay,
                        )
                    )
                else:
                    same = f"{current.name} renders exactly today's {len(today)} objects"
                    same += " plus what its answers ask" if asked else ""
                    findings.append(Finding(Level.INFO, "helm-current-same", same, overlay))
    findings.extend(shared_objects(renders))
    return renders, findings
