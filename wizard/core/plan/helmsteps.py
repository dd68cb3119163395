"""The migration plan of a Helm app: new environments first, then helm-controller adopts today's release.

Adoption (helm.toolkit.fluxcd.io/v2, DOMAIN.md): helm-controller looks for the release `spec.releaseName` in
`spec.storageNamespace`. Both are pinned to today's release and namespace in the current environment's
overlay, so the controller upgrades that release in place (one new revision, same rendered objects, no pod
restarted) instead of installing a second copy. Deleting a HelmRelease uninstalls its release, so every
rollback here suspends, never deletes.
"""

from __future__ import annotations

from wizard.core.model import Finding, Phase, Plan, Step
from wizard.core.plan.steps import _secrets_step
from wizard.core.render.flux import kustomization_name
from wizard.core.render.helmrelease import values_keys
from wizard.core.resolve.model import Resolved


def _release(ctx: Resolved, env_name: str) -> str:
    assert ctx.helm is not None
    return ctx.helm.environments[env_name].release


def _prepare(ctx: Resolved) -> Phase:
    lay = ctx.layout
    helm = ctx.answers.helm
    assert helm is not None
    builds = tuple(f"kubectl kustomize {lay.overlay(e.name)}" for e in ctx.answers.environments)
    steps = [
        Step(
            "Review the generated layout",
            f"{lay.base}/ holds the HelmRelease and today's values files (copied verbatim under values/, passed in order "
            f"through valuesFrom); {lay.output}/overlays/<env>/ sets each environment's namespace, release name and values "
            f"on top (spec.values wins over valuesFrom); {lay.flux}/ deploys them in order. `k8s-wizard validate` renders "
            "every release with the Helm engine and checks the current one against today's release.",
            (*builds, "k8s-wizard validate"),
            (lay.base, f"{lay.output}/overlays", lay.flux),
        )
    ]
    cur = ctx.answers.current
    if cur is not None:
        steps.append(
            Step(
                "Check that today's release is the one described",
                f"{cur.name} keeps release {helm.release} in namespace {cur.namespace} with "
                f"{', '.join(helm.values) or 'the chart defaults'}. Values set with --set when it was installed are not in "
                "those files: move them into a values file first, or the take-over changes them.",
                (
                    f"helm list -n {cur.namespace} --filter '^{helm.release}$'",
                    f"helm get values {helm.release} -n {cur.namespace} -o yaml",
                ),
            )
        )
    steps.append(
        Step(
            "Open a pull request",
            "Commit the new layout on a branch; this plan is in MIGRATION.md for the review. Nothing is deployed yet.",
            (
                "git switch -c k8s-wizard/multi-env",
                f"git add {lay.output} MIGRATION.md .k8s-wizard.yaml .k8s-wizard",
                "git commit -m 'HelmRelease base, overlays and Flux'",
            ),
        )
    )
    summary = "Describe the release as a Flux HelmRelease with one overlay per environment; deploy nothing yet."
    return Phase("Prepare the base", summary, tuple(steps))


def _new_env(ctx: Resolved, index: int) -> Phase:
    env = ctx.answers.environments[index]
    lay = ctx.layout
    name = kustomization_name(ctx, env.name)
    release = _release(ctx, env.name)
    applies = [f"kubectl apply -f {lay.flux}/source.yaml"] if index == 0 else []
    applies.append(f"kubectl apply -f {lay.flux_kustomization(env.name)}")
    deploy = Step(
        f"Deploy {env.name}",
        f"Flux creates namespace {env.namespace} and the HelmRelease, and helm-controller installs release {release} "
        f"there (its own release, stored in {env.namespace})."
        + (f" It waits for {ctx.answers.environments[index - 1].name} to be healthy first." if index else ""),
        (
            "flux check",
            *applies,
            f"flux reconcile kustomization {name} --with-source",
            f"flux get helmreleases -n {env.namespace}",
            f"helm list -n {env.namespace}",
        ),
        (lay.flux_kustomization(env.name),),
    )
    rollback = Step(
        f"Roll back {env.name} if needed",
        "A new environment can be removed: deleting its HelmRelease uninstalls its own release, nothing else.",
        (f"flux suspend kustomization {name}", f"kubectl delete -f {lay.flux_kustomization(env.name)}",
         f"kubectl delete namespace {env.namespace}"),
    )
    summary = f"Stand up {env.name}: release {release} in namespace {env.namespace}."
    secrets = _secrets_step(ctx, env.name, env.namespace, current=False)
    return Phase(f"Create {env.name}", summary, (*([secrets] if secrets else []), deploy, rollback))


