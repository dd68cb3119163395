"""Render one environment's overlay: kustomization.yaml, patches, Namespace, HPAs.

The rules that keep production running (DOMAIN.md): the environment label never goes into
selectors of running workloads (`labels` with `includeSelectors: false`); the current environment's
pod templates are left untouched so the hand-over restarts no pod; objects pinned to another
namespace keep it (a NamespaceTransformer with `unsetOnly`); an autoscaled workload gets no
replica count from git.
"""

from __future__ import annotations

from typing import Any

from wizard.core import yamlio
from wizard.core.answers.parse import Autoscaling, Environment
from wizard.core.kinds import SCALABLE, WORKLOADS, containers, secret_reference_paths
from wizard.core.layout import HEADER
from wizard.core.render.addresses import address_patches
from wizard.core.render.base import KUSTOMIZE_API
from wizard.core.render.images import IMAGES_FILE, ImagePlan, image_plan, images_patch
from wizard.core.render.patches import MergedPatches, moved_hosts
from wizard.core.render.rbac import cluster_bindings, role_binding_patches
from wizard.core.resolve.app import ENV_LABEL
from wizard.core.resolve.environment import CATCH_ALL
from wizard.core.resolve.model import EnvironmentSettings, Resolved
from wizard.core.scan.manifests import ManifestObject

PART_OF = "app.kubernetes.io/part-of"
PRUNE_DISABLED = {"kustomize.toolkit.fluxcd.io/prune": "disabled"}


def sealed_files(resolved: Resolved, env_name: str) -> list[str]:
    """Sealed (or SOPS-encrypted) secret files already in the overlay: the overlay lists them."""
    provider = resolved.answers.secrets.provider
    if provider == "none":
        return []
    folder = resolved.repo / resolved.layout.overlay(env_name) / "secrets"
    suffix = ".sealedsecret.yaml" if provider == "sealed-secrets" else ".secret.enc.yaml"
    if not folder.is_dir():
        return []
    return sorted(f"secrets/{p.name}" for p in folder.iterdir() if p.is_file() and p.name.endswith(suffix))


# Namespaces every cluster has before any app: never an app's object, never labelled or managed by it.
BUILTIN_NAMESPACES = frozenset({"default", "kube-system", "kube-public", "kube-node-lease", "flux-system"})


def creates_namespace(ctx: Resolved, env: Environment) -> bool:
    """Whether an environment's overlay creates its Namespace (kustomize and Flux never do).

    Not for a namespace that exists before the app: a built-in one (`default`, `kube-system`, ...), or the
    namespace the app runs in today (the environment that runs today stays there; a Namespace object the
    source itself holds stays with that environment, as it is).
    """
    if env.namespace in BUILTIN_NAMESPACES:
        return False
    return not (env.current and env.namespace == ctx.today_namespace)


def _todays_namespace_object(ctx: Resolved) -> dict[str, Any]:
    """The source's own Namespace object of today's namespace ({} when it has none)."""
    for obj in ctx.inventory.objects:
        if obj.kind == "Namespace" and obj.name == ctx.today_namespace:
            return obj.obj
    return {}


def namespace_doc(ctx: Resolved, env: Environment) -> dict[str, Any]:
    """The environment's Namespace, never pruned by Flux.

    It carries the labels and annotations of today's Namespace object when the source has one (pod security
    admission, sidecar injection...), so a new environment runs under the same namespace rules as today's.
    """
    today = (_todays_namespace_object(ctx).get("metadata") or {})
    labels = {ENV_LABEL: env.name, PART_OF: ctx.answers.app}
    for k, v in sorted((today.get("labels") or {}).items()):
        if k not in labels and k != "kubernetes.io/metadata.name":
            labels[str(k)] = str(v)
    annotations = dict(PRUNE_DISABLED)
    for k, v in sorted((today.get("annotations") or {}).items()):
        annotations.setdefault(str(k), str(v))
    metadata = {"name": env.namespace, "labels": labels, "annotations": annotations}
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": metadata}


