"""The inventory of a new app (no manifests yet): the objects its first deployment creates.

A Deployment, its Service, a ConfigMap for its config keys, the Secret its secret keys go into (key
names only: the Secret itself is never written, its keys feed the sealing steps), and an Ingress per
environment that has a host. From here on a new app is an inventory like a scanned one: resolve,
render and the plan treat both alike.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from wizard.core import yamlio
from wizard.core.answers.parse import Answers, Environment
from wizard.core.layout import HEADER
from wizard.core.scan.manifests import Inventory, ManifestObject, SourceFile


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


def _file(path: str, doc: dict[str, Any]) -> SourceFile:
    text = yamlio.dump(doc, header=HEADER)
    return SourceFile(path=path, text=text, segments=[text], objects=[ManifestObject(path, 0, doc)])


def new_app_inventory(repo: Path, answers: Answers) -> Inventory:
    """The objects a new app will create, as an inventory (`generated`: not today's manifests)."""
    na = answers.new_app
    assert na is not None
    app = answers.app
    inv = Inventory(repo=repo, source=None, generated=True)
    inv.files.append(_file("deployment.yaml", _deployment(answers)))
    service = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": app, "labels": {"app": app}},
        "spec": {"selector": {"app": app}, "ports": [{"name": "http", "port": 80, "targetPort": "http"}]},
    }
    inv.files.append(_file("service.yaml", service))
    if na.config:
        cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"{app}-config"}, "data": dict(na.config)}
        inv.files.append(_file("configmap.yaml", cm))
    if na.secrets:
        # Key names only: the values are sealed per environment and never pass through here.
        secret = {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": f"{app}-secrets"},
            "type": "Opaque",
            "stringData": dict.fromkeys(na.secrets, ""),
        }
        inv.files.append(_file("secret.yaml", secret))
    for env in answers.environments:
        doc = ingress_doc(answers, env)
        if doc is not None:
            inv.env_objects[env.name] = (ManifestObject("ingress.yaml", 0, doc),)
    return inv


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
