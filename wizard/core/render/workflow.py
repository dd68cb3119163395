"""The GitHub Actions workflows: validate every overlay on pull requests, promote image tags."""

from __future__ import annotations

import textwrap
from typing import Any

from wizard import __version__
from wizard.core import yamlio
from wizard.core.answers.helm import split_path
from wizard.core.layout import HEADER, WORKFLOW_DIR
from wizard.core.render.images import IMAGES_FILE, image_plan
from wizard.core.resolve.model import Resolved


def _validate(ctx: Resolved) -> dict[str, Any]:
    out = ctx.layout.output
    steps: list[dict[str, Any]] = [{"uses": "actions/checkout@v4"}]
    for env in ctx.answers.environments:
        steps.append(
            {
                "name": f"Build {env.name}",
                "run": f"kubectl kustomize {ctx.layout.overlay(env.name)} > /dev/null",
            }
        )
    if not ctx.answers.multi_cluster:  # clusters/<cluster>/ has no kustomization.yaml (flux bootstrap adds flux-system/)
        steps.append({"name": "Build Flux objects", "run": f"kubectl kustomize {ctx.layout.flux} > /dev/null"})
    return {
        "name": "k8s-wizard validate",
        "on": {"pull_request": {"paths": [f"{out}/**"]}},
        "permissions": {"contents": "read"},
        "jobs": {"build": {"runs-on": "ubuntu-latest", "steps": steps}},
    }


COPY_REFERENCES_AWK = r"""function image_name(ref,   n, at, last, colon) {
  n = ref
  at = index(n, "@")
  if (at) n = substr(n, 1, at - 1)
  last = n
  sub(/.*\//, "", last)
  colon = index(last, ":")
  if (colon) n = substr(n, 1, length(n) - length(last) + colon - 1)
  return n
}
function image_line(line) {
  if (!match(line, /^[ \t]*(-[ \t]+)?image:[ \t]*/)) return 0
  PREFIX = substr(line, 1, RLENGTH)
  REF = substr(line, RLENGTH + 1)
  REST = ""
  if (match(REF, /[ \t]+#/)) { REST = substr(REF, RSTART); REF = substr(REF, 1, RSTART - 1) }
  sub(/[ \t]+$/, "", REF)
  if (REF ~ /^".*"$/ || REF ~ /^\047.*\047$/) REF = substr(REF, 2, length(REF) - 2)
  return REF != ""
}
FILENAME == ARGV[1] {
  if (image_line($0)) {
    n = image_name(REF)
    if ((n in ref) && ref[n] != REF) twice[n] = ref[n] " and " REF
    ref[n] = REF
  }
  next
}
image_line($0) && (image_name(REF) in ref) {
  n = image_name(REF)
  if (n in twice) {
    print "promote: " ARGV[1] " runs " n " as " twice[n] ": make them one, then promote again" > "/dev/stderr"
    failed = 1
    exit 1
  }
  print PREFIX ref[n] REST
  next
}
{ print }
END { if (failed) exit 1 }
"""
"""POSIX awk (mawk and gawk): every `image:` line of the second file (the target's patches/images.yaml) whose
image name (no tag or digest, as an `images:` entry matches; kinds.image_name) the first file also runs takes
the first file's reference; every other line is kept as it is. Stops (exit 1) when the first file runs one
image name under two references: which one to promote is the user's call."""


def _copy_references(ctx: Resolved) -> str:
    """Shell lines that copy the image references of $from's patches/images.yaml into $TARGET's (many images)."""
    if not image_plan(ctx).patched:
        return ""
    return (
        f'src_images="{ctx.layout.output}/overlays/$from/{IMAGES_FILE}"\n'
        f'dst_images="{ctx.layout.output}/overlays/$TARGET/{IMAGES_FILE}"\n'
        "# Many images: their references are in patches/images.yaml. Each image the previous environment runs\n"
        "# takes its reference there (matched by image name, as an images: entry matches); a workload the\n"
        "# previous environment does not run keeps its own, and nothing is added for one the target does not run.\n"
        'if [ -f "$src_images" ] && [ -f "$dst_images" ]; then\n'
        f"  awk '\n{textwrap.indent(COPY_REFERENCES_AWK, '    ')}  ' \"$src_images\" \"$dst_images\""
        ' > "$RUNNER_TEMP/images.yaml"\n'
        '  cp "$RUNNER_TEMP/images.yaml" "$dst_images"\n'
        "fi\n"
    )


