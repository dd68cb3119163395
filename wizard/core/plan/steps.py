"""The migration plan: phases, steps with exact commands, and rollback.

Order matters: the base first, then each new environment in promotion order, then the environment
that runs today (taken over in place, nothing restarted), and the clean-up last, in its own commit,
because deleting the old folder in the same commit lets a pruning Kustomization delete production.
"""

from __future__ import annotations

from wizard.core.kinds import SCALABLE
from wizard.core.model import Finding, Phase, Plan, Step
from wizard.core.plan.differences import current_changes, fill_instruction, pod_template_changes, shared_address
from wizard.core.plan.shell import git_add, remove_source, rollback_apply, sops_age_secret
from wizard.core.render.flux import kustomization_name
from wizard.core.render.secretfiles import secret_map
from wizard.core.resolve.model import Resolved, ServiceChoice
from wizard.core.secrets.commands import existing_secret_commands
from wizard.core.secrets.sealing import Scope


def _flux_folders(ctx: Resolved) -> tuple[str, ...]:
    """flux/, or one clusters/<cluster>/ per cluster."""
    lay = ctx.layout
    return tuple(lay.cluster_folder(c) for c in ctx.answers.clusters) if lay.multi_cluster else (lay.flux,)


def _first_on_its_cluster(ctx: Resolved, index: int) -> bool:
    """The environment is the first (in promotion order) that Flux deploys from its folder: it applies the source."""
    env = ctx.answers.environments[index]
    return index == 0 or (ctx.layout.multi_cluster and all(e.cluster != env.cluster for e in ctx.answers.environments[:index]))


def _on_cluster(ctx: Resolved, env_cluster: str | None) -> str:
    return f" (cluster {env_cluster})" if ctx.layout.multi_cluster and env_cluster else ""


def _prepare(ctx: Resolved) -> Phase:
    lay = ctx.layout
    builds = tuple(f"kubectl kustomize {lay.overlay(e.name)}" for e in ctx.answers.environments)
    deploys = f"{lay.flux}/ deploys them in order."
    if lay.multi_cluster:
        deploys = (
            f"{lay.output}/clusters/<cluster>/ deploys them, one folder per cluster (`flux bootstrap --path` it); "
            "environments on one cluster deploy in order, and promotion to another cluster is a pull request "
            "(the promotion workflow)."
        )
    steps = [
        Step(
            "Review the generated layout",
            (
                f"{lay.base}/ holds the app's manifests (what every environment runs); "
                if ctx.first_deployment
                else f"{lay.base}/ holds today's manifests unchanged; "
            )
            + f"{lay.output}/overlays/<env>/ holds only what differs per environment; {deploys}",
            builds + ("k8s-wizard validate",),
            (lay.base, f"{lay.output}/overlays", *_flux_folders(ctx)),
        ),
    ]
    if ctx.answers.current is not None:
        cur = ctx.answers.current
        changes = current_changes(ctx, ctx.settings(cur))
        if changes:
            template = pod_template_changes(ctx, ctx.settings(cur))
            detail = (
                "Besides the environment labels on object metadata, the differences should be exactly what the answers "
                f"ask for {cur.name}: {'; '.join(changes)}. No selector changes"
                + ("." if template else ", no pod template or image changes.")
            )
        else:
            detail = (
                "The only differences should be the environment labels on object metadata: no selector, pod template, "
                "image or replica count changes."
            )
        steps.append(Step(
            f"Compare {cur.name}'s build with what runs today",
            detail,
            (f"kubectl diff -k {lay.overlay(cur.name)}",),
        ))
    steps.append(Step(
        "Open a pull request",
        "Commit the new layout on a branch; this plan is in MIGRATION.md for the review. Nothing is deployed yet.",
        (
            "git switch -c k8s-wizard/multi-env",
            git_add(ctx),
            "git commit -m 'Kustomize base, overlays and Flux'",
        ),
    ))
    if ctx.first_deployment:
        return Phase("Prepare the layout", "A Kustomize base, one overlay per environment and Flux; deploy nothing yet.",
                     tuple(steps))
    return Phase("Prepare the base", "Restructure into a Kustomize base and overlays; deploy nothing yet.", tuple(steps))


