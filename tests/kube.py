"""Test helpers that use the real tools: kustomize (or `kubectl kustomize`), the CRD schemas, files on disk.

Nothing here mocks kustomize: `build()` runs the binary and parses what it prints with PyYAML's YAML 1.1
loader, which reads values the way kubectl's own YAML decoder does (`yes` is a boolean there, so an
unquoted `yes` in a ConfigMap would be caught). Within one test session a build whose inputs are byte for
byte those of an earlier successful, warning-free build (the product's content key, `buildcache.build_key`:
every file kustomize reads, with its path) reuses what kustomize printed then: many tests migrate the same
fixture the same way, and kustomize is half the suite's CPU.
"""

from __future__ import annotations

import fcntl
import functools
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml


def _shared() -> Path:
    """../shared next to the checkout: /work/main/tests -> /work/shared, and from a worktree /work/wt/NAME/tests too."""
    here = Path(__file__).resolve()
    for parent in here.parents[1:]:
        if (parent / "shared" / "fixtures").is_dir():
            return parent / "shared"
    return here.parents[2] / "shared"


SHARED = _shared()
SCHEMAS = SHARED / "schemas"
REAL_FIXTURES = SHARED / "fixtures" / "real"
FIXTURES = Path(__file__).resolve().parent / "fixtures"

KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")

# Kinds that have no namespace (the ones a single-app repo plausibly contains).
CLUSTER_SCOPED = frozenset({
    "APIService", "CSIDriver", "ClusterIssuer", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition",
    "IngressClass", "MutatingWebhookConfiguration", "Namespace", "Node", "PersistentVolume", "PriorityClass",
    "RuntimeClass", "StorageClass", "ValidatingAdmissionPolicy", "ValidatingWebhookConfiguration",
    "VolumeSnapshotClass",
})
POD_TEMPLATE_KINDS = frozenset({"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob"})
SCALABLE_KINDS = frozenset({"Deployment", "StatefulSet"})

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def kustomize_command(directory: Path) -> list[str]:
    """`kustomize build DIR` when that binary exists, else `kubectl kustomize DIR`."""
    if shutil.which("kustomize"):
        return ["kustomize", "build", str(directory)]
    if shutil.which("kubectl"):
        return ["kubectl", "kustomize", str(directory)]
    pytest.fail("neither kustomize nor kubectl is installed: the tests need the real kustomize")


def load_all(text: str) -> list[dict[str, Any]]:
    """Every non-empty document of a YAML stream (YAML 1.1, anchors and merge keys resolved)."""
    return [doc for doc in yaml.load_all(text, Loader=_Loader) if doc is not None]


BUILDS: Path | None = None
"""Where this session keeps what kustomize printed for each content key (set by conftest; None: no reuse)."""


def _printed(directory: Path, command: list[str]) -> tuple[Path | None, str | None]:
    """(memo file, what kustomize printed before for these exact inputs, or None)."""
    from wizard.core.buildcache import build_key

    if BUILDS is None:
        return None, None
    keyed = build_key(directory, command[:-1])  # the command without the folder: the binary's identity
    if keyed is None:
        return None, None
    memo = BUILDS / f"{keyed[0]}.yaml"
    try:
        return memo, memo.read_text(encoding="utf-8")
    except OSError:
        return memo, None


def run_recorded(argv: list[str]) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of the real kustomize `argv` (ending with the folder), reused as the module says.

    The product's builds go through here too during the tests (conftest sets `wizard.core.kustomize.runner`):
    a test that checks an overlay the product has just built reads what that build printed.
    """
    from wizard.core.kustomize import run_kustomize

    directory = Path(argv[-1])
    memo, printed = _printed(directory, argv)
    if printed is not None:
        return 0, printed, ""
    if memo is None:
        return run_kustomize(argv)
    # One build per set of inputs in the run: a pytest worker that wants the same build another one is running
    # waits for it (parametrized tests of one case often run on two workers at once), then reads what it printed.
    with open(memo.with_suffix(".lock"), "w", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            return 0, memo.read_text(encoding="utf-8"), ""
        except OSError:
            pass
        code, stdout, stderr = run_kustomize(argv)
        if code == 0 and not stderr:
            fd, tmp = tempfile.mkstemp(dir=memo.parent, prefix=".tmp-")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(stdout)
            os.replace(tmp, memo)  # atomic: other pytest workers may read it at once
    return code, stdout, stderr


def run_build(directory: Path) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of the real kustomize build of `directory` (reused as the module says)."""
    return run_recorded(kustomize_command(directory))


