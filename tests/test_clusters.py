"""Environments on separate clusters, judged with the real tools on tests/fixtures/clusters (ledger).

Two layouts: two clusters (staging on `nonprod`, production on `prod`) and three clusters (dev on `dev`,
staging and qa on `nonprod`, production on `prod`). Flux objects go to `k8s/clusters/<cluster>/`, valid
against the Flux CRD schemas, with no dependsOn across clusters; every overlay builds with kustomize; the
environment that runs today keeps exactly the objects (and overlay files) it has with one cluster; the
once-per-cluster objects exist once in every cluster; secrets sealed for an environment open with its
cluster's key only.
"""

from __future__ import annotations

import copy
import io
import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from cryptography.hazmat.primitives.asymmetric import rsa
from kube import FIXTURES, build, load_all, validate_crd, yaml_files
from sealed_helpers import certificate, unseal

from wizard.cli import main

LEDGER = FIXTURES / "clusters"
SINGLE: dict[str, Any] = {
    "version": 1,
    "app": "ledger",
    "source": "manifests",
    "environments": [
        {"name": "dev", "replicas": 1},
        {"name": "staging", "namespace": "ledger-staging", "replicas": 1},
        {"name": "qa", "namespace": "ledger-qa"},
        {"name": "production", "namespace": "ledger", "current": True},
    ],
    "secrets": {"provider": "sealed-secrets"},
    "flux": {"url": "https://github.com/acme/ledger.git", "branch": "main"},
    "ci": "github-actions",
}
TWO = {"staging": "nonprod", "production": "prod"}
THREE = {"dev": "dev", "staging": "nonprod", "qa": "nonprod", "production": "prod"}
LAYOUTS = {"two-clusters": TWO, "three-clusters": THREE}
ONCE_PER_CLUSTER = {("PersistentVolume", "", "ledger-archive"), ("ClusterRole", "", "ledger-reader"),
                    ("ConfigMap", "ingress-nginx", "tcp-services")}


def answers_for(clusters: dict[str, str] | None) -> dict[str, Any]:
    """The ledger answers with the environments of `clusters` (all four without), each on its cluster."""
    answers = copy.deepcopy(SINGLE)
    if clusters is not None:
        answers["environments"] = [dict(e, cluster=clusters[e["name"]]) for e in answers["environments"]
                                   if e["name"] in clusters]
        answers["secrets"]["certs"] = {c: f"certs/{c}.pem" for c in sorted(set(clusters.values()))}
    return answers


def run(*argv: str, stdin: str = "") -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(argv), stdin=io.StringIO(stdin), stdout=out)
    return code, out.getvalue()


def migrate(root: Path, answers: dict[str, Any]) -> Path:
    repo = root / "repo"
    shutil.copytree(LEDGER / "manifests", repo / "manifests")
    answers_file = root / "answers.yaml"
    answers_file.write_text(yaml.safe_dump(answers, sort_keys=False), encoding="utf-8")
    code, text = run("apply", "--answers", str(answers_file), "--repo", str(repo), "--yes")
    assert code == 0, text
    return repo


@pytest.fixture(scope="module", params=sorted(LAYOUTS))
def layout(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, str], Path]:
    clusters = LAYOUTS[request.param]
    return clusters, migrate(tmp_path_factory.mktemp(request.param), answers_for(clusters))


