"""The answers file (schema version 1): load, validate, fill defaults, write back normalized.

Every error names the key path (`environments[1].replicas`) and what is wrong, and never echoes a
value that could be a secret. The answers file holds no secret value by design: only key names.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from wizard.core import yamlio
from wizard.core.answers import schema, semantic
from wizard.core.answers.helm import HelmAnswers, helm_dict, parse_helm, parse_values
from wizard.core.answers.patterns import (
    CONFIG_KEY,
    DNS_LABEL,
    DNS_LABEL_MAX,
    GIT_BRANCH,
    GIT_URL,
    HOST_NAME,
    IMAGE_TAG,
    QUANTITY,
    SECRET_KEY,
)
from wizard.core.errors import InputError
from wizard.core.layout import ANSWERS_FILE

__all__ = ["ANSWERS_FILE"]  # re-exported: the commands and tests import it from here
ANSWERS_MAX_BYTES = 1024 * 1024  # an answers file is a few kilobytes
# The patterns (wizard.core.answers.patterns) and choices are the schema's (wizard/core/answers/schema.json):
# one definition for the core, the interview and editors.
PROVIDERS = tuple(schema.schema()["properties"]["secrets"]["properties"]["provider"]["enum"])
CI_CHOICES = tuple(schema.schema()["properties"]["ci"]["enum"])
SERVICE_CHOICES = tuple(schema.definition("environment")["properties"]["services"]["additionalProperties"]["enum"])


@dataclass(frozen=True)
class Autoscaling:
    """An HPA for one workload: replica bounds and the CPU utilisation target (percent)."""

    min: int
    max: int
    cpu: int


@dataclass(frozen=True)
class Resources:
    """Container resources: `requests` and `limits`, resource name -> quantity (as typed)."""

    requests: dict[str, str] = field(default_factory=dict)
    limits: dict[str, str] = field(default_factory=dict)
    parts: tuple[str, ...] = ()
    """Which of requests/limits the answer named (an empty mapping given is kept)."""

    def as_dict(self) -> dict[str, dict[str, str]]:
        """The `resources:` mapping of a container (only the parts that were given)."""
        return {
            part: dict(getattr(self, part))
            for part in ("requests", "limits")
            if getattr(self, part) or part in self.parts
        }


@dataclass(frozen=True)
class Environment:
    """One environment of the promotion chain and what differs in it."""

    name: str
    namespace: str
    current: bool = False
    replicas: int | dict[str, int] | None = None
    host: str | dict[str, str] | None = None
    config: dict[str, Any] = field(default_factory=dict)
    image_tag: str | dict[str, str] | None = None
    resources: Resources | dict[str, Resources] | None = None
    autoscaling: Autoscaling | dict[str, Autoscaling] | None = None
    services: dict[str, str] = field(default_factory=dict)
    values: dict[str, Any] | None = None
    """Raw chart values for this environment (Helm apps only), deep-merged over today's."""
    cluster: str | None = None
    """The cluster it runs on; None when every environment shares one cluster (the default)."""


@dataclass(frozen=True)
class NewApp:
    """The workload to create when there are no manifests yet."""

    image: str
    port: int
    liveness: str | None = None
    readiness: str | None = None
    config: dict[str, str] = field(default_factory=dict)
    secrets: tuple[str, ...] = ()


@dataclass(frozen=True)
class SecretsConfig:
    """How secrets reach each environment (never the values themselves)."""

    provider: str = "sealed-secrets"
    controller_name: str = "sealed-secrets-controller"
    controller_namespace: str = "kube-system"
    cert: str | None = None
    scope: str = "strict"
    certs: dict[str, str] = field(default_factory=dict)
    """Per-cluster controller certificates (cluster -> path in the repository); `cert` is the default."""

    def cert_for(self, cluster: str | None) -> str | None:
        """The certificate that seals for a cluster: its own in `certs`, else `cert`."""
        return self.certs.get(cluster, self.cert) if cluster is not None else self.cert


