"""Render every file of the new layout from the resolved model: {path: text}, nothing written."""

from __future__ import annotations

from wizard.core.answers.parse import answers_text
from wizard.core.render.base import render_base
from wizard.core.render.flux import render_flux
from wizard.core.render.helmrelease import render_helm_base, render_helm_overlay
from wizard.core.render.images import image_plan
from wizard.core.render.overlay import render_overlay
from wizard.core.render.secretfiles import render_secret_scripts
from wizard.core.render.workflow import render_workflows
from wizard.core.resolve.model import Resolved


def render_helm(resolved: Resolved) -> dict[str, str]:
    """A Helm app's base and overlays."""
    files = render_helm_base(resolved)
    for env in resolved.answers.environments:
        files.update(render_helm_overlay(resolved, env))
    return files


def render_manifests(resolved: Resolved) -> dict[str, str]:
    """An app of plain objects (today's, or the ones a new app creates): the base and one overlay per environment."""
    files, current_only = render_base(resolved)
    images = image_plan(resolved)
    for settings in resolved.environments:
        files.update(render_overlay(resolved, settings, current_only, images))
    return files


def render(resolved: Resolved) -> dict[str, str]:
    """The generated files (MIGRATION.md is added by the pipeline once the plan exists)."""
    files = render_helm(resolved) if resolved.helm is not None else render_manifests(resolved)
    files.update(render_flux(resolved))
    files.update(render_secret_scripts(resolved))
    files.update(render_workflows(resolved))
    files[".k8s-wizard.yaml"] = answers_text(resolved.answers)
    return files