def _secrets_inventory(ctx: Resolved, env_name: str, namespace: str) -> str:
    """The Secrets an environment needs: each key and the workloads that use it (names only)."""
    users = ctx.app.key_users
    parts = []
    env = ctx.answers.environment(env_name)
    for need in ctx.app.secret_needs:
        keys = "; ".join(f"{k} ({', '.join(u) or 'no workload'})" for k, u in users.get(need.name, {}).items())
        whole = "keys unknown (used whole by " + (", ".join(need.users) or "-") + ")"
        parts.append(f"{ctx.secret_name(env, need.name)}: {keys or whole}")
    return f"Secrets {env_name} needs in {namespace}: " + " | ".join(parts) + ". "


def _secrets_step(ctx: Resolved, env_name: str, namespace: str, current: bool, cluster: str | None = None) -> Step | None:
    secrets = secret_map(ctx, ctx.answers.environment(env_name))
    provider = ctx.answers.secrets.provider
    if not secrets or provider == "none":
        return None
    inventory = _secrets_inventory(ctx, env_name, namespace)
    overlay = ctx.layout.overlay(env_name)
    cfg = ctx.answers.secrets
    if provider == "sops":
        return Step(
            f"Encrypt {env_name}'s secrets with SOPS",
            inventory + f"Replace the age recipient for {env_name} in .sops.yaml, then type each value when asked "
            "(it is not echoed and never touches disk unencrypted). Flux decrypts with the age private key in the Secret "
            "sops-age in flux-system: create it once per cluster from your key file (SOPS_AGE_KEY_FILE, the file sops "
            "itself reads; it holds every environment's key when they differ).",
            (
                *([sops_age_secret()] if env_name == ctx.answers.environments[0].name else []),
                f"bash {overlay}/encrypt-secrets.sh",
                "k8s-wizard apply",
            ),
            (f"{overlay}/secrets/",),
        )
    if current:
        commands = existing_secret_commands(
            namespace=namespace, secret_names=sorted(secrets), output_dir=f"{overlay}/secrets",
            controller_name=cfg.controller_name, controller_namespace=cfg.controller_namespace,
            scope=Scope(cfg.scope), cert=cfg.cert_for(cluster),
        )
        lines = tuple(line for line in commands.splitlines() if line and not line.startswith("#")) + ("k8s-wizard apply",)
        return Step(
            f"Seal {env_name}'s secrets from the cluster",
            inventory + "The values that run today are piped from the cluster straight into kubeseal: they never touch disk. "
            "The managed annotation lets the controller take over the existing Secrets without recreating them.",
            lines,
            (f"{overlay}/secrets/",),
        )
    own_cert = cfg.cert_for(cluster)
    cert = f" --cert {own_cert}" if own_cert else " --cert pub-cert.pem"
    return Step(
        f"Seal {env_name}'s secrets",
        inventory
        + (f"Seal with cluster {cluster}'s certificate: a SealedSecret opens only on the cluster whose key sealed it. "
           if ctx.layout.multi_cluster and cluster else "")
        + "Either seal offline with the controller's certificate (`kubeseal --fetch-cert`): k8s-wizard asks "
        "for each value without echo and lists the sealed file in the overlay; or run the script, which pipes each "
        "value to kubeseal, and then re-run apply so the overlay lists the sealed files.",
        (
            f"k8s-wizard seal {env_name}{cert}",
            "# or, with kubeseal and access to the cluster:",
            f"bash {overlay}/seal-secrets.sh && k8s-wizard apply",
        ),
        (f"{overlay}/secrets/",),
    )


