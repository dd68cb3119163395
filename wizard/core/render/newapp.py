"""The base of a new app (no manifests yet): a Deployment, a Service and a ConfigMap."""

from __future__ import annotations

from typing import Any

from wizard.core import yamlio
from wizard.core.answers.parse import Answers, Environment
from wizard.core.layout import HEADER
from wizard.core.render.base import KUSTOMIZE_API


def _deployment(answers: Answers) -> dict[str, Any]:
    na = answers.new_app
    assert na is not None
    app = answers.app
    container: dict[str, Any] = {
        "name": app,
        "image": na.image,
        "ports": [{"name": "http", "containerPort": na.port}],
    }
    env_from = []
    if na.config:
        env_from.append({"configMapRef": {"name": f"{app}-config"}})
    if na.secrets:
        env_from.append({"secretRef": {"name": f"{app}-secrets"}})
    if env_from:
        container["envFrom"] = env_from
    if na.readiness:
        container["readinessProbe"] = {"httpGet": {"path": na.readiness, "port": "http"}, "periodSeconds": 10}
    if na.liveness:
        container["livenessProbe"] = {
            "httpGet": {"path": na.liveness, "port": "http"},
            "initialDelaySeconds": 10,
            "periodSeconds": 20,
        }
    container["resources"] = {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"memory": "256Mi"}}
    container["securityContext"] = {"allowPrivilegeEscalation": False}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": app, "labels": {"app": app}},
        "spec": {
            # No replica count in the base: an environment sets one, or its HPA owns it.
            "selector": {"matchLabels": {"app": app}},
            "template": {"metadata": {"labels": {"app": app}}, "spec": {"containers": [container]}},
        },
    }


def render_new_app(answers: Answers, base_dir: str) -> dict[str, str]:
    """Base files for an app that has no manifests yet."""
    na = answers.new_app
    assert na is not None
    app = answers.app
    files = {f"{base_dir}/deployment.yaml": yamlio.dump(_deployment(answers), header=HEADER)}
    service = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": app, "labels": {"app": app}},
        "spec": {"selector": {"app": app}, "ports": [{"name": "http", "port": 80, "targetPort": "http"}]},
    }
    files[f"{base_dir}/service.yaml"] = yamlio.dump(service, header=HEADER)
    resources = ["deployment.yaml", "service.yaml"]
    if na.config:
        cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"{app}-config"}, "data": dict(na.config)}
        files[f"{base_dir}/configmap.yaml"] = yamlio.dump(cm, header=HEADER)
        resources.append("configmap.yaml")
    files[f"{base_dir}/kustomization.yaml"] = yamlio.dump(
        {"apiVersion": KUSTOMIZE_API, "kind": "Kustomization", "resources": sorted(resources)}, header=HEADER
    )
    return files


def ingress_doc(answers: Answers, env: Environment) -> dict[str, Any] | None:
    """A new app's Ingress for an environment that has a host."""
    if not isinstance(env.host, str):
        return None
    app = answers.app
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": {"name": app},
        "spec": {
            "rules": [
                {
                    "host": env.host,
                    "http": {
                        "paths": [
                            {"path": "/", "pathType": "Prefix", "backend": {"service": {"name": app, "port": {"name": "http"}}}}
                        ]
                    },
                }
            ],
        },
    }
