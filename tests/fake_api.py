"""A minimal Kubernetes API server for `kubectl apply --dry-run=client` in tests, offline.

kubectl needs the API's discovery documents to map each object's kind to a resource, and reads each object
before a client-side dry-run apply. This server serves discovery for the kinds the fixtures use and answers
404 to every object read, so kubectl reports `created (dry run)` for each object it would apply. It stores
nothing and changes nothing. Validation needs the OpenAPI documents, which it does not serve:
callers pass `--validate=false`.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

RESOURCES: dict[str, list[tuple[str, str, bool]]] = {
    "v1": [("namespaces", "Namespace", False), ("services", "Service", True), ("configmaps", "ConfigMap", True),
           ("secrets", "Secret", True), ("serviceaccounts", "ServiceAccount", True), ("pods", "Pod", True),
           ("persistentvolumes", "PersistentVolume", False), ("persistentvolumeclaims", "PersistentVolumeClaim", True)],
    "apps/v1": [("deployments", "Deployment", True), ("statefulsets", "StatefulSet", True),
                ("daemonsets", "DaemonSet", True), ("replicasets", "ReplicaSet", True)],
    "batch/v1": [("jobs", "Job", True), ("cronjobs", "CronJob", True)],
    "autoscaling/v2": [("horizontalpodautoscalers", "HorizontalPodAutoscaler", True)],
    "networking.k8s.io/v1": [("ingresses", "Ingress", True), ("networkpolicies", "NetworkPolicy", True),
                             ("ingressclasses", "IngressClass", False)],
    "policy/v1": [("poddisruptionbudgets", "PodDisruptionBudget", True)],
    "rbac.authorization.k8s.io/v1": [("roles", "Role", True), ("rolebindings", "RoleBinding", True),
                                     ("clusterroles", "ClusterRole", False),
                                     ("clusterrolebindings", "ClusterRoleBinding", False)],
    "kustomize.toolkit.fluxcd.io/v1": [("kustomizations", "Kustomization", True)],
    "source.toolkit.fluxcd.io/v1": [("gitrepositories", "GitRepository", True)],
    "bitnami.com/v1alpha1": [("sealedsecrets", "SealedSecret", True)],
}


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass

    def _send(self, code: int, body: object) -> None:
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        path = self.path.split("?")[0]
        groups = [gv for gv in RESOURCES if "/" in gv]
        if path == "/api":
            return self._send(200, {"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": [
                {"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1"}]})
        if path == "/apis":
            return self._send(200, {"kind": "APIGroupList", "apiVersion": "v1", "groups": [
                {"name": gv.split("/")[0], "versions": [{"groupVersion": gv, "version": gv.split("/")[1]}],
                 "preferredVersion": {"groupVersion": gv, "version": gv.split("/")[1]}} for gv in groups]})
        for gv, items in RESOURCES.items():
            if path == ("/api/v1" if gv == "v1" else f"/apis/{gv}"):
                return self._send(200, {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": [
                    {"name": n, "singularName": "", "namespaced": ns, "kind": k,
                     "verbs": ["create", "delete", "get", "list", "patch", "update", "watch"]} for n, k, ns in items]})
        return self._send(404, {"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "NotFound",
                                "code": 404, "message": "not found"})


@contextmanager
def fake_api(folder: Path) -> Iterator[Path]:
    """Serve the fake API; yields a kubeconfig file (its current context points at the server)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    kubeconfig = folder / "kubeconfig"
    kubeconfig.write_text(
        "apiVersion: v1\nkind: Config\n"
        f"clusters: [{{name: fake, cluster: {{server: 'http://127.0.0.1:{server.server_address[1]}'}}}}]\n"
        "users: [{name: fake, user: {}}]\n"
        "contexts: [{name: fake, context: {cluster: fake, user: fake}}]\n"
        "current-context: fake\n",
        encoding="utf-8",
    )
    try:
        yield kubeconfig
    finally:
        server.shutdown()
        server.server_close()