def hpa_doc(workload: str, kind: str, scaling: Autoscaling) -> dict[str, Any]:
    """An autoscaling/v2 HPA on CPU utilisation."""
    return {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": workload},
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": kind, "name": workload},
            "minReplicas": scaling.min,
            "maxReplicas": scaling.max,
            "metrics": [
                {
                    "type": "Resource",
                    "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": scaling.cpu}},
                }
            ],
        },
    }


class OverlayRenderer:
    """Builds the files of `overlays/<env>/` for one environment, from its resolved settings."""

    def __init__(
        self, resolved: Resolved, settings: EnvironmentSettings, current_only_text: str, images: ImagePlan | None = None
    ) -> None:
        self.resolved = resolved
        self.image_plan = images if images is not None else image_plan(resolved)
        self.settings = settings
        self.env = settings.env
        self.dir = resolved.layout.overlay(self.env.name)
        self.current_only_text = current_only_text
        self.files: dict[str, str] = {}
        self.patches: list[dict[str, Any]] = []
        self.resources: list[str] = ["../../base"]
        self.merged = MergedPatches()
        self._by_kind_name: dict[tuple[str, str], list[ManifestObject]] | None = None

    def _add(self, rel: str, text: str) -> None:
        self.files[f"{self.dir}/{rel}"] = text

    def _patch_file(self, rel: str, doc: Any, target: dict[str, str] | None = None, note: str = "") -> None:
        """A patch of one object. A strategic-merge patch of a base object joins its kind's merged file."""
        if isinstance(doc, dict) and target and set(target) == {"kind", "name"}:
            objects = self._base_objects(target["kind"], target["name"])
            if objects:
                for obj in objects:
                    self._merge_patch(obj, doc, note)
                return
        # Every other patch names its target: a strategic-merge patch matched by its own metadata would miss
        # an object whose namespace is hard-coded in the base.
        self._add(rel, yamlio.dump(doc, header=note or None))
        entry: dict[str, Any] = {"path": rel}
        if target:
            entry["target"] = target
        self.patches.append(entry)

    def _merge_patch(self, obj: ManifestObject, doc: dict[str, Any], note: str) -> None:
        if self.merged.add(obj, doc, note):
            self.patches.append({"path": self.merged.file_of(obj.kind)})

    def _base_objects(self, kind: str, name: str) -> list[ManifestObject]:
        """The base's objects of this kind and name (one per namespace): what a `{kind, name}` target selects."""
        if self._by_kind_name is None:
            self._by_kind_name = {}
            for obj in self.resolved.app.base_objects:
                self._by_kind_name.setdefault((obj.kind, obj.name), []).append(obj)
        return self._by_kind_name.get((kind, name), [])

    # --- pieces ----------------------------------------------------------------------------------
    def namespace(self) -> None:
        if creates_namespace(self.resolved, self.env):
            self._add("namespace.yaml", yamlio.dump(namespace_doc(self.resolved, self.env), header=HEADER))
            self.resources.append("namespace.yaml")

    def added(self) -> None:
        """Objects this environment adds to the base (a new app's Ingress for its host)."""
        for rel, doc in self.settings.added:
            self._add(rel, yamlio.dump(doc, header=HEADER))
            self.resources.append(rel)

    @property
    def holds_cluster_objects(self) -> bool:
        """This environment's build has the objects that exist once per cluster (Answers.holds_cluster_objects)."""
        return self.resolved.answers.holds_cluster_objects(self.env)

    def current_only(self) -> None:
        if self.holds_cluster_objects and self.current_only_text:
            note = (
                "Objects that live outside this environment's namespace (cluster-scoped, or pinned to another\n"
                "namespace). They exist once per cluster, so only the environment that runs today has them.\n"
            )
            if not self.env.current:
                note = (
                    "Objects that live outside this environment's namespace (cluster-scoped, or pinned to another\n"
                    f"namespace). They exist once per cluster: {self.env.name} is the first environment on cluster "
                    f"{self.env.cluster}, so it has them there.\n"
                )
            self._add("outside-namespace.yaml", "".join(f"# {line}\n" for line in note.splitlines()) + self.current_only_text)
            self.resources.append("outside-namespace.yaml")

    def autoscaling(self) -> None:
        existing = self.resolved.app.existing_hpas
        for name, scaling in sorted(self.settings.autoscaling.items()):
            workload = self.resolved.workload(name)
            kind = workload.kind if workload is not None else "Deployment"
            if name in existing:
                hpa = existing[name]
                ops: list[dict[str, Any]] = [
                    {"op": "replace", "path": "/spec/minReplicas", "value": scaling.min},
                    {"op": "replace", "path": "/spec/maxReplicas", "value": scaling.max},
                ]
                metrics = (hpa.obj.get("spec") or {}).get("metrics") or []
                for i, metric in enumerate(metrics):
                    resource = (metric or {}).get("resource") or {}
                    if resource.get("name") == "cpu" and "averageUtilization" in (resource.get("target") or {}):
                        ops.append(
                            {
                                "op": "replace",
                                "path": f"/spec/metrics/{i}/resource/target/averageUtilization",
                                "value": scaling.cpu,
                            }
                        )
                self._patch_file(f"patches/hpa-{hpa.name}.yaml", ops, {"kind": "HorizontalPodAutoscaler", "name": hpa.name})
            else:
                self._add(f"hpa-{name}.yaml", yamlio.dump(hpa_doc(name, kind, scaling), header=HEADER))
                self.resources.append(f"hpa-{name}.yaml")
        # A replica count in git next to an HPA makes Flux reset the count on every reconcile.
        for name in sorted(self.settings.autoscaled):
            w = self.resolved.workload(name)
            if w is not None and "replicas" in (w.obj.get("spec") or {}):
                self._patch_file(
                    f"patches/{name}-replicas.yaml",
                    {"apiVersion": w.obj.get("apiVersion"), "kind": w.kind, "metadata": {"name": name},
                     "spec": {"replicas": None}},
                    {"kind": w.kind, "name": name},
                    note="The HPA owns the replica count here; see MIGRATION.md for the hand-over.",
                )

    def resources_patch(self) -> None:
        wanted = self.settings.resources
        for w in self.resolved.app.workloads:
            res = wanted.get(w.name)
            if not res:
                continue
            conts = [{"name": c.get("name"), "resources": res} for c in containers(w.obj) if c.get("name")]
            template_spec = {"template": {"spec": {"containers": conts}}}
            spec = {"jobTemplate": {"spec": template_spec}} if w.kind == "CronJob" else template_spec
            doc = {"apiVersion": w.obj.get("apiVersion"), "kind": w.kind, "metadata": {"name": w.name}, "spec": spec}
            self._patch_file(f"patches/{w.name}-resources.yaml", doc, {"kind": w.kind, "name": w.name})

    def config(self) -> None:
        for name, data in sorted(self.settings.config.items()):
            doc = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": dict(sorted(data.items()))}
            self._patch_file(f"patches/configmap-{name}.yaml", doc, {"kind": "ConfigMap", "name": name})

    def ingress_hosts(self) -> None:
        mapping = self.settings.hosts
        if not mapping:
            return
        for ing in (o for o in self.resolved.app.base_objects if o.kind == "Ingress"):
            spec = ing.obj.get("spec") or {}
            catch_all = CATCH_ALL in mapping and (
                any(not r.get("host") for r in spec.get("rules") or []) or (not spec.get("rules") and spec.get("defaultBackend"))
            )
            if not catch_all:
                # Hosts only change: the whole lists in the kind's merged strategic-merge patch (cheaper to build).
                changed = moved_hosts(spec, mapping)
                if changed:
                    doc = {"apiVersion": ing.obj.get("apiVersion"), "kind": "Ingress", "metadata": {"name": ing.name},
                           "spec": changed}
                    self._patch_file(f"patches/ingress-{ing.name}.yaml", doc, {"kind": "Ingress", "name": ing.name})
                continue
            ops: list[dict[str, Any]] = []
            for i, rule in enumerate(spec.get("rules") or []):
                if not rule.get("host") and CATCH_ALL in mapping:
                    # A catch-all rule: every environment would claim the same route; this one gets its host.
                    ops.append({"op": "add", "path": f"/spec/rules/{i}/host", "value": mapping[CATCH_ALL]})
                elif rule.get("host") in mapping and mapping[rule["host"]] != rule["host"]:
                    ops.append({"op": "replace", "path": f"/spec/rules/{i}/host", "value": mapping[rule["host"]]})
            if not spec.get("rules") and spec.get("defaultBackend") and CATCH_ALL in mapping:
                # Only a default backend (catch-all): the same backend, as a rule for this environment's host.
                path = {"path": "/", "pathType": "Prefix", "backend": spec["defaultBackend"]}
                ops.append({"op": "add", "path": "/spec/rules", "value": [
                    {"host": mapping[CATCH_ALL], "http": {"paths": [path]}}
                ]})
                ops.append({"op": "remove", "path": "/spec/defaultBackend"})
            for i, tls in enumerate(spec.get("tls") or []):
                for j, h in enumerate(tls.get("hosts") or []):
                    if h in mapping and mapping[h] != h:
                        ops.append({"op": "replace", "path": f"/spec/tls/{i}/hosts/{j}", "value": mapping[h]})
            if ops:
                self._patch_file(f"patches/ingress-{ing.name}.yaml", ops, {"kind": "Ingress", "name": ing.name})

    def node_ports(self) -> None:
        if self.holds_cluster_objects:
            return
        for svc in self.resolved.app.base_objects:
            if svc.kind != "Service":
                continue
            ports = (svc.obj.get("spec") or {}).get("ports") or []
            ops = [
                {"op": "remove", "path": f"/spec/ports/{i}/nodePort"}
                for i, p in enumerate(ports)
                if isinstance(p, dict) and "nodePort" in p
            ]
            if ops:
                self._patch_file(
                    f"patches/service-{svc.name}-nodeport.yaml",
                    list(reversed(ops)),
                    {"kind": "Service", "name": svc.name},
                    note="Fixed nodePorts are cluster-wide: only the current environment keeps them; here the cluster picks one.",
                )

    def moved_namespace(self) -> None:
        """The current environment moving to a new namespace: hard-coded namespaces move with it.

        The current environment's namespace transformer only fills in missing namespaces (so objects pinned
        to another namespace keep theirs); objects that hard-code today's namespace are moved explicitly.
        """
        today = self.resolved.today_namespace
        for obj in self.settings.namespace_moves:
            self._patch_file(
                f"patches/namespace-{obj.kind.lower()}-{obj.name}.yaml",
                [{"op": "replace", "path": "/metadata/namespace", "value": self.env.namespace}],
                {"kind": obj.kind, "name": obj.name, "namespace": str(today)},
            )

    def todays_secret_names(self) -> None:
        """Where the app runs today, pod templates keep the Secret names today's secretGenerator gave them.

        The base drops the generator (plaintext values), so its pod templates name the plain Secret; today's
        pods name `<name>-<hash>`. Patching the references back keeps today's templates exactly: no rollout.
        """
        names = self.resolved.todays_secrets or {}
        if not self.env.current or not names:
            return
        for w in self.resolved.app.workloads:
            ops = [
                {"op": "replace", "path": path, "value": names[name]}
                for path, name in secret_reference_paths(w.obj)
                if name in names
            ]
            if ops:
                self._patch_file(
                    f"patches/{w.name}-todays-secret-names.yaml",
                    ops,
                    {"kind": w.kind, "name": w.name},
                    note="Today's pods use the Secret names kustomize generated (hash suffix): keeping them restarts no pod.",
                )

    def addresses(self) -> None:
        """Addresses naming today's namespace point at this environment's (wizard/core/render/addresses.py)."""
        kept = {s.name for s in self.settings.services}
        kept |= {name for s in self.settings.services for kind, name in s.removed if kind == "Service"}
        configured = {cm: set(data) for cm, data in self.settings.config.items()}
        by_object: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for use, value in address_patches(self.resolved, self.env, kept, configured):
            by_object.setdefault((use.obj.kind, use.obj.name), []).append({"op": "replace", "path": use.path, "value": value})
        for (kind, name), ops in sorted(by_object.items()):
            self._patch_file(
                f"patches/addresses-{kind.lower()}-{name}.yaml",
                ops,
                {"kind": kind, "name": name},
                note=f"Service addresses naming today's namespace ({self.resolved.today_namespace}) point at "
                f"{self.env.namespace} here.",
            )

    def rbac(self) -> None:
        """Each environment's ServiceAccounts get their own bindings (wizard/core/render/rbac.py)."""
        if self.env.current:
            return
        for binding, ops in role_binding_patches(self.resolved, self.env):
            self._patch_file(
                f"patches/rolebinding-{binding.name}-subjects.yaml",
                ops,
                {"kind": "RoleBinding", "name": binding.name},
                note=f"The binding grants this environment's ServiceAccounts (namespace {self.env.namespace}), not production's.",
            )
        docs = cluster_bindings(self.resolved, self.env)
        if docs:
            note = (
                "This environment's own ClusterRoleBindings: today's bind production's ServiceAccounts, and a\n"
                "ClusterRoleBinding is cluster-wide, so each environment has its own name and subjects.\n"
            )
            header = "".join(f"# {line}\n" for line in (HEADER + "\n" + note).splitlines())
            self._add("cluster-role-bindings.yaml", header + "".join(
                ("---\n" if i else "") + yamlio.dump(doc) for i, doc in enumerate(docs)
            ))
            self.resources.append("cluster-role-bindings.yaml")

    def volumes(self) -> None:
        """A claim bound by name to a PersistentVolume that stays in the current environment gets its own volume."""
        if self.holds_cluster_objects:
            return
        kept_pvs = {o.name for o, _ in self.resolved.app.current_only if o.kind == "PersistentVolume"}
        for pvc in self.resolved.app.base_objects:
            if pvc.kind == "PersistentVolumeClaim" and (pvc.obj.get("spec") or {}).get("volumeName") in kept_pvs:
                self._patch_file(
                    f"patches/pvc-{pvc.name}-volume.yaml",
                    [{"op": "remove", "path": "/spec/volumeName"}],
                    {"kind": "PersistentVolumeClaim", "name": pvc.name},
                    note="The named PersistentVolume belongs to the current environment; this claim gets a new volume.",
                )

    def services(self) -> None:
        """A shared or external backing service: its workload and Services leave this environment's build."""
        for service in self.settings.services:
            for kind, obj_name in service.removed:
                obj = next(o for o in self.resolved.app.base_objects if o.kind == kind and o.name == obj_name)
                doc = {"apiVersion": obj.obj.get("apiVersion"), "kind": kind, "metadata": {"name": obj_name}, "$patch": "delete"}
                self._patch_file(
                    f"patches/remove-{kind.lower()}-{obj_name}.yaml",
                    doc,
                    {"kind": kind, "name": obj_name},
                    note=f"{self.env.name} uses {'an' if service.choice == 'external' else 'a'} {service.choice} "
                    f"{service.name} instead of its own instance.",
                )
        # A shared instance's address in a container's env: the current environment's Service, by its full name.
        ops: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for service in self.settings.services:
            for key, value in service.rewrites:
                if key.target is not None and key.pointer is not None:
                    ops.setdefault(key.target, []).append({"op": "replace", "path": key.pointer, "value": value})
        for (kind, name), entries in sorted(ops.items()):
            self._patch_file(
                f"patches/{kind.lower()}-{name}-shared-addresses.yaml",
                entries,
                {"kind": kind, "name": name},
                note=f"{self.env.name} uses shared backing services: their addresses point at the instance that runs today.",
            )

    def images(self) -> None:
        """Many images: their references in one patch file, listed last (wizard/core/render/images.py)."""
        text = images_patch(self.resolved, self.settings, self.image_plan, self.holds_cluster_objects)
        if text is not None:
            self._add(IMAGES_FILE, text)

    # --- the kustomization -------------------------------------------------------------------------
    def kustomization(self) -> dict[str, Any]:
        env = self.env
        doc: dict[str, Any] = {"apiVersion": KUSTOMIZE_API, "kind": "Kustomization"}
        if not self.holds_cluster_objects:
            doc["namespace"] = env.namespace
        self.resources.extend(sealed_files(self.resolved, env.name))
        doc["resources"] = self.resources
        if self.holds_cluster_objects:
            # Only objects without a namespace get today's; objects pinned elsewhere keep theirs.
            doc["transformers"] = [
                yamlio.dump(
                    {
                        "apiVersion": "builtin",
                        "kind": "NamespaceTransformer",
                        "metadata": {"name": "environment-namespace", "namespace": env.namespace},
                        "unsetOnly": True,
                    }
                ).rstrip("\n")
            ]
        in_selectors = self.resolved.app.selectors_use_env_label
        keep_selectors = env.current and in_selectors
        doc["labels"] = (
            []
            if keep_selectors
            else [
                {
                    # Only the environment label: a key the base already puts into selectors (an adopted
                    # commonLabels' app.kubernetes.io/part-of, say) would have its selector value rewritten.
                    "pairs": {ENV_LABEL: env.name},
                    # New objects may select on the label; running ones must not (selectors are immutable).
                    "includeSelectors": (not env.current) and in_selectors,
                    # Today's pods are not restarted by the hand-over: their templates stay as they are.
                    "includeTemplates": not env.current,
                }
            ]
        )
        if not doc["labels"]:
            # Today's selectors already carry the label: the current environment keeps them exactly.
            del doc["labels"]
        replicas = self._replica_entries()
        if replicas:
            doc["replicas"] = replicas
        entries = self.image_plan.entries(self.settings)
        if entries:
            doc["images"] = entries
        if f"{self.dir}/{IMAGES_FILE}" in self.files:
            self.patches.append({"path": IMAGES_FILE})
        if self.patches:
            doc["patches"] = self.patches
        return doc

    def _replica_entries(self) -> list[dict[str, Any]]:
        """Replica counts: a merged patch per workload of the base (cheaper to build than a `replicas:` entry,
        which kustomize matches against every object); `replicas:` entries only for names the base lacks."""
        entries: list[dict[str, Any]] = []
        for name, count in self.settings.replicas.items():
            scalable = [o for kind in sorted(SCALABLE) for o in self._base_objects(kind, name)]
            for w in scalable:
                body = {"apiVersion": w.obj.get("apiVersion"), "kind": w.kind, "metadata": {"name": name},
                        "spec": {"replicas": count}}
                self._merge_patch(w, body, "")
            if not scalable:
                entries.append({"name": name, "count": count})
        return entries

    def render(self) -> dict[str, str]:
        self.namespace()
        self.added()
        self.current_only()
        self.services()
        self.autoscaling()
        self.resources_patch()
        self.config()
        self.ingress_hosts()
        self.node_ports()
        self.volumes()
        self.rbac()
        self.addresses()
        self.todays_secret_names()
        self.moved_namespace()
        self.images()
        doc = self.kustomization()
        for rel, text in self.merged.files().items():
            self._add(rel, text)
        note = f"{HEADER}\nEnvironment {self.env.name}: namespace {self.env.namespace}."
        if self.env.current:
            note += " It runs today: the build keeps today's objects, selectors and pod templates."
        self._add("kustomization.yaml", yamlio.dump(doc, header=note))
        return self.files


def render_overlay(
    resolved: Resolved, settings: EnvironmentSettings, current_only_text: str, images: ImagePlan | None = None
) -> dict[str, str]:
    """The files of one environment's overlay (`images`: the app's image plan, computed once for all overlays)."""
    return OverlayRenderer(resolved, settings, current_only_text, images).render()


__all__ = ["render_overlay", "namespace_doc", "creates_namespace", "hpa_doc", "sealed_files", "SCALABLE", "WORKLOADS"]
