"""Reading today's manifests: the awkward cases a real repository has."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from kube import build, tree_bytes

from wizard.cli import main

DEPLOYMENT = """\
# Licence header: keep me
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api   # trailing comment
spec:
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels: {app: api}
    spec:
      containers:
        - name: api
          image: ghcr.io/acme/api:1.2.3
"""


def _repo(tmp_path: Path, files: dict[str, str]) -> Path:
    repo = tmp_path / "repo"
    for rel, text in files.items():
        path = repo / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    answers = {
        "version": 1,
        "app": "api",
        "source": "manifests",
        "environments": [{"name": "staging"}, {"name": "production", "current": True, "namespace": "api"}],
        "flux": {"url": "https://github.com/acme/api.git"},
    }
    (tmp_path / "answers.yaml").write_text(yaml.safe_dump(answers), encoding="utf-8")
    return repo


def _apply(tmp_path: Path, repo: Path, capsys, *extra: str) -> tuple[int, str]:
    code = main(["apply", "--answers", str(tmp_path / "answers.yaml"), "--repo", str(repo), "--yes", *extra])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_comments_and_key_order_survive_in_the_base(tmp_path: Path, capsys) -> None:
    repo = _repo(tmp_path, {"manifests/api.yaml": DEPLOYMENT})
    code, _ = _apply(tmp_path, repo, capsys)
    assert code == 0
    assert (repo / "k8s/base/api.yaml").read_text(encoding="utf-8") == DEPLOYMENT
    objects, stderr = build(repo / "k8s/overlays/staging")
    assert stderr == ""
    assert [o["metadata"]["namespace"] for o in objects if o["kind"] == "Deployment"] == ["staging"]


def test_helm_template_is_a_clear_error_and_nothing_is_written(tmp_path: Path, capsys) -> None:
    chart = DEPLOYMENT.replace("ghcr.io/acme/api:1.2.3", "{{ .Values.image }}")
    repo = _repo(tmp_path, {"manifests/api.yaml": chart})
    before = tree_bytes(repo)
    code, output = _apply(tmp_path, repo, capsys)
    assert code == 2
    assert "manifests/api.yaml" in output and "Helm" in output
    assert tree_bytes(repo) == before


def test_non_kubernetes_yaml_is_skipped_and_named_in_the_plan(tmp_path: Path, capsys) -> None:
    compose = "services:\n  web:\n    image: nginx\n"
    repo = _repo(tmp_path, {"manifests/api.yaml": DEPLOYMENT, "manifests/docker-compose.yaml": compose})
    code, _ = _apply(tmp_path, repo, capsys)
    assert code == 0
    assert not (repo / "k8s/base/docker-compose.yaml").exists()
    code = main(["plan", "--answers", str(tmp_path / "answers.yaml"), "--repo", str(repo), "--format", "json"])
    plan = json.loads(capsys.readouterr().out)
    skipped = [f for f in plan["findings"] if f["code"] == "skipped-file"]
    assert [f["path"] for f in skipped] == ["manifests/docker-compose.yaml"]


def test_broken_yaml_names_file_and_line(tmp_path: Path, capsys) -> None:
    broken = DEPLOYMENT + "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [oops\n"
    repo = _repo(tmp_path, {"manifests/api.yaml": broken})
    code, output = _apply(tmp_path, repo, capsys)
    assert code == 2
    line = output.split("manifests/api.yaml:")[1].split(":")[0]
    assert line.isdigit() and int(line) > 15, output


def test_adopted_kustomization_with_vars_is_blocking(tmp_path: Path, capsys) -> None:
    kustomization = (
        "resources: [api.yaml]\nvars:\n  - name: API\n    objref: {kind: Deployment, name: api, apiVersion: apps/v1}\n"
    )
    repo = _repo(tmp_path, {"manifests/api.yaml": DEPLOYMENT, "manifests/kustomization.yaml": kustomization})
    before = tree_bytes(repo)
    code, output = _apply(tmp_path, repo, capsys)
    assert code == 1
    assert "kustomize-vars" in output
    assert tree_bytes(repo) == before


def test_patches_strategic_merge_in_an_adopted_kustomization_is_modernised(tmp_path: Path, capsys) -> None:
    patch = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec: {replicas: 3}\n"
    kustomization = "resources: [api.yaml]\npatchesStrategicMerge: [replicas.yaml]\n"
    repo = _repo(
        tmp_path,
        {"manifests/api.yaml": DEPLOYMENT, "manifests/replicas.yaml": patch, "manifests/kustomization.yaml": kustomization},
    )
    code, _ = _apply(tmp_path, repo, capsys)
    assert code == 0
    base = yaml.safe_load((repo / "k8s/base/kustomization.yaml").read_text(encoding="utf-8"))
    assert "patchesStrategicMerge" not in base and base["patches"] == [{"path": "replicas.yaml"}]
    objects, stderr = build(repo / "k8s/overlays/production")
    assert stderr == ""
    assert next(o for o in objects if o["kind"] == "Deployment")["spec"]["replicas"] == 3


def test_a_fully_qualified_address_in_todays_namespace_is_a_warning(tmp_path: Path, capsys) -> None:
    config = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: api-config, namespace: api}\n"
        "data:\n  DATABASE_HOST: postgres.api.svc.cluster.local\n  CACHE: redis\n"
    )
    repo = _repo(tmp_path, {"manifests/api.yaml": DEPLOYMENT, "manifests/config.yaml": config})
    code = main(["plan", "--answers", str(tmp_path / "answers.yaml"), "--repo", str(repo), "--format", "json"])
    assert code == 0
    plan = json.loads(capsys.readouterr().out)
    warnings = [f for f in plan["findings"] if f["code"] == "cross-namespace-address"]
    assert len(warnings) == 1 and "postgres.api.svc.cluster.local" in warnings[0]["message"]
    assert warnings[0]["path"] == "manifests/config.yaml"


def test_an_ingress_tls_secret_is_needed_in_every_new_namespace(tmp_path: Path, capsys) -> None:
    ingress = (
        "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: api}\n"
        "spec:\n  tls: [{hosts: [api.example.com], secretName: api-tls}]\n"
        "  rules:\n  - host: api.example.com\n    http: {paths: [{path: /, pathType: Prefix, "
        "backend: {service: {name: api, port: {number: 80}}}}]}\n"
    )
    repo = _repo(tmp_path, {"manifests/api.yaml": DEPLOYMENT, "manifests/ingress.yaml": ingress})
    assert main(["plan", "--answers", str(tmp_path / "answers.yaml"), "--repo", str(repo), "--format", "json"]) == 0
    plan = json.loads(capsys.readouterr().out)
    tls = [f for f in plan["findings"] if f["code"] == "tls-secret"]
    assert len(tls) == 1 and "api-tls" in tls[0]["message"] and "staging" in tls[0]["message"]
    assert tls[0]["level"] == "warning"


def test_an_impossible_date_anywhere_does_not_stop_the_search_for_manifests(tmp_path: Path) -> None:
    """The folders holding objects are found by content; a value like 2001-13-45 is a string to Kubernetes, and a
    YAML file that is not a manifest at all (notes, CI config) must not stop the search either."""
    from wizard.core.facts import candidate_facts, facts

    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / "c.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  when: 2001-13-45\n", encoding="utf-8")
    (tmp_path / "notes.yaml").write_text("released: 2001-13-45\n", encoding="utf-8")
    (tmp_path / "deep.yaml").write_text("a: " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    found = candidate_facts(tmp_path)
    assert found == [{"value": "deploy", "label": "1 object: ConfigMap"}]
    assert facts(tmp_path, "deploy", found)["configmaps"] == ["c"]
