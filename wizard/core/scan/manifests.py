"""Read today's single-environment manifests: what runs, where, and what it needs.

The scan never changes anything. It keeps each file's text so the base can be a verbatim copy
(comments, key order, CRLF and all) and records which documents must not be copied (plaintext
Secrets, non-Kubernetes YAML, objects that stay in the current environment only).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from wizard.core import yamlio
from wizard.core.errors import InputError
from wizard.core.kinds import BACKING_ENV, CLUSTER_SCOPED, WORKLOADS, containers, is_list, list_items, pod_spec
from wizard.core.scan.chart import ChartInventory
from wizard.core.scan.names import KUSTOMIZATION_NAMES as KUSTOMIZATION_NAMES  # re-exported
from wizard.core.scan.names import YAML_SUFFIXES as YAML_SUFFIXES  # re-exported
from wizard.core.scan.shapes import check_kustomization, check_shapes
from wizard.core.secrets.plaintext import SecretPatch, patch_secrets

# Object names as the API server accepts them (DNS subdomains; RBAC names may also hold ':'), at most 253.
_OBJECT_NAME = re.compile(r"^[a-zA-Z0-9]([-a-zA-Z0-9_.:@]{0,251}[a-zA-Z0-9])?$")
# A document separator line; a document's text runs from one to the next.
_SEPARATOR = re.compile(r"^---[ \t]*(?:#[^\r\n]*)?\r?$", re.MULTILINE)
_HELM = re.compile(r"\{\{-?\s*(\.Values|\.Release|\.Chart|include\s|template\s|toYaml)")


@dataclass(frozen=True)
class ManifestObject:
    """One Kubernetes object of today's build (a `kind: List` contributes one per item)."""

    file: str
    segment: int
    obj: dict[str, Any]
    from_list: bool = False

    @property
    def kind(self) -> str:
        return str(self.obj.get("kind", ""))

    @property
    def name(self) -> str:
        return str((self.obj.get("metadata") or {}).get("name", ""))

    @property
    def namespace(self) -> str | None:
        ns = (self.obj.get("metadata") or {}).get("namespace")
        return str(ns) if ns else None

    @property
    def ref(self) -> str:
        """`Kind/name`, how the plan names an object."""
        return f"{self.kind}/{self.name}"


@dataclass
class SourceFile:
    """A manifest file: its text split into document segments, and the objects in them."""

    path: str
    text: str
    segments: list[str]
    objects: list[ManifestObject] = field(default_factory=list)
    foreign_segments: set[int] = field(default_factory=set)


@dataclass
class Adopted:
    """An existing single-folder kustomization.yaml, adopted as the base."""

    path: str
    text: str
    data: dict[str, Any]
    resource_files: list[str]
    remote_resources: list[str]
    generated_configmaps: list[str]
    generated_secrets: dict[str, list[str]]
    secret_patches: list[SecretPatch] = field(default_factory=list)