def _service_step(ctx: Resolved, index: int, service: ServiceChoice) -> Step:
    """A shared or external backing service: what leaves the build, and where its address must go."""
    settings = ctx.environments[index]
    removed = ", ".join(f"{kind}/{name}" for kind, name in service.removed)
    where = fill_instruction(ctx, settings, service)
    address = shared_address(ctx, service)
    detail = (
        (f"{removed} leave {settings.name}'s build. " if removed else "Nothing leaves the build. ")
        + (f"The shared instance is {address}. " if address else "")
        + ("Its address goes to: " + "; ".join(where) + "." if where else
           f"The app reads no address key that names {service.name}: give {settings.name} the address by hand.")
    )
    return Step(f"Point {settings.name} at the {service.choice} {service.name}", detail)


def _new_env(ctx: Resolved, index: int) -> Phase:
    env = ctx.answers.environments[index]
    lay = ctx.layout
    name = kustomization_name(ctx, env.name)
    steps: list[Step] = []
    secrets = _secrets_step(ctx, env.name, env.namespace, current=False, cluster=env.cluster)
    if secrets:
        steps.append(secrets)
    for service in ctx.settings(env).services:
        steps.append(_service_step(ctx, index, service))
    applies = [f"kubectl apply -f {lay.flux_source(env.name)}"] if _first_on_its_cluster(ctx, index) else []
    applies.append(f"kubectl apply -f {lay.flux_kustomization(env.name)}")
    previous = ctx.answers.environments[index - 1] if index else None
    waits = f" It waits for {previous.name} to be healthy first." if previous else ""
    if previous is not None and not ctx.answers.same_cluster(previous, env):
        waits = (
            f" {previous.name} runs on cluster {previous.cluster}, which Flux here cannot see: deploy {env.name} "
            f"(and promote to it later with the promotion workflow) once {previous.name} is healthy there."
        )
    steps.append(Step(
        f"Deploy {env.name}{_on_cluster(ctx, env.cluster)}",
        f"Flux creates namespace {env.namespace} and everything in {lay.overlay(env.name)}." + waits,
        ("flux check", *applies, f"flux reconcile kustomization {name} --with-source", f"flux get kustomizations {name}",
         f"kubectl -n {env.namespace} get pods"),
        (lay.flux_kustomization(env.name),),
    ))
    steps.append(Step(
        f"Roll back {env.name} if needed",
        "A new environment can simply be removed: nothing of today's runs in it. Environments after it in the "
        "promotion order wait for it (dependsOn) until it is back, or until `k8s-wizard remove-env` takes it out of "
        "the chain.",
        (f"flux suspend kustomization {name}", f"kubectl delete -f {lay.flux_kustomization(env.name)}",
         f"kubectl delete namespace {env.namespace}"),
    ))
    return Phase(f"Create {env.name}", f"Stand up {env.name} in namespace {env.namespace}.", tuple(steps))