def _migrate_current(ctx: Resolved) -> Phase:
    cur = ctx.answers.current
    assert cur is not None
    lay = ctx.layout
    name = kustomization_name(ctx, cur.name)
    release = _release(ctx, cur.name)
    app = ctx.answers.app
    secrets = _secrets_step(ctx, cur.name, cur.namespace, current=True)
    steps = [
        *([secrets] if secrets else []),
        Step(
            "Stop upgrading the release by hand or from CI",
            f"From now on helm-controller owns release {release}: a `helm upgrade` from a script or pipeline would fight "
            "it on every reconcile. Remove or disable that step first.",
        ),
        Step(
            f"Let helm-controller adopt release {release}",
            f"The HelmRelease pins releaseName {release} and storageNamespace {cur.namespace}, where the helm CLI stored "
            "the release, so helm-controller finds it and upgrades it in place: one new revision whose objects are the ones "
            "that run today (validate checks this), so no pod restarts. Without the pin it would install a second release "
            f"called {cur.namespace}-{app}.",
            (
                *([f"kubectl apply -f {lay.flux}/source.yaml"] if ctx.answers.environments[0] is cur else []),
                f"kubectl apply -f {lay.flux_kustomization(cur.name)}",
                f"flux reconcile kustomization {name} --with-source",
                f"flux get helmreleases -n {cur.namespace}",
                f"helm history {release} -n {cur.namespace}",
            ),
            (lay.flux_kustomization(cur.name),),
        ),
        Step(
            f"Roll back {cur.name} if needed",
            "Suspend, never delete: deleting the HelmRelease (or a pruning Kustomization dropping it) uninstalls the "
            "release. Once suspended, the release is an ordinary Helm release again: roll it back or upgrade it by hand.",
            (
                f"flux suspend kustomization {name}",
                f"flux suspend helmrelease {app} -n {cur.namespace}",
                f"helm rollback {release} -n {cur.namespace}",
            ),
        ),
    ]
    return Phase(
        f"Migrate {cur.name}",
        f"Hand release {release} in {cur.namespace} over to Flux without reinstalling it.",
        tuple(steps),
    )


def _cleanup(ctx: Resolved) -> Phase:
    helm = ctx.answers.helm
    assert helm is not None
    steps: list[Step] = []
    if helm.values:
        copies = ", ".join(f"{ctx.layout.base}/values/{key}" for _, key in values_keys(ctx))
        steps.append(
            Step(
                "Edit the values in the base from now on",
                f"The cluster reads {copies} (through the values ConfigMap), not {', '.join(helm.values)}. Keep the originals "
                "as they are: k8s-wizard re-runs read them, and your edits to the copies survive re-runs.",
            )
        )
    if not helm.remote:
        steps.append(
            Step(
                f"Keep {helm.chart_dir}/",
                "The HelmRelease builds the chart from this folder in git (reconcileStrategy: Revision: every commit "
                "that changes it is a new chart artifact).",
            )
        )
    return Phase("Clean up", "After production runs from the new layout.", tuple(steps))


def build_helm_plan(ctx: Resolved, findings: list[Finding]) -> Plan:
    """The whole plan for a Helm app (file changes are attached by the pipeline)."""
    phases = [_prepare(ctx)]
    for i, env in enumerate(ctx.answers.environments):
        phases.append(_migrate_current(ctx) if env.current else _new_env(ctx, i))
    phases.append(_cleanup(ctx))
    return Plan(
        app=ctx.answers.app,
        environments=tuple(e.name for e in ctx.answers.environments),
        phases=tuple(phases),
        findings=tuple(findings),
    )
