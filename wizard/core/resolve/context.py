"""What render and plan both need to know, computed once from the scan and the answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from wizard.core.answers.parse import Answers, Autoscaling, Environment
from wizard.core.errors import InputError
from wizard.core.kinds import SCALABLE, containers, image_name, image_tag, is_infra_image, secret_keys
from wizard.core.layout import Layout
from wizard.core.resolve.helmvalues import HelmResolution, resolve_helm
from wizard.core.scan.manifests import Inventory, ManifestObject, env_refs


@dataclass(frozen=True)
class SecretNeed:
    """A Secret the app needs in every environment: its key names (never values) and who uses it."""

    name: str
    keys: tuple[str, ...]
    users: tuple[str, ...]
    plaintext_in: str | None = None


@dataclass
class Context:
    """The scan, the answers and the facts derived from both."""

    repo: Path
    inventory: Inventory
    answers: Answers
    layout: Layout
    base_objects: list[ManifestObject] = field(default_factory=list)
    current_only: list[tuple[ManifestObject, str]] = field(default_factory=list)
    helm: HelmResolution | None = None
    """A Helm app's per-environment releases and values, resolved once from the answers and the chart."""
    today_namespace: str | None = None
    """The app's namespace today: objects without one count as living where the current environment is applied."""

    @classmethod
    def build(cls, repo: Path, inventory: Inventory, answers: Answers) -> Context:
        ctx = cls(repo=repo, inventory=inventory, answers=answers, layout=Layout(answers.output))
        if answers.helm is not None:
            from wizard.core.scan.chart import scan_chart

            if inventory.chart is None:
                inventory.chart = scan_chart(repo, answers.helm)
            ctx.helm = resolve_helm(inventory.chart, answers)
        current = answers.current
        ctx.today_namespace = inventory.home_namespace(current.namespace if current else None) if inventory.objects else None
        for obj in inventory.objects:
            if obj.kind == "Secret":
                continue
            reason = ctx.stays_current_only(obj)
            if reason:
                ctx.current_only.append((obj, reason))
            else:
                ctx.base_objects.append(obj)
        return ctx

    def stays_current_only(self, obj: ManifestObject) -> str | None:
        """Why an object must exist in the current environment only (None when it goes to the base)."""
        return self.inventory.stays_current_only(obj, self.today_namespace)

    # --- workloads -----------------------------------------------------------------------------
    def workloads(self) -> list[ManifestObject]:
        from wizard.core.kinds import WORKLOADS

        return [o for o in self.base_objects if o.kind in WORKLOADS]

    def scalable(self) -> list[ManifestObject]:
        return [o for o in self.base_objects if o.kind in SCALABLE]

    def workload_names(self) -> list[str]:
        if self.answers.new_app:
            return [self.answers.app]
        return sorted({o.name for o in self.workloads()})

    def existing_hpas(self) -> dict[str, ManifestObject]:
        """Today's HPAs by the workload they scale."""
        found = {}
        for o in self.base_objects:
            if o.kind == "HorizontalPodAutoscaler":
                target = (o.obj.get("spec") or {}).get("scaleTargetRef") or {}
                if target.get("name"):
                    found[str(target["name"])] = o
        return found

    def removed(self, env: Environment) -> set[str]:
        """Workloads an environment does not run: it uses a shared or external instance instead."""
        names = {o.name for o in self.workloads()}
        return {name for name, choice in env.services.items() if choice != "own" and name in names}

    def autoscaling(self, env: Environment) -> dict[str, Autoscaling]:
        """The HPAs an environment asks for, by workload."""
        if env.autoscaling is None:
            return {}
        names = [o.name for o in self.scalable()] if not self.answers.new_app else [self.answers.app]
        if isinstance(env.autoscaling, Autoscaling):
            return {n: env.autoscaling for n in sorted(set(names) - self.removed(env))}
        for name in env.autoscaling:
            if name not in names:
                raise self._unknown(env, "autoscaling", name, names)
        return dict(env.autoscaling)

    def autoscaled(self, env: Environment) -> set[str]:
        """Workloads whose replica count belongs to an HPA in this environment."""
        return set(self.existing_hpas()) | set(self.autoscaling(env))

    def replicas(self, env: Environment) -> dict[str, int]:
        """Replica counts the overlay sets (never for an autoscaled workload)."""
        if env.replicas is None:
            return {}
        names = sorted({o.name for o in self.scalable()}) if not self.answers.new_app else [self.answers.app]
        if isinstance(env.replicas, int):
            wanted = dict.fromkeys(names, env.replicas)
        else:
            for name in env.replicas:
                if name not in names:
                    raise self._unknown(env, "replicas", name, names)
            wanted = dict(env.replicas)
        skip = self.autoscaled(env) | self.removed(env)
        return {k: v for k, v in sorted(wanted.items()) if k not in skip}

    def _unknown(self, env: Environment, key: str, name: str, names: list[str]) -> InputError:
        index = self.answers.environments.index(env)
        return InputError(f"answers: environments[{index}].{key}.{name}: no such workload (found: {', '.join(names) or 'none'})")

    # --- images ------------------------------------------------------------------------------------
    def images(self) -> list[str]:
        """The image references the base's build runs (after an adopted kustomization's `images:` renames)."""
        if self.answers.new_app:
            return [self.answers.new_app.image]
        raw = {str(c.get("image")) for w in self.workloads() for c in containers(w.obj, init=True) if c.get("image")}
        return sorted(self.built_image(i) for i in raw)

    def built_image(self, image: str) -> str:
        """An image as the base's `images:` transformer rewrites it: overlays retag the new name."""
        adopted = self.inventory.adopted
        for entry in (adopted.data.get("images") or []) if adopted else []:
            if isinstance(entry, dict) and entry.get("name") == image_name(image):
                name = str(entry.get("newName") or image_name(image))
                if entry.get("digest"):
                    return f"{name}@{entry['digest']}"
                tag = entry.get("newTag") or image_tag(image)
                return f"{name}:{tag}" if tag else name
        return image

    def own_images(self) -> list[str]:
        """Image names (no tag) of the app's own builds: what `image_tag` retags."""
        return sorted(
            {image_name(i) for i in self.images() if not is_infra_image(i)}
            or ({image_name(self.answers.new_app.image)} if self.answers.new_app else set())
        )

    # --- config ------------------------------------------------------------------------------------
    def configmaps(self) -> list[str]:
        if self.answers.new_app:
            return [f"{self.answers.app}-config"] if self.answers.new_app.config else []
        names = {o.name for o in self.base_objects if o.kind == "ConfigMap"}
        if self.inventory.adopted:
            names |= set(self.inventory.adopted.generated_configmaps)
        return sorted(names)

    def config_overrides(self, env: Environment) -> dict[str, dict[str, str]]:
        """ConfigMap name -> data overrides for an environment."""
        if not env.config:
            return {}
        cms = self.configmaps()
        index = self.answers.environments.index(env)
        nested = {k: v for k, v in env.config.items() if isinstance(v, dict)}
        flat = {k: v for k, v in env.config.items() if not isinstance(v, dict)}
        out: dict[str, dict[str, str]] = {}
        for name, data in nested.items():
            if name not in cms:
                raise InputError(
                    f"answers: environments[{index}].config.{name}: no ConfigMap called {name!r} "
                    f"(found: {', '.join(cms) or 'none'})"
                )
            out[name] = dict(data)
        if flat:
            if len(cms) != 1:
                raise InputError(
                    f"answers: environments[{index}].config: the app has {len(cms)} ConfigMaps "
                    f"({', '.join(cms) or 'none'}); use {{ConfigMap name: {{KEY: value}}}}"
                )
            out.setdefault(cms[0], {}).update(flat)
        return out

    # --- secrets -----------------------------------------------------------------------------------
    def secret_needs(self) -> list[SecretNeed]:
        """Every Secret the workloads reference or the source holds, with key names and users."""
        if self.answers.new_app:
            names = self.answers.new_app.secrets
            return [SecretNeed(f"{self.answers.app}-secrets", names, (f"Deployment/{self.answers.app}",))] if names else []
        keys: dict[str, set[str]] = {}
        users: dict[str, set[str]] = {}
        plaintext: dict[str, str] = {}
        src = self.answers.source
        for obj in self.inventory.secrets_in_source():
            keys.setdefault(obj.name, set()).update(secret_keys(obj.obj))
            plaintext[obj.name] = f"{src}/{obj.file}"
        if self.inventory.adopted:
            for name, gen_keys in self.inventory.adopted.generated_secrets.items():
                keys.setdefault(name, set()).update(gen_keys)
                plaintext.setdefault(name, self.inventory.adopted.path)
            for patch in self.inventory.adopted.secret_patches:
                if patch.secret != "?":
                    keys.setdefault(patch.secret, set()).update(patch.keys)
                    plaintext.setdefault(patch.secret, self.inventory.adopted.path)
        for w in self.workloads():
            for kind, name, key in env_refs(w.obj):
                if kind != "Secret":
                    continue
                keys.setdefault(name, set())
                if key:
                    keys[name].add(key)
                users.setdefault(name, set()).add(w.ref)
        return [
            SecretNeed(name, tuple(sorted(keys[name])), tuple(sorted(users.get(name, ()))), plaintext.get(name))
            for name in sorted(keys)
        ]

    def sealed_files(self, env: Environment) -> list[str]:
        """Sealed (or SOPS-encrypted) secret files already in the overlay: the overlay lists them."""
        provider = self.answers.secrets.provider
        if provider == "none":
            return []
        folder = self.repo / self.layout.overlay(env.name) / "secrets"
        suffix = ".sealedsecret.yaml" if provider == "sealed-secrets" else ".secret.enc.yaml"
        if not folder.is_dir():
            return []
        return sorted(f"secrets/{p.name}" for p in folder.iterdir() if p.is_file() and p.name.endswith(suffix))
