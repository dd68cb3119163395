"""Facts about Kubernetes kinds the generator relies on."""

from __future__ import annotations

from typing import Any

# Kinds that have no namespace. Kustomize's namespace transformer leaves them alone (but renames a
# Namespace object), so they can exist once per cluster: they stay in the current environment only.
CLUSTER_SCOPED = frozenset(
    {
        "APIService",
        "CSIDriver",
        "CSINode",
        "CertificateSigningRequest",
        "ClusterIssuer",
        "ClusterPolicy",
        "ClusterRole",
        "ClusterRoleBinding",
        "ClusterSecretStore",
        "CustomResourceDefinition",
        "FlowSchema",
        "GatewayClass",
        "IngressClass",
        "MutatingWebhookConfiguration",
        "Namespace",
        "Node",
        "PersistentVolume",
        "PodSecurityPolicy",
        "PriorityClass",
        "PriorityLevelConfiguration",
        "RuntimeClass",
        "StorageClass",
        "ValidatingAdmissionPolicy",
        "ValidatingAdmissionPolicyBinding",
        "ValidatingWebhookConfiguration",
        "VolumeAttachment",
        "VolumeSnapshotClass",
    }
)

# Workloads with a pod template: replicas, resources, images and environment labels apply to them.
WORKLOADS = frozenset({"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob"})
SCALABLE = frozenset({"Deployment", "StatefulSet", "ReplicaSet"})

# Images that are third-party infrastructure rather than the app's own build (for `image_tag`).
INFRA_IMAGES = frozenset(
    {
        "postgres",
        "postgresql",
        "mysql",
        "mariadb",
        "mongo",
        "mongodb",
        "redis",
        "memcached",
        "rabbitmq",
        "elasticsearch",
        "kafka",
        "zookeeper",
        "nginx",
        "busybox",
        "alpine",
        "etcd",
        "minio",
        "nats",
        "bitnami/postgresql",
        "bitnami/redis",
        "bitnami/mysql",
        "bitnami/mongodb",
        "bitnami/kafka",
    }
)

BACKING_ENV = (
    "DATABASE_URL",
    "DB_HOST",
    "POSTGRES_HOST",
    "MYSQL_HOST",
    "REDIS_URL",
    "REDIS_HOST",
    "MONGO_URL",
    "MONGODB_URI",
    "AMQP_URL",
    "RABBITMQ_URL",
    "KAFKA_BROKERS",
    "ELASTICSEARCH_URL",
)


def is_list(doc: Any) -> bool:
    """True for a list of objects (`kind: List`, `SecretList`, ...): kustomize and kubectl read its items.

    Like kustomize (kyaml's IsList), any kind ending in `List` with an `items` sequence is a list.
    """
    return isinstance(doc, dict) and str(doc.get("kind", "")).endswith("List") and isinstance(doc.get("items"), list)


def list_items(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """The objects of a list, at any depth of nesting (a List of Lists of Secrets gives the Secrets)."""
    found: list[dict[str, Any]] = []
    pending: list[Any] = list(reversed(doc.get("items") or []))
    while pending:
        item = pending.pop()
        if is_list(item):
            pending.extend(reversed(item["items"]))
        elif isinstance(item, dict) and "kind" in item:
            found.append(item)
    return found


def secret_keys(obj: Any) -> tuple[str, ...]:
    """A Secret's key names (`data` and `stringData`), never its values; tolerant of malformed fields."""
    keys: set[str] = set()
    if isinstance(obj, dict):
        for part in ("data", "stringData"):
            section = obj.get(part)
            if isinstance(section, dict):
                keys.update(str(k) for k in section)
    return tuple(sorted(keys))


def pod_spec(obj: dict[str, Any]) -> dict[str, Any] | None:
    """The pod spec of a workload (CronJob's is two templates deep), or None."""
    spec = obj.get("spec") or {}
    if obj.get("kind") == "CronJob":
        spec = ((spec.get("jobTemplate") or {}).get("spec")) or {}
    template = spec.get("template") if isinstance(spec, dict) else None
    if not isinstance(template, dict):
        return None
    pod = template.get("spec")
    return pod if isinstance(pod, dict) else None


def containers(obj: dict[str, Any], *, init: bool = False) -> list[dict[str, Any]]:
    """The containers of a workload (and its init containers when asked)."""
    pod = pod_spec(obj) or {}
    found = [c for c in pod.get("containers") or [] if isinstance(c, dict)]
    if init:
        found += [c for c in pod.get("initContainers") or [] if isinstance(c, dict)]
    return found


def image_name(image: str) -> str:
    """The image without tag or digest (what kustomize's `images:` matches on)."""
    name = image.split("@", 1)[0]
    last = name.rsplit("/", 1)[-1]
    if ":" in last:
        name = name[: len(name) - len(last)] + last.split(":", 1)[0]
    return name


def image_tag(image: str) -> str | None:
    """The tag of an image reference, None when untagged (implicitly `latest`)."""
    if "@" in image:
        return None
    last = image.rsplit("/", 1)[-1]
    return last.split(":", 1)[1] if ":" in last else None


def is_infra_image(image: str) -> bool:
    """Third-party images (official Docker Hub images, well-known databases): not the app's own build."""
    name = image_name(image)
    short = name.removeprefix("docker.io/").removeprefix("library/")
    return "/" not in short or short in INFRA_IMAGES or short.rsplit("/", 1)[-1] in INFRA_IMAGES


def secret_reference_paths(obj: dict[str, Any]) -> list[tuple[str, str]]:
    """(JSON pointer, Secret name) of every place a workload's pod template names a Secret.

    env valueFrom.secretKeyRef, envFrom secretRef (containers and init containers), secret and projected
    volumes, imagePullSecrets: what kustomize's name reference transformer rewrites for a generated Secret.
    """
    prefix = "/spec/template/spec"
    if obj.get("kind") == "CronJob":
        prefix = "/spec/jobTemplate/spec/template/spec"
    pod = pod_spec(obj) or {}
    found: list[tuple[str, str]] = []
    for part in ("initContainers", "containers"):
        for i, c in enumerate(pod.get(part) or []):
            if not isinstance(c, dict):
                continue
            for j, env in enumerate(c.get("env") or []):
                ref = ((env or {}).get("valueFrom") or {}).get("secretKeyRef") or {}
                if ref.get("name"):
                    found.append((f"{prefix}/{part}/{i}/env/{j}/valueFrom/secretKeyRef/name", str(ref["name"])))
            for j, env_from in enumerate(c.get("envFrom") or []):
                ref = (env_from or {}).get("secretRef") or {}
                if ref.get("name"):
                    found.append((f"{prefix}/{part}/{i}/envFrom/{j}/secretRef/name", str(ref["name"])))
    for i, vol in enumerate(pod.get("volumes") or []):
        secret = (vol or {}).get("secret") or {}
        if secret.get("secretName"):
            found.append((f"{prefix}/volumes/{i}/secret/secretName", str(secret["secretName"])))
        for j, source in enumerate(((vol or {}).get("projected") or {}).get("sources") or []):
            ref = (source or {}).get("secret") or {}
            if ref.get("name"):
                found.append((f"{prefix}/volumes/{i}/projected/sources/{j}/secret/name", str(ref["name"])))
    for i, pull in enumerate(pod.get("imagePullSecrets") or []):
        if isinstance(pull, dict) and pull.get("name"):
            found.append((f"{prefix}/imagePullSecrets/{i}/name", str(pull["name"])))
    return found
