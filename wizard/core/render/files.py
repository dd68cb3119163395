"""Render every file of the new layout from the scan and the answers: {path: text}, nothing written."""

from __future__ import annotations

from wizard.core.answers.parse import answers_text
from wizard.core.render.base import render_base
from wizard.core.render.flux import render_flux
from wizard.core.render.helmrelease import render_helm_base, render_helm_overlay
from wizard.core.render.newapp import render_new_app
from wizard.core.render.overlay import render_overlay
from wizard.core.render.secretfiles import render_secret_scripts
from wizard.core.render.workflow import render_workflows
from wizard.core.resolve.context import Context


def render_helm(ctx: Context) -> dict[str, str]:
    """A Helm app's base and overlays."""
    files = render_helm_base(ctx)
    for env in ctx.answers.environments:
        files.update(render_helm_overlay(ctx, env))
    return files


def render(ctx: Context) -> dict[str, str]:
    """The generated files (MIGRATION.md is added by the pipeline once the plan exists)."""
    files: dict[str, str] = {}
    if ctx.answers.helm is not None:
        files.update(render_helm(ctx))
    else:
        if ctx.answers.new_app is not None:
            files.update(render_new_app(ctx.answers, ctx.layout.base))
            current_only = ""
        else:
            base_files, current_only = render_base(ctx)
            files.update(base_files)
        for env in ctx.answers.environments:
            files.update(render_overlay(ctx, env, current_only))
    files.update(render_flux(ctx))
    files.update(render_secret_scripts(ctx))
    files.update(render_workflows(ctx))
    files[".k8s-wizard.yaml"] = answers_text(ctx.answers)
    return files
