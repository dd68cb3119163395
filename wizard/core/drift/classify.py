"""Why two environments differ at one field: the answer (or the wizard's rule) behind it.

A difference is *from the answers* when the overlays k8s-wizard generated differ there in exactly the
same way (the record of the last generation, built like the real overlays); what remains is
*unexplained*. For an explained difference the field says which answer it is: replicas, resources,
image tags, hosts, config, autoscaling, services, or one of the isolation rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from wizard.core.answers.parse import Environment
from wizard.core.drift.compare import FieldPath, RawDifference
from wizard.core.drift.normalize import ObjectKey

WORKLOAD_KINDS = frozenset({"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob"})
ANSWER_KEYS = {
    "replicas": "replicas",
    "autoscaling": "autoscaling",
    "resources": "resources",
    "tags": "image_tag",
    "hosts": "host",
    "config": "config",
    "services": "services",
}


def _autoscaled(objects: Mapping[ObjectKey, Any], name: str) -> bool:
    for (kind, _, _), obj in objects.items():
        if kind == "HorizontalPodAutoscaler":
            target = ((obj.get("spec") or {}).get("scaleTargetRef") or {}).get("name")
            if target == name:
                return True
    return False


def reason(d: RawDifference, a: Mapping[ObjectKey, Any], b: Mapping[ObjectKey, Any]) -> str:
    """The REASONS key for a difference the generated overlays also have."""
    kind, namespace, name = d.key
    path: FieldPath = d.path
    if kind == "HorizontalPodAutoscaler":
        return "autoscaling"
    if kind == "SealedSecret":
        return "secrets"
    if not path:
        if namespace or kind in ("PersistentVolume", "ClusterRole", "ClusterRoleBinding", "StorageClass", "IngressClass"):
            return "isolation"
        if kind in WORKLOAD_KINDS or kind == "Service":
            return "services"
        return "generated"
    if kind in WORKLOAD_KINDS and path == ("spec", "replicas"):
        return "autoscaling" if _autoscaled(a, name) or _autoscaled(b, name) else "replicas"
    if "resources" in path and ("containers" in path or "initContainers" in path):
        return "resources"
    if path[-1] == "image" or (len(path) > 1 and path[-2] == "image"):
        return "tags"
    if kind == "Ingress" and path[:2] in (("spec", "rules"), ("spec", "tls")):
        return "hosts"
    if kind == "ConfigMap" and path[0] in ("data", "binaryData"):
        return "config"
    if kind == "Service" and "nodePort" in path:
        return "isolation"
    if kind == "PersistentVolumeClaim" and path[-1] == "volumeName":
        return "isolation"
    return "generated"


def answer_keys(reason_key: str, envs: list[tuple[int, Environment]]) -> tuple[str, ...]:
    """The answers-file keys behind a reason, for the environments that set them."""
    attr = ANSWER_KEYS.get(reason_key)
    if attr is None:
        return ()
    keys = []
    for index, env in envs:
        value = getattr(env, attr)
        if value:
            keys.append(f"environments[{index}].{attr}")
    return tuple(keys)