@pytest.fixture(scope="module")
def one_cluster(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return migrate(tmp_path_factory.mktemp("one-cluster"), answers_for(None))


def flux_objects(folder: Path) -> list[tuple[Path, dict[str, Any]]]:
    return [(p, o) for p in yaml_files(folder) for o in load_all(p.read_text(encoding="utf-8"))]


def key(obj: dict[str, Any]) -> tuple[str, str, str]:
    meta = obj.get("metadata") or {}
    return (str(obj["kind"]), str(meta.get("namespace") or ""), str(meta["name"]))


def test_flux_files_go_to_one_folder_per_cluster_valid_against_the_crds(layout) -> None:
    clusters, repo = layout
    assert not (repo / "k8s/flux").exists()
    assert sorted(p.name for p in (repo / "k8s/clusters").iterdir()) == sorted(set(clusters.values()))
    for cluster in set(clusters.values()):
        folder = repo / "k8s/clusters" / cluster
        # Ready for `flux bootstrap --path`: bootstrap adds flux-system/, and Flux applies a folder without a
        # kustomization.yaml whole.
        assert not (folder / "kustomization.yaml").exists()
        objects = flux_objects(folder)
        for _, obj in objects:
            validate_crd(obj)
        sources = [o for _, o in objects if o["kind"] == "GitRepository"]
        assert [s["spec"]["url"] for s in sources] == ["https://github.com/acme/ledger.git"], "one source per cluster"
        deployed = sorted(o["spec"]["path"] for _, o in objects if o["kind"] == "Kustomization")
        assert deployed == sorted(f"./k8s/overlays/{e}" for e, c in clusters.items() if c == cluster)
        for _, obj in objects:
            if obj["kind"] == "Kustomization":
                assert obj["spec"]["sourceRef"] == {"kind": "GitRepository", "name": sources[0]["metadata"]["name"]}


def test_no_depends_on_across_clusters(layout) -> None:
    clusters, repo = layout
    order = [e for e in ("dev", "staging", "qa", "production") if e in clusters]
    for cluster in set(clusters.values()):
        objects = [o for _, o in flux_objects(repo / "k8s/clusters" / cluster) if o["kind"] == "Kustomization"]
        names = {o["metadata"]["name"] for o in objects}
        for obj in objects:
            env = obj["spec"]["path"].rsplit("/", 1)[-1]
            deps = [d["name"] for d in obj["spec"].get("dependsOn") or []]
            assert set(deps) <= names, f"{env} depends on a Kustomization of another cluster: {deps}"
            before = order[order.index(env) - 1] if order.index(env) else None
            same = before is not None and clusters[before] == cluster
            assert deps == ([f"ledger-{before}"] if same else []), env


def test_every_overlay_builds_and_validate_passes(layout) -> None:
    clusters, repo = layout
    for env in clusters:
        objects, stderr = build(repo / "k8s/overlays" / env)
        assert objects and not stderr.strip(), stderr
    code, text = run("validate", "--repo", str(repo))
    assert code == 0, text


def test_validate_refuses_a_depends_on_across_clusters(layout, tmp_path: Path) -> None:
    _, repo = layout
    copy_ = tmp_path / "repo"
    shutil.copytree(repo, copy_)
    production = copy_ / "k8s/clusters/prod/production.yaml"
    doc = yaml.safe_load(production.read_text(encoding="utf-8"))
    doc["spec"]["dependsOn"] = [{"name": "ledger-staging"}]
    production.write_text(yaml.safe_dump(doc), encoding="utf-8")
    code, text = run("validate", "--repo", str(copy_))
    assert code == 1 and "dependsOn ledger-staging is not defined in k8s/clusters/prod/" in text, text


def test_the_environment_that_runs_today_is_unchanged(layout, one_cluster: Path) -> None:
    _, repo = layout
    overlay = "k8s/overlays/production"
    mine = {p.relative_to(repo / overlay): p.read_bytes() for p in (repo / overlay).rglob("*") if p.is_file()}
    single = {p.relative_to(one_cluster / overlay): p.read_bytes() for p in (one_cluster / overlay).rglob("*") if p.is_file()}
    # The sealing script is the one file that differs, by the answers: it seals with prod's certificate.
    script = Path("seal-secrets.sh")
    assert b"--cert certs/prod.pem" in mine.pop(script) and b"--cert" not in single.pop(script)
    assert mine == single
    built, _ = build(repo / overlay)
    reference, _ = build(one_cluster / overlay)
    assert built == reference  # every field of every object


def test_once_per_cluster_objects_exist_once_in_every_cluster(layout) -> None:
    clusters, repo = layout
    builds = {env: build(repo / "k8s/overlays" / env)[0] for env in clusters}
    for cluster in set(clusters.values()):
        envs = [e for e in clusters if clusters[e] == cluster]
        seen: dict[tuple[str, str, str], str] = {}
        node_ports: dict[int, str] = {}
        for env in envs:
            for obj in builds[env]:
                assert key(obj) not in seen, f"{key(obj)} is in both {seen.get(key(obj))} and {env} on cluster {cluster}"
                seen[key(obj)] = env
                for port in (obj.get("spec") or {}).get("ports") or [] if obj["kind"] == "Service" else []:
                    if port.get("nodePort"):
                        assert port["nodePort"] not in node_ports, f"nodePort shared on {cluster}"
                        node_ports[port["nodePort"]] = env
        assert ONCE_PER_CLUSTER <= set(seen), f"cluster {cluster} lacks {ONCE_PER_CLUSTER - set(seen)}"
        assert node_ports == {30480: envs[0] if "production" not in envs else "production"}
    if "qa" in clusters:  # the second environment on nonprod: its claim gets a volume of its own
        claim = next(o for o in builds["qa"] if o["kind"] == "PersistentVolumeClaim")
        assert "volumeName" not in claim["spec"]
    first = next(e for e in clusters if e != "production")
    for obj in builds[first]:  # a new cluster's first environment: its objects in its namespace, pinned ones kept
        if key(obj) not in ONCE_PER_CLUSTER and obj["kind"] != "Namespace":
            assert obj["metadata"]["namespace"] == ("dev" if first == "dev" else "ledger-staging"), key(obj)


def test_one_cluster_named_for_all_is_today_s_layout(one_cluster: Path, tmp_path: Path) -> None:
    answers = answers_for(None)
    for env in answers["environments"]:
        env["cluster"] = "main"
    repo = migrate(tmp_path, answers)
    for rel in ("k8s/flux", "k8s/overlays", "k8s/base", ".github"):
        for path in (one_cluster / rel).rglob("*"):
            if path.is_file():
                assert (repo / rel / path.relative_to(one_cluster / rel)).read_bytes() == path.read_bytes(), path


@pytest.fixture(scope="module")
def cluster_keys() -> dict[str, rsa.RSAPrivateKey]:
    return {c: rsa.generate_private_key(public_exponent=65537, key_size=2048) for c in ("dev", "nonprod", "prod")}


def test_sealing_uses_the_environment_s_cluster_certificate(layout, cluster_keys, tmp_path: Path) -> None:
    from cryptography.exceptions import InvalidTag

    clusters, repo = layout
    copy_ = tmp_path / "repo"
    shutil.copytree(repo, copy_)
    now = datetime.now(UTC)
    (copy_ / "certs").mkdir()
    for cluster, private in cluster_keys.items():
        (copy_ / "certs" / f"{cluster}.pem").write_bytes(certificate(private, now - timedelta(days=1), now + timedelta(days=30)))
    values = 'DB_PASSWORD="pw-for-{env}"\nSIGNING_KEY="sk-for-{env}"\n'
    envs = list(clusters)
    for env in clusters:
        code, text = run("seal", env, "--repo", str(copy_), "--env-file", "-", stdin=values.format(env=env))
        assert code == 0, text
        if env == envs[0]:  # sealed in one environment so far: a difference the wizard explains (seal the other)
            code, text = run("diff", envs[0], envs[-1], "--repo", str(copy_), "--format", "json")
            sealed = [d for d in json.loads(text)["differences"] if d["object"]["kind"] == "SealedSecret"]
            assert code == 0 and [(d["field"], d["only_in"], d["reason"]) for d in sealed] == [("", "a", "secrets")], text
    for env, cluster in clusters.items():
        [sealed] = [o for o in build(copy_ / "k8s/overlays" / env)[0] if o["kind"] == "SealedSecret"]
        validate_crd(sealed)
        assert unseal(cluster_keys[cluster], sealed) == {"DB_PASSWORD": f"pw-for-{env}", "SIGNING_KEY": f"sk-for-{env}"}
        for other, private in cluster_keys.items():
            if other != cluster:
                with pytest.raises((ValueError, InvalidTag)):
                    unseal(private, sealed)
    # Sealed per environment: the ciphertext always differs, and the drift report leaves it out.
    code, text = run("diff", envs[0], envs[-1], "--repo", str(copy_))
    assert code == 0 and "SealedSecret" not in text, text  # both sealed: no difference left
    steps = (copy_ / "MIGRATION.md").read_text(encoding="utf-8")
    assert "k8s-wizard seal staging --cert certs/nonprod.pem" in steps
    script = (copy_ / "k8s/overlays/staging/seal-secrets.sh").read_text(encoding="utf-8")
    assert "--cert certs/nonprod.pem" in script or "--cert 'certs/nonprod.pem'" in script


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda a: a["environments"][0].pop("cluster"), "environments[0].cluster: required"),
        (lambda a: a["secrets"]["certs"].update(edge="certs/edge.pem"), "secrets.certs.edge: no environment runs on cluster"),
        (lambda a: a["environments"][0].update(cluster="Not A Label"), "environments[0].cluster"),
    ],
)
def test_bad_cluster_answers_exit_2(edit, message: str, tmp_path: Path) -> None:
    answers = answers_for(TWO)
    edit(answers)
    repo = tmp_path / "repo"
    shutil.copytree(LEDGER / "manifests", repo / "manifests")
    answers_file = tmp_path / "answers.yaml"
    answers_file.write_text(yaml.safe_dump(answers, sort_keys=False), encoding="utf-8")
    code, text = run("apply", "--answers", str(answers_file), "--repo", str(repo), "--yes")
    assert code == 2 and message in text, text
    assert not (repo / "k8s").exists()


