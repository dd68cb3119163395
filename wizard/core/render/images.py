"""Image tags in an overlay: `images:` entries for a few images, one patch file for many.

kustomize runs each `images:` entry as its own transformer over every object of the build (its
ImageTagTransformer walks every `containers`/`initContainers` list of every object), so an overlay that
retags one image per workload costs entries x objects. A strategic-merge patch file without `target` is
one transformer that finds each document's object by its id. Measured with scripts/bench_images.py
(BENCHMARKS.md, "Image tags"): the patch file costs about the same as no retagging at all once the overlay
has any strategic-merge patch, and has a fixed cost (kustomize loads its schema) of about what 8-16
`images:` entries cost when it is the overlay's only patch; `images:` entries cost more with every entry
(at 200 workloads, 200 entries cost 2.5x the floor overlay, the patch file about the floor).

So past IMAGES_PATCH_THRESHOLD promotable images the app's overlays carry `patches/images.yaml`: one
document per object that runs one of those images, naming each such container (and init container) with
its full image reference, in every overlay (today's references where an environment keeps them), so the
promotion workflow has one place per environment to copy tags into. The built objects are the same as
with `images:` entries (tests/test_built_objects.py). An image kustomize's transformer would also retag
somewhere a patch cannot reach (a custom resource, a container list outside the pod template, a
container without a name) keeps its `images:` entry, as does every image of an app whose base is an
adopted kustomization (its own patches and transformers may change containers).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from wizard.core import yamlio
from wizard.core.kinds import image_name
from wizard.core.layout import HEADER
from wizard.core.resolve.model import EnvironmentSettings, Resolved
from wizard.core.scan.manifests import ManifestObject

IMAGES_PATCH_THRESHOLD = 8
"""Above this many promotable images (image names some environment's `image_tag` retags) the overlays carry
`patches/images.yaml` instead of `images:` entries. From scripts/bench_images.py (BENCHMARKS.md, "Image tags"; CPU
seconds of `kubectl kustomize`, 50-workload base): each entry is a pass over every object (+0.07 s for 8, +0.44 s
for 50); the patch file costs about the floor next to any other strategic-merge patch (a generated overlay nearly
always has one) and a fixed +0.10 s alone, what 8-16 entries cost. Up to 8, `images:` stay (at most about a fifth
of the floor): what users know and what `kustomize edit set image` edits."""

IMAGES_FILE = "patches/images.yaml"
"""The overlay-relative file of image references (patch mode)."""

POD_SPECS: dict[str, tuple[frozenset[str], tuple[str, ...]]] = {
    "Deployment": (frozenset({"apps/v1"}), ("spec", "template", "spec")),
    "StatefulSet": (frozenset({"apps/v1"}), ("spec", "template", "spec")),
    "DaemonSet": (frozenset({"apps/v1"}), ("spec", "template", "spec")),
    "ReplicaSet": (frozenset({"apps/v1"}), ("spec", "template", "spec")),
    "Job": (frozenset({"batch/v1"}), ("spec", "template", "spec")),
    "CronJob": (frozenset({"batch/v1"}), ("spec", "jobTemplate", "spec", "template", "spec")),
    "Pod": (frozenset({"v1"}), ("spec",)),
    "ReplicationController": (frozenset({"v1"}), ("spec", "template", "spec")),
}
"""Kinds whose containers a strategic-merge patch merges by name (kustomize knows their schema), and where
their pod spec is. Containers anywhere else are retagged by `images:` only."""

CONTAINER_LISTS = ("containers", "initContainers")
"""The list fields kustomize's images transformer retags, wherever they are in an object."""


def retagged(image: str, tag: str) -> str:
    """An image reference with a new tag, as an `images:` entry's `newTag` writes it: the old tag and any
    digest are replaced (checked with kustomize v5.5: `x:1@sha256:...` becomes `x:<tag>`)."""
    return f"{image_name(image)}:{tag}"


def container_lists(node: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], str, list[Any]]]:
    """(path of the mapping, field, list) of every `containers`/`initContainers` list in an object."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in CONTAINER_LISTS and isinstance(value, list):
                yield path, str(key), value
            yield from container_lists(value, (*path, str(key)))
    elif isinstance(node, list):
        for item in node:
            yield from container_lists(item, path)


def _images_in(obj: ManifestObject) -> set[str]:
    """Image names of every container list of an object (what kustomize's transformer could retag)."""
    return {
        image_name(c["image"])
        for _, _, items in container_lists(obj.obj)
        for c in items
        if isinstance(c, dict) and isinstance(c.get("image"), str)
    }


def _patchable(obj: ManifestObject) -> bool:
    """True when a strategic-merge patch reaches every container of the object by its name."""
    known = POD_SPECS.get(obj.kind)
    if known is None or str(obj.obj.get("apiVersion")) not in known[0]:
        return False
    for path, _, items in container_lists(obj.obj):
        if path != known[1]:
            return False
        names = [c.get("name") if isinstance(c, dict) else None for c in items]
        if not all(isinstance(n, str) and n for n in names) or len(set(names)) != len(names):
            return False
    return True


@dataclass(frozen=True)
class ImagePlan:
    """How the app's overlays carry image tags."""

    patched: frozenset[str]
    """Image names whose references are in each overlay's patches/images.yaml (empty: `images:` only)."""

    def entries(self, settings: EnvironmentSettings) -> list[dict[str, str]]:
        """The environment's `images:` entries: the images not in the patch file."""
        return [{"name": n, "newTag": t} for n, t in settings.images if n not in self.patched]


def _build_objects(resolved: Resolved, settings: EnvironmentSettings, holds_cluster_objects: bool) -> list[ManifestObject]:
    """The objects of an environment's build that can run containers: the base's it keeps, and the objects
    outside its namespace when it holds them."""
    objects = [o for o in resolved.app.base_objects if not settings.removes(o.kind, o.name)]
    if holds_cluster_objects:
        objects += [o for o, _ in resolved.app.current_only]
    return objects


def image_plan(resolved: Resolved) -> ImagePlan:
    """The patch file for the app's promotable images when there are more than IMAGES_PATCH_THRESHOLD."""
    promotable = {name for s in resolved.environments for name, _ in s.images}
    if len(promotable) <= IMAGES_PATCH_THRESHOLD or resolved.inventory.adopted or resolved.helm is not None:
        return ImagePlan(frozenset())
    reachable = set(promotable)
    for obj in [*resolved.app.base_objects, *(o for o, _ in resolved.app.current_only)]:
        if not _patchable(obj):
            reachable -= _images_in(obj)
    if len(reachable) <= IMAGES_PATCH_THRESHOLD:
        return ImagePlan(frozenset())
    return ImagePlan(frozenset(reachable))


def _doc(obj: ManifestObject, tags: Mapping[str, str], patched: frozenset[str]) -> dict[str, Any] | None:
    """One object's patch document: its containers that run a patched image, with this environment's reference."""
    _, path = POD_SPECS[obj.kind]
    pod: Any = obj.obj
    for key in path:
        pod = pod.get(key) if isinstance(pod, dict) else None
    if not isinstance(pod, dict):
        return None
    spec: dict[str, Any] = {}
    for field in CONTAINER_LISTS:
        listed = []
        for c in pod.get(field) or []:
            image = c.get("image") if isinstance(c, dict) else None
            if isinstance(image, str) and image_name(image) in patched:
                tag = tags.get(image_name(image))
                listed.append({"name": c["name"], "image": retagged(image, tag) if tag else image})
        if listed:
            spec[field] = listed
    if not spec:
        return None
    for key in reversed(path):
        spec = {key: spec}
    metadata: dict[str, Any] = {"name": obj.name}
    if obj.namespace:
        metadata["namespace"] = obj.namespace
    return {"apiVersion": obj.obj.get("apiVersion"), "kind": obj.kind, "metadata": metadata, **spec}


def images_patch(
    resolved: Resolved, settings: EnvironmentSettings, plan: ImagePlan, holds_cluster_objects: bool
) -> str | None:
    """The text of an environment's patches/images.yaml (None when the app keeps `images:` entries)."""
    if not plan.patched:
        return None
    tags = {n: t for n, t in settings.images if n in plan.patched}
    docs = [
        doc
        for obj in _build_objects(resolved, settings, holds_cluster_objects)
        if obj.kind in POD_SPECS and (doc := _doc(obj, tags, plan.patched)) is not None
    ]
    if not docs:
        return None
    note = (
        f"{HEADER}\nThe image of every container that runs one of the app's own images, in {settings.name}"
        + (" (today's images)" if not tags else "")
        + ".\nOne patch file instead of one `images:` entry per image: kustomize builds it faster (BENCHMARKS.md).\n"
        "The promotion workflow copies the previous environment's references here, image by image;\n"
        "a tag set here by hand is kept by re-runs."
    )
    return yamlio.dump_all(docs, header=note)
