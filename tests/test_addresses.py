"""Issue 9 item 4: addresses that name today's namespace point at each environment's own namespace.

Fixture tests/fixtures/service-addresses (env values, args, a ConfigMap, a StatefulSet's pod addresses),
built with the real kustomize.
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from conftest import ALL_CASES, Migrated, apply, make_repo, run_cli
from kube import build

CASES = {c.id: c for c in ALL_CASES}


def _objects(objects: list[dict], kind: str, name: str) -> dict:
    return next(o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name)


def test_staging_talks_to_its_own_services(migrate) -> None:
    m: Migrated = migrate(CASES["service-addresses"])
    staging = m.objects("staging")
    config = _objects(staging, "ConfigMap", "api-config")["data"]
    assert config["CASSANDRA_HOST"] == "cassandra.ring-staging.svc.cluster.local"
    assert config["SEED_NODE"] == "cassandra-0.cassandra.ring-staging.svc.cluster.local:7000"
    assert config["HOMEPAGE"] == "https://www.example.com/ring", "an outside URL is not touched"
    api = _objects(staging, "Deployment", "api")["spec"]["template"]["spec"]["containers"][0]
    assert api["args"] == ["--cassandra=cassandra.ring-staging.svc:9042", "--peer=http://api.ring-staging:8080/health"]
    env = {e["name"]: e["value"] for e in api["env"]}
    assert env == {"METRICS_URL": "http://prometheus.monitoring:9090", "AUDIT_URL": "https://audit.ring/v1",
                   "LEGACY_API": "api.legacy:8080"}, "shared and ambiguous addresses stay as they are"
    seeds = _objects(staging, "StatefulSet", "cassandra")["spec"]["template"]["spec"]["containers"][0]["env"][0]
    assert seeds["value"] == (
        "cassandra-0.cassandra.ring-staging.svc.cluster.local,cassandra-1.cassandra.ring-staging.svc.cluster.local"
    ), "a staging node must not join production's ring"


def test_the_plan_shows_each_rewrite_and_names_file_and_key_of_ambiguous_ones(tmp_path: Path) -> None:
    repo, answers = make_repo(CASES["service-addresses"], tmp_path)
    result = run_cli("plan", "--repo", str(repo), "--answers", str(answers), "--format", "json")
    assert result.code == 0, result.describe()
    findings = json.loads(result.out)["findings"]
    rewrites = [f for f in findings if f["code"] == "cross-namespace-address"]
    assert len(rewrites) == 5 and all(f["level"] == "info" and "staging: " in f["message"] for f in rewrites)
    ambiguous = {(f["path"], f["message"].split(" names ")[0]) for f in findings if f["code"] == "ambiguous-address"}
    assert ambiguous == {
        ("manifests/api.yaml", "Deployment/api container api env AUDIT_URL"),
        ("manifests/api.yaml", "Deployment/api container api env LEGACY_API"),
    }


def test_an_environment_sharing_a_service_keeps_its_address(tmp_path: Path) -> None:
    answers = yaml.safe_load(yaml.safe_dump(CASES["service-addresses"].answers))
    answers["environments"][0]["services"] = {"cassandra": "shared"}
    repo, answers_file = make_repo(CASES["service-addresses"], tmp_path, answers)
    result = apply(repo, answers_file)
    assert result.code == 0, result.describe()
    objects, _ = build(repo / "k8s/overlays/staging")
    config = _objects(objects, "ConfigMap", "api-config")["data"]
    assert config["CASSANDRA_HOST"] == "cassandra.ring.svc.cluster.local", "shared: staging uses production's"
    api = _objects(objects, "Deployment", "api")["spec"]["template"]["spec"]["containers"][0]
    assert api["args"][1] == "--peer=http://api.ring-staging:8080/health", "its own api is still its own"
