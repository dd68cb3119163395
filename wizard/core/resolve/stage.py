"""resolve(inventory, answers) -> Resolved: the one place where answers meet the app's objects."""

from __future__ import annotations

from dataclasses import replace

from wizard.core.answers.parse import Answers
from wizard.core.errors import InputError
from wizard.core.layout import Layout
from wizard.core.resolve.app import app_facts, today_namespace
from wizard.core.resolve.environment import neutral_settings, resolve_environment
from wizard.core.resolve.helmvalues import resolve_helm
from wizard.core.resolve.model import AppFacts, Resolved, SecretNeed
from wizard.core.scan.generated import todays_generated_secrets
from wizard.core.scan.manifests import Inventory


def helm_secret_needs(answers: Answers) -> tuple[SecretNeed, ...]:
    """The Secrets a chart reads but does not create (helm.secrets): sealed per environment like any other."""
    assert answers.helm is not None
    user = (f"HelmRelease/{answers.app}",)
    return tuple(SecretNeed(name, keys, user) for name, keys in sorted(answers.helm.secrets.items()))


def cluster_layout(answers: Answers) -> Layout:
    """The layout for the answers: one Flux folder, or one per cluster when environments run on several."""
    clusters = tuple((e.name, e.cluster) for e in answers.environments if e.cluster is not None)
    return Layout(answers.output, clusters if answers.multi_cluster else ())


def resolve(inventory: Inventory, answers: Answers, *, known_app: AppFacts | None = None) -> Resolved:
    """Every answer, per environment, as settings on concrete objects; raises InputError (with the key path).

    Pure: it reads the inventory (today's objects, or the ones a new app creates) and the answers, and
    nothing else. Every "no such workload / host / ConfigMap / image / service" error is raised here,
    before anything renders. `known_app`: `app_facts(inventory, today's namespace)` when the caller keeps it
    (the interview resolves the same inventory after every answer).
    """
    today = today_namespace(inventory, answers)
    facts = known_app if known_app is not None else app_facts(inventory, today)
    helm = None
    if answers.helm is not None:
        # A chart's answers reach it through value paths (resolve/helmvalues.py), not through objects.
        if inventory.chart is None:
            raise InputError("helm: the chart was not scanned")  # scan_app scans it for helm answers
        helm = resolve_helm(inventory.chart, answers)
        environments = tuple(neutral_settings(answers, i) for i in range(len(answers.environments)))
    else:
        environments = tuple(
            resolve_environment(facts, inventory, answers, i, today) for i in range(len(answers.environments))
        )
    if answers.helm is not None:
        needs = helm_secret_needs(answers)
        facts = replace(facts, secret_needs=needs, key_users={n.name: dict.fromkeys(n.keys, n.users) for n in needs})
    return Resolved(
        repo=inventory.repo,
        inventory=inventory,
        answers=answers,
        layout=cluster_layout(answers),
        app=facts,
        environments=environments,
        first_deployment=inventory.generated,
        helm=helm,
        today_namespace=today,
        todays_secrets=todays_generated_secrets(inventory) if answers.current is not None else {},
    )