@dataclass
class Inventory:
    """Everything the scan found in the source folder."""

    repo: Path
    source: str | None
    files: list[SourceFile] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    adopted: Adopted | None = None
    chart: ChartInventory | None = None
    """A Helm app's chart and today's values files (set once the answers name the chart)."""
    generated: bool = False
    """True for a new app: the objects are the ones its first deployment creates, not today's manifests."""
    env_objects: dict[str, tuple[ManifestObject, ...]] = field(default_factory=dict)
    """Objects that exist in one environment only, by environment (a new app's Ingress for its host)."""

    # The derived facts below are asked for once per object (render, findings), so they are cached:
    # recomputing them made a 1,000-document scan quadratic. The cache key is the list of files and
    # the adopted kustomization; the scan only ever appends whole files, which changes the key.
    _cache: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    def _cached(self, name: str) -> tuple[bool, Any]:
        key = (len(self.files), id(self.files), id(self.adopted))
        if self._cache.get("key") != key:
            self._cache.clear()
            self._cache["key"] = key
        return (True, self._cache[name]) if name in self._cache else (False, None)

    @property
    def objects(self) -> list[ManifestObject]:
        hit, value = self._cached("objects")
        if not hit:
            value = self._cache["objects"] = tuple(o for f in self.files for o in f.objects)
        return list(value)

    @property
    def today_namespace(self) -> str | None:
        """The namespace today's objects live in, before anyone says where the manifests are applied.

        Objects without a namespace count as `default`, where a plain `kubectl apply` puts them (DOMAIN.md).
        """
        hit, value = self._cached("today_namespace")
        if not hit:
            value = self._cache["today_namespace"] = self.home_namespace(None)
        return str(value) if value is not None else None

    def home_namespace(self, applied: str | None) -> str | None:
        """The app's namespace today: the adopted kustomization's, else where most of its objects live.

        `applied` is where the manifests are applied (`kubectl apply -n`, the answer for the environment that
        runs today; `default` when unknown): objects without a namespace count as living there. An object
        pinned to another namespace (an ingress controller's ConfigMap) is one vote, never the app's home
        on its own.
        """
        if self.adopted and self.adopted.data.get("namespace"):
            return str(self.adopted.data["namespace"])
        namespaced = [o for o in self.objects if o.kind not in CLUSTER_SCOPED]
        if not namespaced:
            return applied
        counts = Counter(o.namespace or applied or "default" for o in namespaced)
        return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]

    @property
    def sets_namespace(self) -> bool:
        """True when today's manifests (or the adopted kustomization) say which namespace the app lives in."""
        if self.adopted and self.adopted.data.get("namespace"):
            return True
        namespaced = [o for o in self.objects if o.kind not in CLUSTER_SCOPED]
        return sum(1 for o in namespaced if o.namespace) * 2 > len(namespaced)

    def workloads(self) -> list[ManifestObject]:
        return [o for o in self.objects if o.kind in WORKLOADS]

    def secret_objects(self) -> list[ManifestObject]:
        """Every Secret of the app (today's, or the one a new app's keys go into)."""
        return [o for o in self.objects if o.kind == "Secret"]

    def secrets_in_source(self) -> list[ManifestObject]:
        """Secrets written in today's manifests (plaintext in git): none for a new app."""
        return [] if self.generated else self.secret_objects()

    def stays_current_only(self, obj: ManifestObject, home: str | None) -> str | None:
        """Why an object must exist in the current environment only (None when it goes to the base).

        `home` is the app's namespace today (`home_namespace`): an object pinned elsewhere is never moved.
        """
        if obj.kind in CLUSTER_SCOPED:
            return "cluster-scoped"
        if obj.namespace and home and obj.namespace != home and not (self.adopted and self.adopted.data.get("namespace")):
            return f"pinned to namespace {obj.namespace}"
        return None


def _segments(text: str) -> list[str]:
    """Split a YAML stream into document segments, each starting at its separator line."""
    starts = [m.start() for m in _SEPARATOR.finditer(text)]
    bounds = [0, *[s for s in starts if s > 0], len(text)]
    return [text[a:b] for a, b in zip(bounds, bounds[1:], strict=False) if b > a] or [text]


def _yaml_error(path: str, exc: yaml.YAMLError, base_line: int) -> InputError:
    """The file, line and problem; never the text at fault (it may be a value)."""
    return InputError(f"{path}{yamlio.error_message(exc, base_line)}")


