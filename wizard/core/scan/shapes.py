"""The shapes of the object fields the tool reads, checked once at scan time.

The API server refuses a Deployment whose `spec.template.spec.containers` is a string or a ConfigMap whose
`data` is a list; so does the scan, with the file, document, object and field (never the value), instead
of every later stage guarding each access. Only fields k8s-wizard reads are listed.
"""

from __future__ import annotations

from typing import Any

from wizard.core.errors import InputError

MAP, LIST, STR, INT = "a mapping", "a list of mappings", "a string", "a whole number"
STRS = "a list of strings"
_TYPES: dict[str, tuple[type, ...]] = {MAP: (dict,), LIST: (list,), STR: (str,), INT: (int,), STRS: (list,)}

_POD = [
    ("", MAP), ("metadata", MAP), ("metadata.labels", MAP), ("metadata.annotations", MAP), ("spec", MAP),
    ("spec.volumes", LIST), ("spec.volumes[].secret", MAP), ("spec.volumes[].configMap", MAP),
    ("spec.volumes[].persistentVolumeClaim", MAP), ("spec.volumes[].secret.items", LIST),
    ("spec.imagePullSecrets", LIST), ("spec.serviceAccountName", STR),
]
for _c in ("spec.containers", "spec.initContainers"):
    _POD += [
        (_c, LIST), (f"{_c}[].name", STR), (f"{_c}[].image", STR), (f"{_c}[].env", LIST),
        (f"{_c}[].env[].name", STR), (f"{_c}[].env[].valueFrom", MAP), (f"{_c}[].env[].valueFrom.secretKeyRef", MAP),
        (f"{_c}[].env[].valueFrom.configMapKeyRef", MAP), (f"{_c}[].envFrom", LIST),
        (f"{_c}[].envFrom[].secretRef", MAP), (f"{_c}[].envFrom[].configMapRef", MAP), (f"{_c}[].ports", LIST),
        (f"{_c}[].resources", MAP), (f"{_c}[].resources.requests", MAP), (f"{_c}[].resources.limits", MAP),
        (f"{_c}[].volumeMounts", LIST),
    ]


def _workload(template: str) -> list[tuple[str, str]]:
    prefix = template.rsplit(".template", 1)[0]
    return [(prefix, MAP), (f"{prefix}.selector", MAP), (f"{prefix}.replicas", INT),
            *((f"{template}.{p}" if p else template, t) for p, t in _POD)]


FIELDS: dict[str, list[tuple[str, str]]] = {
    "*": [("metadata", MAP), ("metadata.labels", MAP), ("metadata.annotations", MAP), ("spec", MAP)],
    "ConfigMap": [("data", MAP), ("binaryData", MAP)],
    "Secret": [("data", MAP), ("stringData", MAP), ("type", STR)],
    "Service": [("spec.ports", LIST), ("spec.selector", MAP), ("spec.type", STR)],
    "Ingress": [("spec.rules", LIST), ("spec.rules[].host", STR), ("spec.rules[].http", MAP),
                ("spec.rules[].http.paths", LIST), ("spec.tls", LIST), ("spec.tls[].hosts", (LIST)),
                ("spec.defaultBackend", MAP)],
    "HorizontalPodAutoscaler": [("spec.scaleTargetRef", MAP), ("spec.scaleTargetRef.name", STR), ("spec.metrics", LIST),
                                ("spec.metrics[].resource", MAP), ("spec.metrics[].resource.target", MAP),
                                ("spec.minReplicas", INT), ("spec.maxReplicas", INT)],
    "PersistentVolumeClaim": [("spec.resources", MAP), ("spec.accessModes", LIST), ("spec.volumeName", STR),
                              ("spec.storageClassName", STR)],
    "PersistentVolume": [("spec.claimRef", MAP), ("spec.storageClassName", STR)],
    "Deployment": _workload("spec.template"),
    "StatefulSet": [*_workload("spec.template"), ("spec.volumeClaimTemplates", LIST), ("spec.serviceName", STR)],
    "DaemonSet": _workload("spec.template"),
    "ReplicaSet": _workload("spec.template"),
    "Job": _workload("spec.template"),
    "CronJob": [("spec.jobTemplate", MAP), *_workload("spec.jobTemplate.spec.template")],
}
KUSTOMIZATION = [
    ("resources", STRS), ("bases", STRS), ("components", STRS), ("namespace", STR), ("namePrefix", STR),
    ("nameSuffix", STR), ("commonLabels", MAP), ("commonAnnotations", MAP), ("labels", LIST), ("labels[].pairs", MAP),
    ("images", LIST), ("replicas", LIST), ("patches", LIST), ("patches[].target", MAP), ("patches[].path", STR),
    ("patches[].patch", STR), ("patchesStrategicMerge", STRS), ("patchesJson6902", LIST),
    ("patchesJson6902[].target", MAP), ("configMapGenerator", LIST), ("configMapGenerator[].name", STR),
    ("configMapGenerator[].literals", STRS), ("configMapGenerator[].files", STRS), ("configMapGenerator[].envs", STRS),
    ("secretGenerator", LIST), ("secretGenerator[].name", STR), ("secretGenerator[].literals", STRS),
    ("secretGenerator[].files", STRS), ("secretGenerator[].envs", STRS), ("generatorOptions", MAP), ("vars", LIST),
]
"""The fields of an adopted kustomization.yaml the tool reads, with kustomize's types."""

# A list of scalars rather than mappings, where Kubernetes wants one.
_SCALAR_LISTS = {"spec.accessModes", "spec.tls[].hosts"}


def _walk(node: Any, parts: list[str], at: str) -> list[tuple[str, Any]]:
    """The values at a dotted path (`a[].b`: `b` of every item of list `a`), with their concrete paths."""
    if not parts:
        return [(at, node)]
    head, rest = parts[0], parts[1:]
    each = head.endswith("[]")
    key = head.removesuffix("[]")
    if not isinstance(node, dict) or key not in node or node[key] is None:
        return []
    value = node[key]
    here = f"{at}.{key}" if at else key
    if not each:
        return _walk(value, rest, here)
    if not isinstance(value, list):
        return []
    return [hit for i, item in enumerate(value) for hit in _walk(item, rest, f"{here}[{i}]")]


def check_shapes(doc: dict[str, Any], where: str) -> None:
    """InputError naming `where`, the object and the field when a field the tool reads has the wrong type."""
    kind = str(doc.get("kind"))
    name = doc.get("metadata", {}).get("name") if isinstance(doc.get("metadata"), dict) else None
    _check(doc, [*FIELDS["*"], *FIELDS.get(kind, [])], f"{where}: {kind}/{name}")


def check_kustomization(doc: dict[str, Any], where: str) -> None:
    """The same for an adopted kustomization.yaml."""
    _check(doc, KUSTOMIZATION, where)


def _check(doc: dict[str, Any], fields: list[tuple[str, str]], where: str) -> None:
    for path, want in fields:
        for concrete, value in _walk(doc, path.split(".") if path else [], ""):
            ok = isinstance(value, _TYPES[want]) and not (want == INT and isinstance(value, bool))
            if ok and want == LIST and path not in _SCALAR_LISTS:
                ok = all(isinstance(item, dict) for item in value)
            if ok and want == STRS:
                ok = all(isinstance(item, str) for item in value)
            if not ok:
                got = "true/false" if isinstance(value, bool) else type(value).__name__
                raise InputError(f"{where}: {concrete} must be {want}, got {got}")
