"""Facts about the app that do not depend on an environment, computed once from the inventory."""

from __future__ import annotations

from typing import Any

from wizard.core.answers.parse import Answers
from wizard.core.kinds import SCALABLE, WORKLOADS, containers, image_name, image_tag, is_infra_image
from wizard.core.resolve.model import AppFacts, SecretNeed
from wizard.core.scan.manifests import Inventory, ManifestObject, backing_services, env_refs, ingress_hosts

ENV_LABEL = "environment"


def built_image(inventory: Inventory, image: str) -> str:
    """An image as the base's `images:` transformer rewrites it: overlays retag the new name."""
    adopted = inventory.adopted
    for entry in (adopted.data.get("images") or []) if adopted else []:
        if isinstance(entry, dict) and entry.get("name") == image_name(image):
            name = str(entry.get("newName") or image_name(image))
            if entry.get("digest"):
                return f"{name}@{entry['digest']}"
            tag = entry.get("newTag") or image_tag(image)
            return f"{name}:{tag}" if tag else name
    return image


def today_replicas(workload: ManifestObject) -> int | None:
    """The replica count today's manifest sets (None when it sets none: Kubernetes runs 1)."""
    value = (workload.obj.get("spec") or {}).get("replicas")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _selectors_use_env_label(inventory: Inventory, base: tuple[ManifestObject, ...]) -> bool:
    adopted = inventory.adopted
    if adopted is not None and ENV_LABEL in (adopted.data.get("commonLabels") or {}):
        return True
    for obj in base:
        spec = obj.obj.get("spec") or {}
        selector = spec.get("selector") or {}
        labels = selector.get("matchLabels") if isinstance(selector.get("matchLabels"), dict) else selector
        if isinstance(labels, dict) and ENV_LABEL in labels:
            return True
    return False


def _secret_needs(inventory: Inventory, workloads: tuple[ManifestObject, ...]) -> tuple[SecretNeed, ...]:
    """Every Secret the workloads reference or the app declares, with key names and users."""
    keys: dict[str, set[str]] = {}
    users: dict[str, set[str]] = {}
    plaintext: dict[str, str] = {}
    for obj in inventory.secret_objects():
        data: dict[str, Any] = {**(obj.obj.get("data") or {}), **(obj.obj.get("stringData") or {})}
        keys.setdefault(obj.name, set()).update(str(k) for k in data)
        if inventory.source is not None:
            plaintext[obj.name] = f"{inventory.source}/{obj.file}"
    if inventory.adopted:
        for name, gen_keys in inventory.adopted.generated_secrets.items():
            keys.setdefault(name, set()).update(gen_keys)
            plaintext.setdefault(name, inventory.adopted.path)
    for w in workloads:
        for kind, name, key in env_refs(w.obj):
            if kind != "Secret":
                continue
            keys.setdefault(name, set())
            if key:
                keys[name].add(key)
            users.setdefault(name, set()).add(w.ref)
    return tuple(
        SecretNeed(name, tuple(sorted(keys[name])), tuple(sorted(users.get(name, ()))), plaintext.get(name))
        for name in sorted(keys)
    )


def _key_users(needs: tuple[SecretNeed, ...], workloads: tuple[ManifestObject, ...]) -> dict[str, dict[str, tuple[str, ...]]]:
    """Secret name -> key -> the workloads that use the key (a whole-Secret reference uses every key)."""
    found: dict[str, dict[str, set[str]]] = {n.name: {k: set() for k in n.keys} for n in needs}
    for w in workloads:
        for kind, name, ref_key in env_refs(w.obj):
            if kind != "Secret" or name not in found:
                continue
            for k in [ref_key] if ref_key else list(found[name]):
                found[name].setdefault(k, set()).add(w.ref)
    return {name: {k: tuple(sorted(v)) for k, v in sorted(keys.items())} for name, keys in found.items()}


def today_namespace(inventory: Inventory, answers: Answers) -> str | None:
    """The app's namespace today: objects without one count as living where the current environment is applied."""
    if not inventory.objects or inventory.generated:
        return None  # nothing runs today
    current = answers.current
    return inventory.home_namespace(current.namespace if current else None)


def app_facts(inventory: Inventory, today: str | None) -> AppFacts:
    """The environment-independent facts of the app (`today`: its namespace today)."""
    base: list[ManifestObject] = []
    current_only: list[tuple[ManifestObject, str]] = []
    for obj in inventory.objects:
        if obj.kind == "Secret":
            continue
        reason = inventory.stays_current_only(obj, today)
        if reason:
            current_only.append((obj, reason))
        else:
            base.append(obj)
    base_objects = tuple(base)
    workloads = tuple(o for o in base_objects if o.kind in WORKLOADS)
    hpas: dict[str, ManifestObject] = {}
    for o in base_objects:
        if o.kind == "HorizontalPodAutoscaler":
            target = (o.obj.get("spec") or {}).get("scaleTargetRef") or {}
            if target.get("name"):
                hpas[str(target["name"])] = o
    raw = {str(c.get("image")) for w in workloads for c in containers(w.obj, init=True) if c.get("image")}
    images = tuple(sorted(built_image(inventory, i) for i in raw))
    own = {image_name(i) for i in images if not is_infra_image(i)}
    if not own and inventory.generated:
        own = {image_name(i) for i in images}  # a new app's image is its own build, whatever its name
    configmaps = {o.name for o in base_objects if o.kind == "ConfigMap"}
    if inventory.adopted:
        configmaps |= set(inventory.adopted.generated_configmaps)
    needs = _secret_needs(inventory, workloads)
    ingresses = tuple(o for o in base_objects if o.kind == "Ingress")
    return AppFacts(
        base_objects=base_objects,
        current_only=tuple(current_only),
        workloads=workloads,
        scalable=tuple(o for o in base_objects if o.kind in SCALABLE),
        existing_hpas=hpas,
        images=images,
        own_images=tuple(sorted(own)),
        configmaps=tuple(sorted(configmaps)),
        secret_needs=needs,
        key_users=_key_users(needs, workloads),
        hosts=ingress_hosts(ingresses),
        ingresses=ingresses,
        backing_workloads=frozenset(s["name"] for s in backing_services(inventory) if s["kind"] != "env"),
        selectors_use_env_label=_selectors_use_env_label(inventory, base_objects),
    )
