"""The resolved model of the app: every answer turned into settings on concrete objects, per environment.

`resolve()` builds it once; renderers, the plan, the findings and MIGRATION.md only read it. Nothing after
resolve looks back at raw per-environment answers to decide which object they apply to.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wizard.core.answers.parse import Answers, Autoscaling, Environment
from wizard.core.kinds import WORKLOADS
from wizard.core.layout import Layout
from wizard.core.resolve.helmvalues import HelmResolution
from wizard.core.scan.manifests import Inventory, ManifestObject


@dataclass(frozen=True)
class SecretNeed:
    """A Secret the app needs in every environment: its key names (never values) and who uses it."""

    name: str
    keys: tuple[str, ...]
    users: tuple[str, ...]
    plaintext_in: str | None = None


@dataclass(frozen=True)
class ReplicaChange:
    """A workload whose replica count in an environment differs from today's (None: unset, i.e. 1)."""

    workload: str
    kind: str
    today: int | None
    count: int


@dataclass(frozen=True)
class AddressKey:
    """Where a backing service's address is read: a ConfigMap key or a container's env entry."""

    where: str
    """`ConfigMap/shop-config`, `Deployment/shop-web container web` or `Secret/shop-db`."""
    key: str
    configmap: str | None = None
    """The ConfigMap holding the key (its value can be set per environment in the answers' `config`)."""
    bare: str | None = None
    """Today's value when it is only a Service address (`postgres`, `postgres:5432`): safe to repeat, no secret."""
    target: tuple[str, str] | None = None
    """(kind, name) of the workload whose container env holds the value."""
    pointer: str | None = None
    """JSON pointer to the env entry's value in that workload."""

    def describe(self) -> str:
        return f"{self.key} in {self.where}"


@dataclass(frozen=True)
class ServiceChoice:
    """A backing service an environment does not run itself: a shared or an external instance instead."""

    name: str
    choice: str
    """`shared` or `external`."""
    removed: tuple[tuple[str, str], ...] = ()
    """(kind, name) of the objects that leave this environment's build: the workload, its Services, its HPA and
    PodDisruptionBudgets."""
    address_keys: tuple[AddressKey, ...] = ()
    """Where the app reads the service's address: each must be filled with the shared/external address."""
    filled: tuple[str, ...] = ()
    """Address keys the environment's `config` answer already sets."""
    rewrites: tuple[tuple[AddressKey, str], ...] = ()
    """For a shared service: address keys pointed at the current environment's instance, and their new value."""


@dataclass(frozen=True)
class AppFacts:
    """What the app is, whatever the environment: the objects of the base and what they need (workloads, images,
    ConfigMaps, Secrets, hosts). Computed once by `resolve/app.py`; `Resolved.app` holds it."""

    base_objects: tuple[ManifestObject, ...]
    """Objects of the base (no Secret, nothing that stays in the current environment only)."""
    current_only: tuple[tuple[ManifestObject, str], ...]
    """Objects that stay in the current environment only, and why."""
    workloads: tuple[ManifestObject, ...]
    scalable: tuple[ManifestObject, ...]
    existing_hpas: dict[str, ManifestObject]
    """Today's HPAs by the workload they scale."""
    images: tuple[str, ...]
    """Image references the base's build runs."""
    own_images: tuple[str, ...]
    """Image names (no tag) of the app's own builds: what `image_tag` retags."""
    configmaps: tuple[str, ...]
    secret_needs: tuple[SecretNeed, ...]
    """The Secrets the app needs (a Helm app: those its chart reads, helm.secrets)."""
    key_users: dict[str, dict[str, tuple[str, ...]]]
    """Secret name -> key -> the workloads that use it."""
    hosts: tuple[str, ...]
    """Today's Ingress hosts."""
    ingresses: tuple[ManifestObject, ...]
    backing_workloads: frozenset[str]
    """Workloads that are backing services (StatefulSets, database or cache images)."""
    selectors_use_env_label: bool