@dataclass(frozen=True)
class Answers:
    """Validated answers: everything the plan and the render need from the user."""

    app: str
    environments: tuple[Environment, ...]
    source: str | None = None
    output: str = "k8s"
    new_app: NewApp | None = None
    secrets: SecretsConfig = field(default_factory=SecretsConfig)
    flux_url: str | None = None
    flux_branch: str = "main"
    ci: str = "github-actions"
    version: int = 1
    helm: HelmAnswers | None = None
    """The chart deployed today (a Helm app), else None."""

    @property
    def current(self) -> Environment | None:
        """The environment that runs today (None for a new app)."""
        return next((e for e in self.environments if e.current), None)

    @property
    def clusters(self) -> tuple[str, ...]:
        """The clusters the environments name, in promotion order of their first environment (() for one cluster)."""
        return tuple(dict.fromkeys(e.cluster for e in self.environments if e.cluster is not None))

    @property
    def multi_cluster(self) -> bool:
        """True when environments run on more than one cluster: Flux files go to clusters/<cluster>/."""
        return len(self.clusters) > 1

    def same_cluster(self, a: Environment, b: Environment) -> bool:
        """True when two environments run on the same cluster."""
        return a.cluster == b.cluster

    def holds_cluster_objects(self, env: Environment) -> bool:
        """Whether the environment's build has the objects that exist once per cluster.

        Cluster-scoped objects, objects pinned to another namespace and fixed nodePorts exist once per cluster
        (DOMAIN.md). On today's cluster the environment that runs today has them; on every other cluster, the
        first environment there in promotion order has its own copy. The isolation rules apply per cluster.
        """
        if env.current:
            return True
        if not self.multi_cluster:
            return False
        current = self.current
        if current is not None and current.cluster == env.cluster:
            return False
        return next(e for e in self.environments if e.cluster == env.cluster) is env

    def environment(self, name: str) -> Environment:
        """The environment called `name`."""
        for env in self.environments:
            if env.name == name:
                return env
        raise KeyError(name)