def _load_file(rel: str, text: str, shown: str | None = None) -> SourceFile:
    """Split and parse one manifest file; errors name `shown` (the path relative to the repository)."""
    where = shown or rel
    if text.startswith("\ufeff"):
        text = text[1:]
    if _HELM.search(text):
        raise InputError(
            f"{where}: this is a Helm template ({{{{ .Values ... }}}}), not a plain manifest. For a chart, describe it "
            "under `helm:` in the answers (helm: {chart: ./<chart folder>, release: <today's release>}) instead of "
            "`source`: k8s-wizard then writes a Flux HelmRelease per environment."
        )
    sf = SourceFile(path=rel, text=text, segments=_segments(text))
    line = 0
    for index, segment in enumerate(sf.segments):
        try:
            docs = yamlio.load_all(segment)
        except yaml.YAMLError as exc:
            if "{{" in segment:
                raise InputError(f"{where}: looks like a template ({{{{ }}}}); render it first (helm template)") from None
            raise _yaml_error(where, exc, line) from None
        line += segment.count("\n")
        for doc in docs:
            if doc is None:
                continue
            if not isinstance(doc, dict) or "kind" not in doc or "apiVersion" not in doc:
                sf.foreign_segments.add(index)
                continue
            if is_list(doc):  # every item, however deeply nested: a Secret in a List in a List is still a Secret
                for item in list_items(doc):
                    _check_object(item, where, index)
                    sf.objects.append(ManifestObject(rel, index, item, from_list=True))
                continue
            _check_object(doc, where, index)
            sf.objects.append(ManifestObject(rel, index, doc))
    return sf


def _check_object(doc: dict[str, Any], where: str, index: int) -> None:
    """The fields every object needs, with the types Kubernetes gives them (a name is a string, never a list)."""
    doc_no = f"document {index + 1}"
    kind = doc.get("kind")
    if not isinstance(kind, str) or not kind:
        raise InputError(f"{where}: {doc_no}: kind must be a non-empty string, got {type(kind).__name__}")
    if not isinstance(doc.get("apiVersion"), str):
        raise InputError(f"{where}: {doc_no}: {kind}'s apiVersion must be a string")
    meta = doc.get("metadata")
    if not isinstance(meta, dict) or not meta.get("name"):
        raise InputError(f"{where}: a {kind} without metadata.name ({doc_no})")
    for field_name in ("name", "namespace"):
        value = meta.get(field_name)
        if value is None and field_name == "namespace":
            continue
        if not isinstance(value, str) or not _OBJECT_NAME.match(value):
            shown = type(value).__name__ if not isinstance(value, str) else "a string with characters Kubernetes refuses"
            raise InputError(f"{where}: {doc_no}: {kind}'s metadata.{field_name} must be a name (lower-case letters, "
                             f"digits, '-', '.', ':'), got {shown}")
    check_shapes(doc, f"{where}: {doc_no}")


def _object_id(obj: ManifestObject) -> tuple[str, str, str, str]:
    """What kustomize tells objects apart by: API group, kind, namespace, name."""
    api = str(obj.obj.get("apiVersion", ""))
    group = api.rsplit("/", 1)[0] if "/" in api else ""
    return group, obj.kind, obj.namespace or "", obj.name


def _read(path: Path, rel: str) -> str:
    return yamlio.read_text(path, rel)


def _adopt(root: Path, source: str, kfile: Path) -> tuple[Adopted, list[str]]:
    rel = f"{source}/{kfile.name}"
    text = _read(kfile, rel)
    try:
        data = yamlio.load(text) or {}
    except yaml.YAMLError as exc:
        raise _yaml_error(rel, exc, 0) from None
    if not isinstance(data, dict):
        raise InputError(f"{rel}: expected a Kustomization mapping")
    check_kustomization(data, rel)
    files: list[str] = []
    remote: list[str] = []
    for key in ("resources", "bases"):
        for entry in data.get(key) or []:
            entry = str(entry)
            if "://" in entry or entry.startswith(("github.com/", "git@")):
                remote.append(entry)
                continue
            target = (root / entry).resolve()
            if target.is_dir():
                raise InputError(
                    f"{rel}: {key} entry {entry!r} is a folder; k8s-wizard adopts a single-folder kustomization "
                    "(point `source` at a folder whose kustomization lists files)"
                )
            if not target.is_file():
                raise InputError(f"{rel}: {key} entry {entry!r} does not exist")
            if root.resolve() not in target.parents:
                raise InputError(f"{rel}: {key} entry {entry!r} is outside the source folder")
            files.append(target.relative_to(root.resolve()).as_posix())
    generated_cms = [str(g.get("name")) for g in data.get("configMapGenerator") or [] if isinstance(g, dict)]
    generated_secrets: dict[str, list[str]] = {}
    for gen in data.get("secretGenerator") or []:
        if isinstance(gen, dict):
            generated_secrets[str(gen.get("name"))] = _generator_keys(root, gen)
    adopted = Adopted(rel, text, data, files, remote, generated_cms, generated_secrets, adopted_secret_patches(root, data, rel))
    return adopted, files