@dataclass(frozen=True)
class EnvironmentSettings:
    """Everything one environment's overlay sets, resolved against the app's objects."""

    env: Environment
    index: int
    replicas: dict[str, int]
    """Replica counts the overlay sets, by workload (never for an autoscaled or removed one)."""
    replica_changes: tuple[ReplicaChange, ...]
    """Counts that differ from today's manifests (what the plan reports)."""
    replicas_autoscaled: tuple[str, ...]
    """Workloads the `replicas` answer covers but whose count belongs to an HPA (left to it)."""
    autoscaling: dict[str, Autoscaling]
    """The HPAs the environment asks for, by workload."""
    autoscaled: frozenset[str]
    """Workloads whose replica count belongs to an HPA here (today's HPAs and the asked ones)."""
    resources: dict[str, dict[str, Any]]
    """Container resources by workload name."""
    images: tuple[tuple[str, str], ...]
    """(image name, new tag) pairs, the overlay's `images:` entries."""
    hosts: dict[str, str]
    """Today's host -> this environment's host (only hosts that change)."""
    hosts_defaulted: bool
    """True when `host` was not answered and the hosts are `<env>.<today's host>`."""
    config: dict[str, dict[str, str]]
    """ConfigMap name -> key overrides."""
    services: tuple[ServiceChoice, ...]
    """Backing services the environment does not run itself."""
    namespace_moves: tuple[ManifestObject, ...]
    """Objects that hard-code today's namespace and move with the current environment to its new one."""
    added: tuple[tuple[str, dict[str, Any]], ...] = ()
    """(file name, object) the overlay adds besides HPAs: a new app's Ingress for this environment's host."""

    @property
    def name(self) -> str:
        return self.env.name

    @property
    def removed(self) -> frozenset[str]:
        """Names of the workloads this environment does not run."""
        return frozenset(name for s in self.services for kind, name in s.removed if kind in WORKLOADS)

    def removes(self, kind: str, name: str) -> bool:
        """True when the object leaves this environment's build."""
        return any((kind, name) in s.removed for s in self.services)


@dataclass(frozen=True)
class Resolved:
    """The app (today's objects, or the ones a new app creates) and every environment's settings."""

    repo: Path
    inventory: Inventory
    answers: Answers
    layout: Layout
    app: AppFacts
    """The app whatever the environment: base objects, workloads, images, ConfigMaps, Secrets, today's hosts."""
    environments: tuple[EnvironmentSettings, ...] = field(default=())
    first_deployment: bool = False
    """True for a new app: nothing runs today, the base holds the objects it will create."""
    helm: HelmResolution | None = None
    """A Helm app's per-environment releases and values, resolved once from the answers and the chart."""
    today_namespace: str | None = None
    """The app's namespace today: objects without one count as living where the current environment is applied."""
    todays_secrets: dict[str, str] | None = field(default_factory=dict)
    """Today's secretGenerator names -> the hashed names today's pods reference (None: today's build is unknown)."""

    def stays_current_only(self, obj: ManifestObject) -> str | None:
        """Why an object must exist in the current environment only (None when it goes to the base)."""
        return self.inventory.stays_current_only(obj, self.today_namespace)

    def secret_name(self, env: Environment, name: str) -> str:
        """A Secret's name in an environment: where it runs today, the hashed name today's generator gave it."""
        return (self.todays_secrets or {}).get(name, name) if env.current else name

    def settings(self, env: Environment | str) -> EnvironmentSettings:
        """The settings of one environment."""
        name = env if isinstance(env, str) else env.name
        return next(s for s in self.environments if s.env.name == name)

    def workload(self, name: str) -> ManifestObject | None:
        """The first workload called `name` (an index: a linear search per HPA made the overlay quadratic)."""
        return self.workload_index.get(name)

    @property
    def workload_index(self) -> dict[str, ManifestObject]:
        found: dict[str, ManifestObject] = self._index
        if not found:
            for w in self.app.workloads:
                found.setdefault(w.name, w)
        return found

    _index: dict[str, ManifestObject] = field(default_factory=dict, repr=False, compare=False)