def _migrate_current(ctx: Resolved) -> Phase:
    cur = ctx.answers.current
    assert cur is not None
    lay = ctx.layout
    name = kustomization_name(ctx, cur.name)
    changes = current_changes(ctx, ctx.settings(cur))
    template = pod_template_changes(ctx, ctx.settings(cur))
    steps: list[Step] = []
    secrets = _secrets_step(ctx, cur.name, cur.namespace, current=True, cluster=cur.cluster)
    if secrets:
        steps.append(secrets)
    steps.append(Step(
        "If Flux already applies the old folder, stop it from pruning",
        f"Deleting or re-pointing an existing Flux Kustomization that applies {ctx.answers.source}/ in the same commit "
        "lets it prune production. Set `prune: false` on it (or suspend it) first; delete it only after the new one "
        "is Ready.",
        ("flux suspend kustomization <old-kustomization>",),
    ))
    autoscaled = sorted(
        w.name for w in ctx.app.scalable
        if w.name in ctx.settings(cur).autoscaled and "replicas" in (w.obj.get("spec") or {}) and w.kind in SCALABLE
    )
    if autoscaled:
        steps.append(Step(
            "Hand the replica count over to the HPA",
            "Removing spec.replicas from what is applied can drop a running workload to 1 replica. Follow Kubernetes' "
            "'Migrating Deployments and StatefulSets to horizontal autoscaling': with kubectl apply, remove "
            "spec.replicas from the last-applied configuration first; with Flux >= 2.9 you can instead add "
            "`.spec.ignore: [{paths: [/spec/replicas]}]` to the Kustomization.",
            tuple(
                f"kubectl -n {cur.namespace} apply edit-last-applied deployment/{n}  # delete spec.replicas"
                for n in autoscaled
            ),
        ))
    workloads = [w for w in ctx.app.workloads if w.kind in ("Deployment", "StatefulSet", "DaemonSet")]
    steps.append(Step(
        f"Preview the take-over of {cur.name}",
        "Flux server-side applies the same objects: expect label additions on metadata only"
        + (f", and what the answers change: {'; '.join(changes)}." if changes else "."),
        (f"flux diff kustomization {name} --path ./{lay.overlay(cur.name)}",),
    ))
    steps.append(Step(
        f"Deploy {cur.name} through Flux{_on_cluster(ctx, cur.cluster)}",
        f"The Kustomization adopts today's objects in place: same names, namespace {cur.namespace}, selectors and pod "
        + ("templates, so no pod restarts." if not template else
           f"templates, except where the answers change a pod template ({'; '.join(template)}): those pods restart."),
        (*([f"kubectl apply -f {lay.flux_source(cur.name)}"]
           if _first_on_its_cluster(ctx, ctx.answers.environments.index(cur)) else []),
         f"kubectl apply -f {lay.flux_kustomization(cur.name)}", f"flux reconcile kustomization {name} --with-source",
         *(f"kubectl -n {cur.namespace} rollout status {w.kind.lower()}/{w.name}" for w in workloads)),
        (lay.flux_kustomization(cur.name),),
    ))
    steps.append(Step(
        f"Roll back {cur.name} if needed",
        f"Suspend the new Kustomization (nothing is deleted) and re-apply today's manifests, which are still in "
        f"{ctx.answers.source}/.",
        (f"flux suspend kustomization {name}", *rollback_apply(ctx)),
    ))
    return Phase(f"Migrate {cur.name}", f"Let Flux take over what runs today in {cur.namespace}, without downtime.", tuple(steps))


def _cleanup(ctx: Resolved, findings: list[Finding]) -> Phase:
    steps: list[Step] = []
    plaintext = sorted({f.path for f in findings if f.code == "plaintext-secret" and f.path})
    if ctx.answers.source:
        steps.append(Step(
            f"Remove {ctx.answers.source}/ in a later, separate commit",
            f"Only after {kustomization_name(ctx, ctx.answers.current.name if ctx.answers.current else '')} has been Ready "
            "for a while. Never in the same commit as the migration."
            + (" The plaintext Secret files go with it." if plaintext else ""),
            (remove_source(ctx, plaintext), "git commit -m 'Remove the pre-migration manifests'"),
        ))
    if plaintext:
        steps.append(Step(
            "Rotate the secrets that were in git",
            f"{', '.join(plaintext)} stay readable in git history even once removed: issue new values, seal them per "
            "environment, and revoke the old ones.",
        ))
    if ctx.answers.current is not None:
        steps.append(Step(
            f"Label {ctx.answers.current.name}'s pods (optional, planned rollout)",
            "The hand-over left pod templates untouched. Set `includeTemplates: true` in the overlay's labels when a "
            "rolling restart is acceptable.",
        ))
    return Phase("Clean up", "After production runs from the new layout.", tuple(steps))


def build_plan(ctx: Resolved, findings: list[Finding]) -> Plan:
    """The whole plan for the answers (file changes are attached by the pipeline)."""
    phases = [_prepare(ctx)]
    envs = ctx.answers.environments
    current_index = next((i for i, e in enumerate(envs) if e.current), None)
    for i in range(len(envs)):
        if i == current_index:
            phases.append(_migrate_current(ctx))
        else:
            phases.append(_new_env(ctx, i))
    cleanup = _cleanup(ctx, findings)
    if cleanup.steps:
        phases.append(cleanup)
    return Plan(
        app=ctx.answers.app,
        environments=tuple(e.name for e in envs),
        phases=tuple(phases),
        findings=tuple(findings),
        first_deployment=ctx.first_deployment,
    )