class _Reader:
    """Walks a raw mapping, collecting typed values and failing with the key path."""

    def __init__(self, origin: str) -> None:
        self.origin = origin

    def fail(self, path: str, reason: str) -> InputError:
        return InputError(f"{self.origin}: {path}: {reason}")

    def mapping(self, value: Any, path: str, allowed: tuple[str, ...] | None = None) -> dict[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            raise self.fail(path, f"expected a mapping, got {type(value).__name__}")
        for key in value:
            if not isinstance(key, str):
                raise self.fail(path, f"keys must be strings, got {key!r}")
            if allowed is not None and key not in allowed:
                raise self.fail(f"{path}.{key}" if path else key, f"unknown key (allowed: {', '.join(allowed)})")
        return dict(value)

    def string(self, value: Any, path: str, pattern: re.Pattern[str] | None = None, what: str = "") -> str:
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise self.fail(path, f"expected a string, got {type(value).__name__}")
        text = str(value)
        if pattern is not None and not pattern.match(text):
            raise self.fail(path, f"{text!r} is not {what}")
        return text

    def label(self, value: Any, path: str) -> str:
        text = self.string(value, path)
        if len(text) > DNS_LABEL_MAX or not DNS_LABEL.match(text):
            raise self.fail(path, f"{text!r} is not a DNS-1123 label (lower-case letters, digits, '-', at most 63)")
        return text

    def integer(self, value: Any, path: str, low: int = 0, high: int = 10_000) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(path, f"expected a whole number, got {value!r}")
        if not low <= value <= high:
            raise self.fail(path, f"{value} is out of range {low}..{high}")
        return value

    def choice(self, value: Any, path: str, choices: tuple[str, ...]) -> str:
        text = self.string(value, path)
        if text not in choices:
            raise self.fail(path, f"{text!r} is not one of {', '.join(choices)}")
        return text


def _resources(r: _Reader, raw: Any, path: str) -> Resources:
    data = r.mapping(raw, path, ("requests", "limits"))
    out: dict[str, dict[str, str]] = {}
    for part in ("requests", "limits"):
        if part not in data:
            continue
        amounts = r.mapping(data[part], f"{path}.{part}")
        checked = {}
        for res, qty in sorted(amounts.items()):
            text = r.string(qty, f"{path}.{part}.{res}")
            if not QUANTITY.match(text):
                raise r.fail(f"{path}.{part}.{res}", f"{text!r} is not a Kubernetes quantity (like 100m, 128Mi, 1)")
            checked[res] = text
        out[part] = checked
    return Resources(out.get("requests", {}), out.get("limits", {}), tuple(p for p in ("requests", "limits") if p in out))


def _per_workload_resources(raw: Mapping[str, Any]) -> bool:
    """True when `resources` is {workload: {requests, limits}} rather than one {requests, limits} for all.

    Decided by the shape of the values, not the keys, so a workload called `limits` is not ambiguous:
    one spec's `requests`/`limits` hold quantities, a workload's entry holds `requests`/`limits` mappings.
    """
    return bool(raw) and all(
        isinstance(v, Mapping) and v and set(v) <= {"requests", "limits"} and all(isinstance(x, Mapping) for x in v.values())
        for v in raw.values()
    )


def _autoscaling(r: _Reader, raw: Any, path: str) -> Autoscaling:
    data = r.mapping(raw, path, ("min", "max", "cpu"))
    for key in ("min", "max"):
        if key not in data:
            raise r.fail(f"{path}.{key}", "required")
    low = r.integer(data["min"], f"{path}.min", 1, 1000)
    high = r.integer(data["max"], f"{path}.max", 1, 1000)
    if high < low:
        raise r.fail(f"{path}.max", f"{high} is less than min {low}")
    cpu = r.integer(data.get("cpu", 80), f"{path}.cpu", 1, 1000)
    return Autoscaling(low, high, cpu)


def _per_workload(raw: Any) -> bool:
    """True when a value is a {workload: value} mapping rather than one value for all."""
    return isinstance(raw, Mapping)


ENV_KEYS = (
    "name",
    "namespace",
    "current",
    "replicas",
    "host",
    "config",
    "image_tag",
    "resources",
    "autoscaling",
    "services",
    "values",
    "cluster",
)


def _environment(r: _Reader, raw: Any, path: str, today_namespace: str | None) -> Environment:
    data = r.mapping(raw, path, ENV_KEYS)
    if "name" not in data:
        raise r.fail(f"{path}.name", "required")
    name = r.label(data["name"], f"{path}.name")
    current = data.get("current", False)
    if not isinstance(current, bool):
        raise r.fail(f"{path}.current", "expected true or false")
    default_ns = today_namespace if (current and today_namespace) else name
    namespace = r.label(data.get("namespace", default_ns), f"{path}.namespace")

    replicas: int | dict[str, int] | None = None
    if data.get("replicas") is not None:
        raw_r = data["replicas"]
        if _per_workload(raw_r):
            replicas = {
                r.string(k, f"{path}.replicas"): r.integer(v, f"{path}.replicas.{k}", 0, 1000)
                for k, v in sorted(r.mapping(raw_r, f"{path}.replicas").items())
            }
        else:
            replicas = r.integer(raw_r, f"{path}.replicas", 0, 1000)

    host: str | dict[str, str] | None = None
    if data.get("host") is not None:
        raw_h = data["host"]
        if isinstance(raw_h, Mapping):
            host = {
                r.string(k, f"{path}.host", HOST_NAME, "a host name"): r.string(v, f"{path}.host.{k}", HOST_NAME, "a host name")
                for k, v in sorted(raw_h.items())
            }
        else:
            host = r.string(raw_h, f"{path}.host", HOST_NAME, "a host name (like staging.example.com)")

    config = _config(r, data.get("config"), f"{path}.config")

    image_tag: str | dict[str, str] | None = None
    if data.get("image_tag") is not None:
        raw_t = data["image_tag"]
        if isinstance(raw_t, Mapping):
            image_tag = {
                r.string(k, f"{path}.image_tag"): r.string(v, f"{path}.image_tag.{k}", IMAGE_TAG, "an image tag")
                for k, v in sorted(raw_t.items())
            }
        else:
            image_tag = r.string(raw_t, f"{path}.image_tag", IMAGE_TAG, "an image tag")

    resources: Resources | dict[str, Resources] | None = None
    if data.get("resources") is not None:
        raw_res = r.mapping(data["resources"], f"{path}.resources")
        if _per_workload_resources(raw_res):
            resources = {k: _resources(r, v, f"{path}.resources.{k}") for k, v in sorted(raw_res.items())}
        else:
            resources = _resources(r, raw_res, f"{path}.resources")

    autoscaling: Autoscaling | dict[str, Autoscaling] | None = None
    if data.get("autoscaling") is not None:
        raw_a = r.mapping(data["autoscaling"], f"{path}.autoscaling")
        if set(raw_a) <= {"min", "max", "cpu"}:
            autoscaling = _autoscaling(r, raw_a, f"{path}.autoscaling")
        else:
            autoscaling = {k: _autoscaling(r, v, f"{path}.autoscaling.{k}") for k, v in sorted(raw_a.items())}

    services = {
        r.string(k, f"{path}.services"): r.choice(v, f"{path}.services.{k}", SERVICE_CHOICES)
        for k, v in sorted(r.mapping(data.get("services"), f"{path}.services").items())
    }
    if current and any(v != "own" for v in services.values()):
        raise r.fail(f"{path}.services", "the environment that runs today keeps its own services")
    values = parse_values(data["values"], f"{path}.values", r.origin) if data.get("values") is not None else None

    cluster = r.label(data["cluster"], f"{path}.cluster") if data.get("cluster") is not None else None
    return Environment(
        name=name,
        namespace=namespace,
        cluster=cluster,
        current=current,
        replicas=replicas,
        host=host,
        config=config,
        image_tag=image_tag,
        resources=resources,
        autoscaling=autoscaling,
        services=services,
        values=values,
    )


def _config(r: _Reader, raw: Any, path: str) -> dict[str, Any]:
    """Config overrides: {ConfigMap: {KEY: value}} or flat {KEY: value}; values kept as exact strings."""
    data = r.mapping(raw, path)
    out: dict[str, Any] = {}
    for key, value in sorted(data.items()):
        if isinstance(value, Mapping):
            out[key] = {
                r.string(k, f"{path}.{key}", CONFIG_KEY, "a ConfigMap key"): _config_value(r, v, f"{path}.{key}.{k}")
                for k, v in sorted(value.items())
            }
        else:
            r.string(key, path, CONFIG_KEY, "a ConfigMap key")
            out[key] = _config_value(r, value, f"{path}.{key}")
    return out


def _config_value(r: _Reader, value: Any, path: str) -> str:
    if isinstance(value, bool):
        # YAML gave us a bool for an unquoted yes/true: the ConfigMap needs a string; keep the YAML 1.2 spelling.
        return "true" if value else "false"
    if value is None:
        return ""
    if not isinstance(value, str | int | float):
        raise r.fail(path, f"expected a string, got {type(value).__name__}")
    return str(value)


def _new_app(r: _Reader, raw: Any) -> NewApp:
    data = r.mapping(raw, "new_app", ("image", "port", "liveness", "readiness", "config", "secrets"))
    if "image" not in data:
        raise r.fail("new_app.image", "required")
    image = r.string(data["image"], "new_app.image")
    if " " in image or not image:
        raise r.fail("new_app.image", "not an image reference")
    port = r.integer(data.get("port", 8080), "new_app.port", 1, 65535)
    probes = {}
    for key in ("liveness", "readiness"):
        if data.get(key) is not None:
            text = r.string(data[key], f"new_app.{key}")
            if not text.startswith("/"):
                raise r.fail(f"new_app.{key}", f"{text!r} is not an HTTP path (it must start with /)")
            probes[key] = text
    config = {
        r.string(k, "new_app.config", CONFIG_KEY, "a ConfigMap key"): _config_value(r, v, f"new_app.config.{k}")
        for k, v in sorted(r.mapping(data.get("config"), "new_app.config").items())
    }
    raw_secrets = data.get("secrets") or []
    if isinstance(raw_secrets, Mapping):
        raise r.fail("new_app.secrets", "list the key names only; secret values never go in the answers file")
    if not isinstance(raw_secrets, list):
        raise r.fail("new_app.secrets", "expected a list of key names")
    secrets = tuple(
        r.string(k, f"new_app.secrets[{i}]", SECRET_KEY, "a secret key name")
        for i, k in enumerate(raw_secrets)
    )
    if len(set(secrets)) != len(secrets):
        raise r.fail("new_app.secrets", "a key is listed twice")
    return NewApp(image=image, port=port, config=config, secrets=tuple(sorted(secrets)), **probes)


TOP_KEYS = ("version", "app", "source", "output", "new_app", "helm", "environments", "secrets", "flux", "ci")


def parse_answers(
    data: Any,
    origin: str,
    *,
    today_namespace: str | None = None,
    git_url: str | None = None,
    git_branch: str | None = None,
) -> Answers:
    """Validate raw answers (from a file, the interview or flags) and fill defaults."""
    schema.check(data, origin)
    r = _Reader(origin)
    top = r.mapping(data, "", TOP_KEYS)
    version = top.get("version", 1)
    if version != 1:
        raise r.fail("version", f"unsupported schema version {version!r} (this k8s-wizard reads version 1)")
    if "app" not in top:
        raise r.fail("app", "required")
    app = r.label(top["app"], "app")
    source = None
    if top.get("source") is not None:
        source = _relative_path(r, top["source"], "source")
    output = _relative_path(r, top.get("output", "k8s"), "output")
    new_app = _new_app(r, top["new_app"]) if top.get("new_app") is not None else None
    helm = parse_helm(top["helm"], origin) if top.get("helm") is not None else None
    if source and new_app:
        raise r.fail("new_app", "give either source (today's manifests) or new_app, not both")
    if helm and (source or new_app):
        raise r.fail("helm", f"give either helm (a chart deployed today) or {'source' if source else 'new_app'}, not both")
    if not source and not new_app and not helm:
        raise r.fail(
            "source", "required: the folder with today's manifests (or helm for a chart, or new_app for an app with none)"
        )

    raw_envs = top.get("environments")
    if not isinstance(raw_envs, list) or not raw_envs:
        raise r.fail("environments", "required: a list of environments in promotion order")
    envs = tuple(_environment(r, e, f"environments[{i}]", today_namespace) for i, e in enumerate(raw_envs))
    seen: dict[str, int] = {}
    for i, env in enumerate(envs):
        if env.name in seen:
            raise r.fail(f"environments[{i}].name", f"duplicate environment {env.name!r} (also environments[{seen[env.name]}])")
        seen[env.name] = i
    namespaces: dict[tuple[str | None, str], str] = {}
    for i, env in enumerate(envs):
        # Isolation is per cluster: environments on different clusters may use the same namespace.
        if (env.cluster, env.namespace) in namespaces:
            raise r.fail(
                f"environments[{i}].namespace",
                f"{env.namespace!r} is also {namespaces[(env.cluster, env.namespace)]}'s namespace"
                + (f" on cluster {env.cluster!r}" if env.cluster else "")
                + ": environments must not share one",
            )
        namespaces[(env.cluster, env.namespace)] = env.name
    currents = [i for i, e in enumerate(envs) if e.current]
    if len(currents) > 1:
        raise r.fail(f"environments[{currents[1]}].current", "only one environment runs today")
    if (source or helm) and not currents:
        raise r.fail("environments", "mark the environment that runs today with `current: true`")
    for i, env in enumerate(envs):
        if env.values is not None and helm is None:
            raise r.fail(f"environments[{i}].values", "chart values are for a Helm app (answers with helm:)")
    if new_app and currents:
        raise r.fail(f"environments[{currents[0]}].current", "a new app has no environment running today")

    clustered = [i for i, e in enumerate(envs) if e.cluster is not None]
    if clustered and len(clustered) != len(envs):
        missing = next(i for i, e in enumerate(envs) if e.cluster is None)
        raise r.fail(
            f"environments[{missing}].cluster",
            f"required: environments[{clustered[0]}] names its cluster, so every environment must (or none, for one cluster)",
        )
    secrets_raw = r.mapping(
        top.get("secrets"), "secrets", ("provider", "controller_name", "controller_namespace", "cert", "scope", "certs")
    )
    named_clusters = {e.cluster for e in envs if e.cluster is not None}
    certs: dict[str, str] = {}
    for cluster_name, cert_path in sorted(r.mapping(secrets_raw.get("certs"), "secrets.certs").items()):
        if cluster_name not in named_clusters:
            raise r.fail(
                f"secrets.certs.{cluster_name}",
                f"no environment runs on cluster {cluster_name!r} "
                f"(clusters: {', '.join(sorted(named_clusters)) or 'none named'})",
            )
        certs[cluster_name] = _relative_path(r, cert_path, f"secrets.certs.{cluster_name}")
    secrets = SecretsConfig(
        provider=r.choice(secrets_raw.get("provider", "sealed-secrets"), "secrets.provider", PROVIDERS),
        controller_name=r.label(secrets_raw.get("controller_name", "sealed-secrets-controller"), "secrets.controller_name"),
        controller_namespace=r.label(secrets_raw.get("controller_namespace", "kube-system"), "secrets.controller_namespace"),
        cert=_relative_path(r, secrets_raw["cert"], "secrets.cert") if secrets_raw.get("cert") else None,
        scope=r.choice(secrets_raw.get("scope", "strict"), "secrets.scope", ("strict", "namespace-wide", "cluster-wide")),
        certs=certs,
    )

    flux = r.mapping(top.get("flux"), "flux", ("url", "branch"))
    url = r.string(flux["url"], "flux.url") if flux.get("url") else git_url
    if url is None:
        raise r.fail("flux.url", "no git remote found in the repository: set the URL Flux pulls from")
    problem = semantic.flux_url_problem(url)
    if problem is not None:
        raise r.fail(*problem)
    if not GIT_URL.match(url):
        raise r.fail("flux.url", "is not an https:// or ssh:// URL (Flux needs ssh://git@host/org/repo.git for SSH)")
    branch = r.string(flux.get("branch") or git_branch or "main", "flux.branch")
    if not GIT_BRANCH.match(branch):
        raise r.fail("flux.branch", f"{branch!r} is not a branch name")
    ci = r.choice(top.get("ci", "github-actions"), "ci", CI_CHOICES)
    problems = [semantic.output_problem(output, source)]
    problems += [semantic.environment_name_problem(env.name, i) for i, env in enumerate(envs)]
    for problem in problems:
        if problem is not None:
            raise r.fail(*problem)
    return Answers(
        app=app,
        environments=envs,
        source=source,
        output=output,
        new_app=new_app,
        secrets=secrets,
        flux_url=url,
        flux_branch=branch,
        ci=ci,
        helm=helm,
    )


def _relative_path(r: _Reader, value: Any, path: str) -> str:
    problem = semantic.path_problem(r.string(value, path), path)
    if problem is not None:
        raise r.fail(*problem)
    text = r.string(value, path).strip().rstrip("/")
    parts = Path(text).parts
    if not text or Path(text).is_absolute() or ".." in parts:
        raise r.fail(path, f"{text!r} must be a folder inside the repository (relative, no '..')")
    return Path(text).as_posix()


def read_answers_file(path: Path) -> Any:
    """The raw mapping of an answers file; a YAML error names the file and line."""
    if not path.exists() and not path.is_symlink():
        raise InputError(f"{path}: answers file not found (give --answers FILE or run `k8s-wizard` to create one)")
    text = yamlio.read_text(path, str(path), limit=ANSWERS_MAX_BYTES)
    try:
        return yamlio.load(text)
    except yaml.YAMLError as exc:
        raise InputError(f"{path}{yamlio.error_message(exc)}") from None


def _env_dict(env: Environment) -> dict[str, Any]:
    out: dict[str, Any] = {"name": env.name, "namespace": env.namespace}
    if env.cluster is not None:
        out["cluster"] = env.cluster
    if env.current:
        out["current"] = True
    if env.replicas is not None:
        out["replicas"] = env.replicas
    if env.host is not None:
        out["host"] = env.host
    if env.config:
        out["config"] = env.config
    if env.image_tag is not None:
        out["image_tag"] = env.image_tag
    if isinstance(env.resources, Resources):
        out["resources"] = env.resources.as_dict()
    elif env.resources is not None:
        out["resources"] = {k: v.as_dict() for k, v in env.resources.items()}
    if isinstance(env.autoscaling, Autoscaling):
        out["autoscaling"] = _hpa_dict(env.autoscaling)
    elif env.autoscaling:
        out["autoscaling"] = {k: _hpa_dict(v) for k, v in env.autoscaling.items()}
    if env.services:
        out["services"] = env.services
    if env.values is not None:
        out["values"] = env.values
    return out


def _hpa_dict(a: Autoscaling) -> dict[str, int]:
    return {"min": a.min, "max": a.max, "cpu": a.cpu}


def answers_to_dict(answers: Answers) -> dict[str, Any]:
    """The normalized answers, in the file's key order; parse_answers(answers_to_dict(a)) == a."""
    out: dict[str, Any] = {"version": 1, "app": answers.app}
    if answers.source:
        out["source"] = answers.source
    out["output"] = answers.output
    if answers.new_app:
        na = answers.new_app
        new: dict[str, Any] = {"image": na.image, "port": na.port}
        if na.liveness:
            new["liveness"] = na.liveness
        if na.readiness:
            new["readiness"] = na.readiness
        if na.config:
            new["config"] = na.config
        if na.secrets:
            new["secrets"] = list(na.secrets)
        out["new_app"] = new
    if answers.helm:
        out["helm"] = helm_dict(answers.helm)
    out["environments"] = [_env_dict(e) for e in answers.environments]
    s = answers.secrets
    secrets: dict[str, Any] = {"provider": s.provider}
    if s.provider == "sealed-secrets":
        secrets.update(controller_name=s.controller_name, controller_namespace=s.controller_namespace, scope=s.scope)
        if s.cert:
            secrets["cert"] = s.cert
        if s.certs:
            secrets["certs"] = dict(s.certs)
    out["secrets"] = secrets
    out["flux"] = {"url": answers.flux_url, "branch": answers.flux_branch}
    out["ci"] = answers.ci
    return out


def answers_text(answers: Answers) -> str:
    """The normalized answers file as written to `.k8s-wizard.yaml`."""
    return yamlio.dump(
        answers_to_dict(answers),
        header=f"{schema.MODELINE}\n"
        "k8s-wizard answers (schema version 1). Safe to commit: it holds no secret value.\n"
        "Change an answer and run `k8s-wizard apply` to re-generate; hand edits to generated files are kept.",
    )