def build(directory: Path) -> tuple[list[dict[str, Any]], str]:
    """Build a kustomization with the real kustomize: (objects, stderr). Fails the test when the build fails."""
    code, stdout, stderr = run_build(directory)
    if code != 0:
        pytest.fail(f"kustomize build of {directory} failed (exit {code}):\n{stderr}")
    return load_all(stdout), stderr


def flatten(doc: Any) -> Iterator[dict[str, Any]]:
    """The Kubernetes objects of one document: Lists (`kind: List`, `*List`) give their items."""
    if not isinstance(doc, dict) or "kind" not in doc or "apiVersion" not in doc:
        return
    if str(doc["kind"]).endswith("List") and isinstance(doc.get("items"), list):
        for item in doc["items"]:
            yield from flatten(item)
    else:
        yield doc


def find_kustomization(directory: Path) -> Path | None:
    """The kustomization file of a folder, if it has one."""
    for name in KUSTOMIZATION_FILES:
        if (directory / name).is_file():
            return directory / name
    return None


def yaml_files(directory: Path) -> list[Path]:
    """Every YAML file below a folder, in a stable order."""
    return sorted(p for p in directory.rglob("*") if p.is_file() and p.suffix in (".yaml", ".yml"))


def default_namespace(objects: list[dict[str, Any]], namespace: str | None) -> list[dict[str, Any]]:
    """Give namespaced objects without a namespace the one they land in when applied (`kubectl apply -n`)."""
    if not namespace:
        return objects
    for obj in objects:
        if obj.get("kind") not in CLUSTER_SCOPED:
            meta = obj.setdefault("metadata", {}) or {}
            obj["metadata"] = meta
            if not meta.get("namespace"):
                meta["namespace"] = namespace
    return objects


def today_objects(source_dir: Path, namespace: str | None) -> list[dict[str, Any]]:
    """Today's objects: the source kustomization built when there is one, else every document of every YAML file.

    Lists are flattened; namespaced objects without a namespace get `namespace` (what `kubectl apply -n` does).
    """
    if find_kustomization(source_dir) is not None:
        objects, _ = build(source_dir)  # today's build may warn (commonLabels): that is the user's, not ours
        return default_namespace(objects, namespace)
    objects = []
    for path in yaml_files(source_dir):
        for doc in load_all(path.read_text(encoding="utf-8")):
            objects.extend(flatten(doc))
    return default_namespace(objects, namespace)


def key(obj: dict[str, Any]) -> tuple[str, str, str]:
    """(kind, namespace, name) of an object; namespace is '' when it has none."""
    meta = obj.get("metadata") or {}
    return (str(obj.get("kind", "")), str(meta.get("namespace") or ""), str(meta.get("name", "")))


def by_key(objects: list[dict[str, Any]]) -> dict[tuple[str, str, str], dict[str, Any]]:
    """Objects indexed by key()."""
    return {key(obj): obj for obj in objects}


def pod_spec(obj: dict[str, Any]) -> dict[str, Any] | None:
    """The pod spec of a workload, Job or CronJob (None for other kinds)."""
    spec = obj.get("spec") or {}
    if obj.get("kind") == "CronJob":
        spec = ((spec.get("jobTemplate") or {}).get("spec")) or {}
    if obj.get("kind") == "Pod":
        return spec
    template = spec.get("template")
    return (template or {}).get("spec") if isinstance(template, dict) else None