def test_environments_on_different_clusters_may_share_a_namespace(tmp_path: Path) -> None:
    answers = answers_for(TWO)
    answers["environments"][0]["namespace"] = "ledger"
    repo = migrate(tmp_path, answers)
    objects, _ = build(repo / "k8s/overlays/staging")
    assert {o["metadata"].get("namespace") for o in objects if o["kind"] == "Deployment"} == {"ledger"}


def test_drift_between_clusters_is_explained(layout) -> None:
    clusters, repo = layout
    envs = list(clusters)
    for a, b in zip(envs, envs[1:], strict=False):
        code, text = run("diff", a, b, "--repo", str(repo))
        assert code == 0, text


def test_add_env_on_a_cluster(layout, tmp_path: Path) -> None:
    clusters, repo = layout
    copy_ = tmp_path / "repo"
    shutil.copytree(repo, copy_)
    code, text = run("add-env", "preprod", "--repo", str(copy_), "--yes")
    assert code == 2 and "give --cluster" in text, text
    code, text = run("add-env", "preprod", "--cluster", "prod", "--repo", str(copy_), "--yes")
    assert code == 0, text
    doc = yaml.safe_load((copy_ / "k8s/clusters/prod/preprod.yaml").read_text(encoding="utf-8"))
    validate_crd(doc)
    assert "dependsOn" not in doc["spec"]  # the one before it is on another cluster
    production = yaml.safe_load((copy_ / "k8s/clusters/prod/production.yaml").read_text(encoding="utf-8"))
    assert production["spec"]["dependsOn"] == [{"name": "ledger-preprod"}]  # same cluster: Flux waits for it
    code, text = run("validate", "--repo", str(copy_))
    assert code == 0, text