def _copy_tags(ctx: Resolved) -> str:
    """Shell lines that copy the image tags of environment $from into $TARGET's overlay."""
    if ctx.helm is None:
        return (
            f'src="{ctx.layout.output}/overlays/$from/kustomization.yaml"\n'
            f'dst="{ctx.layout.output}/overlays/$TARGET/kustomization.yaml"\n'
            "# Copy the image tags that run in the previous environment (mikefarah yq is on GitHub runners).\n"
            'yq -i ".images = load(\\"$src\\").images" "$dst"\n'
            'yq -i "del(.images | select(. == null))" "$dst"\n'
        ) + _copy_references(ctx)
    path = ctx.helm.paths.get("image_tag")
    if path is None:
        return "# The chart has no image tag value (helm.paths.image_tag): nothing to copy.\n"
    expr = ".spec.values" + "".join(f"[{p}]" if isinstance(p, int) else f'["{p}"]' for p in split_path(path))
    return (
        f'src="{ctx.layout.output}/overlays/$from/patches/helmrelease.yaml"\n'
        f'dst="{ctx.layout.output}/overlays/$TARGET/patches/helmrelease.yaml"\n'
        f"# Copy the chart's image tag ({path}) that runs in the previous environment (mikefarah yq is on GitHub runners);\n"
        "# none set there means today's values, so the override is removed here too.\n"
        f"tag=$(yq '{expr} // \"\"' \"$src\")\n"
        f'if [ -n "$tag" ]; then TAG="$tag" yq -i \'{expr} = strenv(TAG)\' "$dst"; else yq -i \'del({expr})\' "$dst"; fi\n'
    )


_PIP_SPEC = f"k8s-wizard=={__version__}"
"""What the promotion workflow installs for `k8s-wizard diff`."""


def _promote(ctx: Resolved) -> dict[str, Any]:
    envs = [e.name for e in ctx.answers.environments]
    targets = envs[1:]
    previous = {envs[i + 1]: envs[i] for i in range(len(envs) - 1)}
    case = "\n".join(f"  {t}) from={p} ;;" for t, p in previous.items())
    script = (
        "set -euo pipefail\n"
        'case "$TARGET" in\n'
        f"{case}\n"
        '  *) echo "unknown environment $TARGET" >&2; exit 1 ;;\n'
        "esac\n"
    ) + _copy_tags(ctx) + (
        'git diff --quiet && { echo "nothing to promote"; exit 0; }\n'
        "# What else differs between the two environments: unexplained drift (exit 1) makes the pull request a draft.\n"
        'report="$RUNNER_TEMP/drift.md"\n'
        "if command -v k8s-wizard >/dev/null; then\n"
        '  drift=0; k8s-wizard diff "$from" "$TARGET" --format markdown > "$report" || drift=$?\n'
        '  [ "$drift" -le 1 ] || exit "$drift"\n'
        "else\n"
        "  # Not checked is not clean: without the report the pull request stays a draft.\n"
        '  drift=1; printf \'No drift report: k8s-wizard could not be installed (%s).\\n\' "$K8S_WIZARD" > "$report"\n'
        "fi\n"
        'branch="promote/$from-to-$TARGET-$GITHUB_RUN_ID"\n'
        'git config user.name "github-actions[bot]"\n'
        'git config user.email "41898282+github-actions[bot]@users.noreply.github.com"\n'
        'git switch -c "$branch"\n'
        'git commit -am "Promote $from images to $TARGET"\n'
        'git push origin "$branch"\n'
        'draft=""; [ "$drift" -eq 0 ] || draft="--draft"\n'
        'gh pr create $draft --title "Promote $from images to $TARGET" --body-file "$report" '
        '--base "$GITHUB_REF_NAME" --head "$branch"\n'
    )
    return {
        "name": "k8s-wizard promote",
        "on": {
            "workflow_dispatch": {
                "inputs": {
                    "environment": {
                        "description": "Environment to promote to (it takes the image tags of the one before it)"
                        + (
                            "; across clusters Flux cannot wait, so run it once the one before it is healthy on its cluster"
                            if ctx.answers.multi_cluster
                            else ""
                        ),
                        "type": "choice",
                        "options": targets,
                        "required": True,
                    }
                }
            }
        },
        "permissions": {"contents": "write", "pull-requests": "write"},
        "jobs": {
            "promote": {
                "runs-on": "ubuntu-latest",
                "steps": [
                    {"uses": "actions/checkout@v4"},
                    {
                        # k8s-wizard may not be on the runner's package index: without it the pull request opens as a
                        # draft that says the drift report is missing.
                        "name": "Install k8s-wizard for the drift report (K8S_WIZARD: a version, git URL or wheel)",
                        "env": {"K8S_WIZARD": _PIP_SPEC},
                        "run": 'pip install "$K8S_WIZARD" || echo "::warning::could not install $K8S_WIZARD: no drift report"',
                    },
                    {
                        "name": "Open a promotion pull request",
                        "env": {
                            "TARGET": "${{ inputs.environment }}",
                            "GH_TOKEN": "${{ github.token }}",
                            "K8S_WIZARD": _PIP_SPEC,
                        },
                        "run": script,
                    },
                ],
            }
        },
    }


def render_workflows(ctx: Resolved) -> dict[str, str]:
    """Workflow files when `ci: github-actions` (promotion needs at least two environments)."""
    if ctx.answers.ci != "github-actions":
        return {}
    files = {f"{WORKFLOW_DIR}/k8s-wizard-validate.yaml": yamlio.dump(_validate(ctx), header=HEADER)}
    if len(ctx.answers.environments) > 1:
        files[f"{WORKFLOW_DIR}/k8s-wizard-promote.yaml"] = yamlio.dump(
            _promote(ctx), header=HEADER + "\nPromotion = a pull request that copies image tags one environment up."
        )
    return files
