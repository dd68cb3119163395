"""A PodDisruptionBudget whose `minAvailable` an environment's replica count does not exceed blocks every eviction
there (node drains hang): the plan warns, naming the environment, the workload and the budget."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from conftest import run_cli
from kube import build

MANIFESTS = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  replicas: 3
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers: [{name: api, image: "ghcr.io/acme/api:1.0.0"}]
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: api}
spec: {minAvailable: 2, selector: {matchLabels: {app: api}}}
"""


def _repo(tmp_path: Path, staging_replicas: int) -> tuple[Path, Path]:
    repo = tmp_path / "repo"
    (repo / "manifests").mkdir(parents=True)
    (repo / "manifests/app.yaml").write_text(MANIFESTS, encoding="utf-8")
    answers = {
        "version": 1,
        "app": "api",
        "source": "manifests",
        "environments": [
            {"name": "staging", "namespace": "api-staging", "replicas": staging_replicas},
            {"name": "production", "current": True, "namespace": "default"},
        ],
        "flux": {"url": "https://github.com/acme/api.git", "branch": "main"},
    }
    answers_file = tmp_path / "answers.yaml"
    answers_file.write_text(yaml.safe_dump(answers), encoding="utf-8")
    return repo, answers_file


def _findings(repo: Path, answers_file: Path) -> list[dict[str, str]]:
    result = run_cli("plan", "--answers", str(answers_file), "--repo", str(repo), "--format", "json")
    assert result.code in (0, 1), result.describe()
    return [f for f in json.loads(result.out)["findings"] if f["code"] == "disruption-budget"]


def test_one_replica_under_a_budget_of_two_is_a_warning(tmp_path: Path) -> None:
    repo, answers_file = _repo(tmp_path, 1)
    found = _findings(repo, answers_file)
    assert len(found) == 1, found
    assert found[0]["level"] == "warning" and found[0]["environment"] == "staging"
    assert "Deployment/api runs 1 replica(s)" in found[0]["message"] and "minAvailable 2" in found[0]["message"]
    # The warning is about what the build really holds.
    result = run_cli("apply", "--answers", str(answers_file), "--repo", str(repo), "--yes")
    assert result.code == 0, result.describe()
    built = {(o["kind"], o["metadata"]["name"]): o for o in build(repo / "k8s/overlays/staging")[0]}
    assert built[("Deployment", "api")]["spec"]["replicas"] == 1
    assert built[("PodDisruptionBudget", "api")]["spec"]["minAvailable"] == 2


def test_enough_replicas_give_no_warning(tmp_path: Path) -> None:
    repo, answers_file = _repo(tmp_path, 3)
    assert _findings(repo, answers_file) == []