def images(obj: dict[str, Any]) -> list[tuple[str, str]]:
    """(container name, image) of every container and init container of an object."""
    pod = pod_spec(obj) or {}
    return [
        (str(c.get("name")), str(c.get("image")))
        for part in ("initContainers", "containers")
        for c in pod.get(part) or []
    ]


def node_ports(objects: list[dict[str, Any]]) -> set[int]:
    """Fixed nodePorts of every Service."""
    return {
        int(port["nodePort"])
        for obj in objects
        if obj.get("kind") == "Service"
        for port in (obj.get("spec") or {}).get("ports") or []
        if port.get("nodePort")
    }


@functools.cache
def _crds() -> dict[tuple[str, str], dict[str, Any]]:
    """Every CustomResourceDefinition under ../shared/schemas, by (group, kind)."""
    crds = {}
    for path in yaml_files(SCHEMAS):
        for doc in load_all(path.read_text(encoding="utf-8")):
            if isinstance(doc, dict) and doc.get("kind") == "CustomResourceDefinition":
                spec = doc["spec"]
                crds[(spec["group"], spec["names"]["kind"])] = doc
    return crds


def crd_schema(api_version: str, kind: str) -> dict[str, Any]:
    """The openAPIV3Schema of the served CRD version for apiVersion/kind; fails when it is not served."""
    if not SCHEMAS.is_dir():
        pytest.skip(f"CRD schemas not present at {SCHEMAS}")
    group, _, version = api_version.rpartition("/")
    crd = _crds().get((group, kind))
    if crd is None:
        pytest.fail(f"no CRD for {kind}.{group} under {SCHEMAS}")
    for candidate in crd["spec"]["versions"]:
        if candidate["name"] == version:
            assert candidate.get("served"), f"{api_version} {kind} is not a served version of the CRD"
            return candidate["schema"]["openAPIV3Schema"]
    served = [v["name"] for v in crd["spec"]["versions"] if v.get("served")]
    pytest.fail(f"{api_version} {kind}: version {version!r} does not exist in the CRD (served: {served})")


def crd_errors(obj: dict[str, Any]) -> list[str]:
    """Schema violations of a custom resource against its CRD's served-version openAPIV3Schema."""
    import jsonschema

    schema = crd_schema(str(obj.get("apiVersion", "")), str(obj.get("kind", "")))
    validator = jsonschema.Draft7Validator(schema)
    return [
        f"{'/'.join(str(p) for p in err.absolute_path) or '<root>'}: {err.message}"
        for err in sorted(validator.iter_errors(obj), key=lambda e: list(map(str, e.absolute_path)))
    ]


def validate_crd(obj: dict[str, Any]) -> None:
    """Assert that a custom resource validates against the matching CRD schema in ../shared/schemas."""
    errors = crd_errors(obj)
    assert not errors, f"{obj.get('kind')} {key(obj)[2]!r} violates its CRD schema:\n" + "\n".join(errors)


def tree_bytes(directory: Path) -> dict[str, bytes]:
    """Every file below a folder as {posix relative path: bytes} (symlinks recorded as `-> target`)."""
    tree = {}
    for path in sorted(directory.rglob("*")):
        rel = path.relative_to(directory).as_posix()
        if rel.startswith(".git/") or "__pycache__" in path.parts:
            continue
        if path.is_symlink():
            tree[rel] = b"-> " + str(path.readlink()).encode()
        elif path.is_file():
            tree[rel] = path.read_bytes()
    return tree


def tree_diff(before: dict[str, bytes], after: dict[str, bytes]) -> list[str]:
    """Human-readable list of what differs between two tree_bytes() snapshots."""
    out = [f"added {p}" for p in sorted(after.keys() - before.keys())]
    out += [f"removed {p}" for p in sorted(before.keys() - after.keys())]
    out += [f"changed {p}" for p in sorted(before.keys() & after.keys()) if before[p] != after[p]]
    return out