def adopted_secret_patches(root: Path, data: dict[str, Any], shown: str) -> list[SecretPatch]:
    """Every patch of a kustomization that sets a Secret (by target or by a document's kind)."""
    found: list[SecretPatch] = []
    for key in ("patches", "patchesStrategicMerge", "patchesJson6902"):
        entries = data.get(key) or []
        for i, entry in enumerate(entries if isinstance(entries, list) else []):
            found += patch_secrets(entry, root, f"{key}[{i}]", shown)[0]
    return found


def _generator_keys(root: Path, gen: dict[str, Any]) -> list[str]:
    """Key names of a secretGenerator, never its values."""
    keys: list[str] = []
    for literal in gen.get("literals") or []:
        keys.append(str(literal).split("=", 1)[0])
    for entry in gen.get("files") or []:
        entry = str(entry)
        keys.append(entry.split("=", 1)[0] if "=" in entry else Path(entry).name)
    for env_file in gen.get("envs") or []:
        path = root / str(env_file)
        if not path.resolve().is_relative_to(root.resolve()):
            raise InputError(f"secretGenerator envs entry {str(env_file)!r} is outside the source folder: not read")
        if path.is_file():
            for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
                line = line.strip()
                if line and not line.startswith("#") and "=" in line:
                    keys.append(line.split("=", 1)[0].strip())
    return sorted(set(keys))


def scan(repo: Path, source: str | None) -> Inventory:
    """Read the source folder of `repo` (nothing when there is no source: a new app)."""
    inv = Inventory(repo=repo, source=source)
    if source is None:
        return inv
    root = repo / source
    if not root.is_dir():
        raise InputError(f"source: folder {source!r} not found in {repo}")
    top = repo.resolve()
    if not root.resolve().is_relative_to(top):
        raise InputError(f"source: {source!r} leads outside the repository (a symlink?): not read")
    if (root / "Chart.yaml").exists():
        raise InputError(
            f"source: {source}/Chart.yaml: this is a Helm chart, not a folder of manifests. Describe it under `helm:` "
            f"instead of `source` (helm: {{chart: ./{source}, release: <today's release>, values: [<files used today>]}}): "
            "k8s-wizard then writes a Flux HelmRelease per environment."
        )
    kfile = next((root / n for n in KUSTOMIZATION_NAMES if (root / n).is_file()), None)
    if kfile is not None:
        inv.adopted, listed = _adopt(root, source, kfile)
        candidates = [root / f for f in listed]
    else:
        candidates = sorted(
            p
            for p in root.rglob("*")
            if p.is_file() and p.suffix in YAML_SUFFIXES and not any(part.startswith(".") for part in p.relative_to(root).parts)
        )
        nested = [p for p in candidates if p.name in KUSTOMIZATION_NAMES]
        if nested:
            where = nested[0].parent.relative_to(repo).as_posix()
            raise InputError(
                f"{where}/{nested[0].name}: the source already has a kustomization below its root; point `source` at "
                f"{where!r} (a single-folder kustomization is adopted as the base)"
            )
    for path in candidates:
        rel = path.relative_to(root).as_posix()
        if not path.resolve().is_relative_to(top):
            raise InputError(f"{source}/{rel}: a symlink that leads outside the repository: not read")
        sf = _load_file(rel, _read(path, f"{source}/{rel}"), f"{source}/{rel}")
        if not sf.objects:
            inv.skipped.append((f"{source}/{rel}", _skip_reason(sf)))
            continue
        inv.files.append(sf)
    seen: dict[tuple[str, str, str, str], str] = {}
    for obj in inv.objects:
        key = _object_id(obj)
        if key in seen:
            raise InputError(
                f"{source}/{obj.file}: {obj.kind}/{obj.name} is defined twice (also in {source}/{seen[key]}): kustomize "
                "refuses an object listed twice; keep one"
            )
        seen[key] = obj.file
    if not inv.objects and not (inv.adopted and (inv.adopted.generated_configmaps or inv.adopted.remote_resources)):
        raise InputError(f"source: no Kubernetes manifests found in {source!r}")
    return inv


def _skip_reason(sf: SourceFile) -> str:
    name = Path(sf.path).name.lower()
    if "compose" in name:
        return "docker-compose file, not a Kubernetes manifest"
    if "values" in name:
        return "Helm values file, not a Kubernetes manifest"
    return "no Kubernetes object (no apiVersion/kind)"


def ingress_hosts(ingresses: tuple[ManifestObject, ...]) -> tuple[str, ...]:
    """Every host today's Ingress rules name, sorted."""
    return tuple(
        sorted({str(r.get("host")) for o in ingresses for r in (o.obj.get("spec") or {}).get("rules") or [] if r.get("host")})
    )


def env_refs(obj: dict[str, Any]) -> list[tuple[str, str, str | None]]:
    """Secret and ConfigMap references of a workload: (kind, name, key or None for all keys)."""
    refs: list[tuple[str, str, str | None]] = []
    for c in containers(obj, init=True):
        for env in c.get("env") or []:
            source = (env or {}).get("valueFrom") or {}
            for kind, field_name in (("Secret", "secretKeyRef"), ("ConfigMap", "configMapKeyRef")):
                ref = source.get(field_name)
                if isinstance(ref, dict) and ref.get("name"):
                    refs.append((kind, str(ref["name"]), str(ref.get("key")) if ref.get("key") else None))
        for env_from in c.get("envFrom") or []:
            for kind, field_name in (("Secret", "secretRef"), ("ConfigMap", "configMapRef")):
                ref = (env_from or {}).get(field_name)
                if isinstance(ref, dict) and ref.get("name"):
                    refs.append((kind, str(ref["name"]), None))
    pod = pod_spec(obj) or {}
    for vol in pod.get("volumes") or []:
        secret = (vol or {}).get("secret")
        if isinstance(secret, dict) and secret.get("secretName"):
            items: list[str | None] = [str(i.get("key")) for i in secret.get("items") or [] if isinstance(i, dict)]
            refs.extend(("Secret", str(secret["secretName"]), k) for k in items or [None])
        cm = (vol or {}).get("configMap")
        if isinstance(cm, dict) and cm.get("name"):
            refs.append(("ConfigMap", str(cm["name"]), None))
    for pull in pod.get("imagePullSecrets") or []:
        if isinstance(pull, dict) and pull.get("name"):
            refs.append(("Secret", str(pull["name"]), ".dockerconfigjson"))
    return refs


def backing_services(inv: Inventory) -> list[dict[str, str]]:
    """Databases and external services the app talks to: StatefulSets, database images, *_URL env vars."""
    found: list[dict[str, str]] = []
    seen: set[str] = set()
    for w in inv.workloads():
        images = " ".join(str(c.get("image", "")) for c in containers(w.obj))
        if w.kind == "StatefulSet" or re.search(r"postgres|mysql|mariadb|mongo|redis|rabbitmq|kafka|elastic", images):
            if w.name not in seen:
                seen.add(w.name)
                found.append(
                    {
                        "name": w.name,
                        "kind": w.kind,
                        "evidence": f"{w.kind.lower()}/{w.name} runs {images.split()[0] if images else 'it'}",
                    }
                )
    for w in inv.workloads():
        for c in containers(w.obj):
            for env in c.get("env") or []:
                name = str((env or {}).get("name", ""))
                if name in BACKING_ENV and name not in seen:
                    seen.add(name)
                    found.append({"name": name, "kind": "env", "evidence": f"{name} in {w.kind.lower()}/{w.name}"})
    return found
