"""Helm apps end to end: chart + values in, HelmRelease base and overlays out, checked with the real tools.

Three fixture repos of our own (tests/fixtures/helm/): a `helm create` chart in the repo, a chart with
non-standard value names (deployment.replicas, web.ingress.host) and two values files, and a remote chart
(OCI and HTTP repository) installed with one values file, its archive put in helm's cache as `helm pull`
does. For each: apply with answers, build every overlay with the real kustomize, validate the Flux objects
against their CRDs, render every environment's release with the real Helm engine (helm-python-sdk) and
compare with today's release (rendered here independently from the chart and today's files) and with the
answers; a second apply changes nothing; add-env works.
"""

from __future__ import annotations

import copy
import shutil
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import made_once, run_cli
from kube import build, load_all, tree_bytes, validate_crd, yaml_files

helm_python = pytest.importorskip("helm_python", reason="the Helm engine (helm-python-sdk, in the test extra)")

HELM_FIXTURES = Path(__file__).resolve().parent / "fixtures" / "helm"
CLUSTER_SCOPED = {"Namespace", "ClusterRole", "ClusterRoleBinding", "PersistentVolume", "StorageClass"}


@dataclass
class HelmCase:
    id: str
    fixture: str
    answers: dict[str, Any]

    @property
    def current(self) -> dict[str, Any]:
        return next(e for e in self.answers["environments"] if e.get("current"))

    @property
    def new_envs(self) -> list[dict[str, Any]]:
        return [e for e in self.answers["environments"] if not e.get("current")]


def _answers(fixture: str) -> dict[str, Any]:
    return yaml.safe_load((HELM_FIXTURES / fixture / "answers.yaml").read_text(encoding="utf-8"))


def _https(answers: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(answers)
    out["helm"]["repository"] = "https://charts.example.com"
    return out


CASES = [
    HelmCase("create", "create", _answers("create")),
    HelmCase("nonstandard", "nonstandard", _answers("nonstandard")),
    HelmCase("remote-oci", "remote", _answers("remote")),
    HelmCase("remote-https", "remote", _https(_answers("remote"))),
]


def merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """Helm's values merge (maps deep, the rest replaced), written here independently of the code under test."""
    out = dict(base)
    for k, v in over.items():
        out[k] = merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


@dataclass
class Applied:
    case: HelmCase
    repo: Path
    answers_file: Path
    cache: Path

    def chart_source(self) -> Path:
        helm = self.case.answers["helm"]
        if "repository" in helm:
            return self.cache / f"{helm['chart']}-{helm['version']}.tgz"
        return self.repo / helm["chart"].removeprefix("./")

    def render(self, values: dict[str, Any], release: str, namespace: str) -> list[dict[str, Any]]:
        with helm_python.Chart.load(str(self.chart_source())) as chart:
            manifests = chart.render(values, name=release, namespace=namespace, is_install=True)
        objects = [d for name, text in sorted(manifests.items()) if name.endswith(".yaml") for d in load_all(text)]
        for obj in objects:
            if obj["kind"] not in CLUSTER_SCOPED:
                obj["metadata"].setdefault("namespace", namespace)
        return objects

    def today(self) -> list[dict[str, Any]]:
        """Today's release, as `helm install -f ...` renders it."""
        helm = self.case.answers["helm"]
        values: dict[str, Any] = {}
        for rel in helm.get("values", []):
            values = merge(values, yaml.safe_load((self.repo / rel).read_text(encoding="utf-8")) or {})
        return self.render(values, helm["release"], self.case.current["namespace"])

    def environment(self, env: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """(the HelmRelease of an overlay's kustomize build, what it installs)."""
        objects, stderr = build(self.repo / "k8s" / "overlays" / env)
        assert stderr == "", stderr
        release = next(o for o in objects if o["kind"] == "HelmRelease")
        values: dict[str, Any] = {}
        for ref in release["spec"].get("valuesFrom", []):
            cm = next(o for o in objects if o["kind"] == "ConfigMap" and o["metadata"]["name"] == ref["name"])
            values = merge(values, yaml.safe_load(cm["data"][ref["valuesKey"]]) or {})
        values = merge(values, release["spec"].get("values") or {})
        spec = release["spec"]
        return release, self.render(values, spec["releaseName"], spec["targetNamespace"])


def _setup(case: HelmCase, root: Path, monkeypatch: pytest.MonkeyPatch, answers: dict[str, Any] | None = None) -> Applied:
    repo = root / "repo"
    shutil.copytree(HELM_FIXTURES / case.fixture / "repo", repo)
    cache = root / "helm-cache"
    cache.mkdir()
    chart_src = HELM_FIXTURES / case.fixture / "chart"
    if chart_src.is_dir():  # a published chart: its archive in helm's cache, as `helm pull -d` leaves it
        helm = case.answers["helm"]
        with tarfile.open(cache / f"{helm['chart']}-{helm['version']}.tgz", "w:gz") as tar:
            tar.add(chart_src / helm["chart"], arcname=helm["chart"])
    monkeypatch.setenv("HELM_REPOSITORY_CACHE", str(cache))
    answers_file = root / "answers.yaml"
    answers_file.write_text(yaml.safe_dump(answers or case.answers, sort_keys=False), encoding="utf-8")
    return Applied(case, repo, answers_file, cache)


def _apply(applied: Applied, *extra: str) -> Any:
    return run_cli("apply", "--answers", str(applied.answers_file), "--repo", str(applied.repo), "--yes", *extra)


@pytest.fixture(params=CASES, ids=[c.id for c in CASES])
def applied(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, session_stores: Path,
) -> Applied:
    """The case applied once in the whole run (apply is deterministic); each test gets a copy."""
    case: HelmCase = request.param

    def make(root: Path) -> None:
        result = _apply(_setup(case, root, monkeypatch))
        assert result.code == 0, result.describe()

    root = tmp_path / "case"
    shutil.copytree(made_once(session_stores, f"helm-{case.id}", make), root, symlinks=True)
    monkeypatch.setenv("HELM_REPOSITORY_CACHE", str(root / "helm-cache"))
    return Applied(case, root / "repo", root / "answers.yaml", root / "helm-cache")


def _by_kind(objects: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [o for o in objects if o["kind"] == kind]


def _key(o: dict[str, Any]) -> tuple[str, str, str]:
    return (o["kind"], o["metadata"].get("namespace", ""), o["metadata"]["name"])


def test_every_overlay_builds_and_every_flux_object_matches_its_crd(applied: Applied) -> None:
    helm = applied.case.answers["helm"]
    for env in applied.case.answers["environments"]:
        objects, stderr = build(applied.repo / "k8s" / "overlays" / env["name"])
        assert stderr == ""
        releases = _by_kind(objects, "HelmRelease")
        assert len(releases) == 1
        release = releases[0]
        validate_crd(release)
        assert release["apiVersion"] == "helm.toolkit.fluxcd.io/v2"
        assert release["metadata"]["namespace"] == env["namespace"]
        assert release["spec"]["targetNamespace"] == env["namespace"]
        assert release["spec"]["storageNamespace"] == env["namespace"]
        namespaces = [o["metadata"]["name"] for o in objects if o["kind"] == "Namespace"]
        # today's release namespace exists: only a new environment's overlay creates its namespace
        assert namespaces == ([] if env.get("current") else [env["namespace"]])
        sources = [o for o in objects if o["kind"] in ("HelmRepository", "OCIRepository")]
        for source in sources:
            validate_crd(source)
            assert source["metadata"]["namespace"] == env["namespace"]
        if "repository" not in helm:
            assert sources == []
            spec = release["spec"]["chart"]["spec"]
            assert spec["sourceRef"] == {"kind": "GitRepository", "name": applied.case.answers["app"], "namespace": "flux-system"}
            assert (applied.repo / spec["chart"].removeprefix("./") / "Chart.yaml").is_file()
        elif helm["repository"].startswith("oci://"):
            assert [s["kind"] for s in sources] == ["OCIRepository"]
            assert release["spec"]["chartRef"] == {"kind": "OCIRepository", "name": applied.case.answers["app"]}
            assert sources[0]["spec"]["url"] == f"{helm['repository']}/{helm['chart']}"
            assert sources[0]["spec"]["ref"] == {"tag": helm["version"]}
        else:
            assert [s["kind"] for s in sources] == ["HelmRepository"]
            assert release["spec"]["chart"]["spec"]["version"] == helm["version"]
    flux = [o for p in yaml_files(applied.repo / "k8s" / "flux") for o in load_all(p.read_text(encoding="utf-8"))]
    kustomizations = [o for o in flux if o["kind"] == "Kustomization" and "toolkit" in o["apiVersion"]]
    for obj in flux:
        if "toolkit.fluxcd.io" in obj["apiVersion"]:
            validate_crd(obj)
    names = [e["name"] for e in applied.case.answers["environments"]]
    app = applied.case.answers["app"]
    by_name = {k["metadata"]["name"]: k for k in kustomizations}
    assert sorted(by_name) == sorted(f"{app}-{n}" for n in names)
    assert "dependsOn" not in by_name[f"{app}-{names[0]}"]["spec"]
    for previous, name in zip(names, names[1:], strict=False):
        assert by_name[f"{app}-{name}"]["spec"]["dependsOn"] == [{"name": f"{app}-{previous}"}]
        assert by_name[f"{app}-{name}"]["spec"]["path"] == f"./k8s/overlays/{name}"


def test_current_environment_renders_exactly_todays_release(applied: Applied) -> None:
    current = applied.case.current
    release, objects = applied.environment(current["name"])
    assert release["spec"]["releaseName"] == applied.case.answers["helm"]["release"]
    today = applied.today()
    assert today, "today's release renders nothing: the fixture is wrong"
    assert sorted(objects, key=_key) == sorted(today, key=_key)


def test_new_environments_carry_their_answers_and_are_isolated(applied: Applied) -> None:
    renders = {e["name"]: applied.environment(e["name"])[1] for e in applied.case.answers["environments"]}
    owners: dict[tuple[str, str, str], str] = {}
    for env_name, objects in renders.items():
        for obj in objects:
            assert _key(obj) not in owners, f"{_key(obj)} rendered by {owners.get(_key(obj))} and {env_name}"
            owners[_key(obj)] = env_name
    for env in applied.case.new_envs:
        release, objects = applied.environment(env["name"])
        assert release["spec"]["releaseName"] != applied.case.answers["helm"]["release"]
        assert {o["metadata"]["namespace"] for o in objects if o["kind"] not in CLUSTER_SCOPED} == {env["namespace"]}
        workloads = [o for o in objects if o["kind"] in ("Deployment", "StatefulSet")]
        assert len(workloads) == 1
        workload = workloads[0]
        container = workload["spec"]["template"]["spec"]["containers"][0]
        hpas = _by_kind(objects, "HorizontalPodAutoscaler")
        if "autoscaling" in env:
            assert [(h["spec"]["minReplicas"], h["spec"]["maxReplicas"]) for h in hpas] == [
                (env["autoscaling"]["min"], env["autoscaling"]["max"])
            ]
            assert "replicas" not in workload["spec"]
            assert release["spec"]["driftDetection"]["ignore"][0]["paths"] == ["/spec/replicas"]
        else:
            assert hpas == []
        if "replicas" in env:
            assert workload["spec"]["replicas"] == env["replicas"]
        if "image_tag" in env:
            assert container["image"].endswith(f":{env['image_tag']}")
        if "resources" in env:
            for part, amounts in env["resources"].items():
                for name, qty in amounts.items():
                    assert str(container["resources"][part][name]) == str(qty)
        ingresses = _by_kind(objects, "Ingress")
        today_hosts = {r["host"] for i in _by_kind(applied.today(), "Ingress") for r in i["spec"]["rules"]}
        hosts = {r["host"] for i in ingresses for r in i["spec"]["rules"]}
        if "host" in env:
            assert hosts == {env["host"]}
        assert not hosts & today_hosts, "a new environment answers on production's host"


def test_second_apply_changes_nothing(applied: Applied) -> None:
    before = tree_bytes(applied.repo)
    again = _apply(applied)
    assert again.code == 0, again.describe()
    assert "nothing to change" in again.out
    assert tree_bytes(applied.repo) == before


def test_validate_renders_every_release_and_compares_with_today(applied: Applied) -> None:
    result = run_cli("validate", "--repo", str(applied.repo))
    assert result.code == 0, result.describe()
    current = applied.case.current["name"]
    assert f"{current} renders exactly today's" in result.out
    for env in applied.case.answers["environments"]:
        assert f"helm-rendered (k8s/overlays/{env['name']})" in result.out


def test_add_env_on_a_helm_project(applied: Applied) -> None:
    result = run_cli("add-env", "qa", "--repo", str(applied.repo), "--yes")
    assert result.code == 0, result.describe()
    release, objects = applied.environment("qa")
    validate_crd(release)
    assert release["spec"]["releaseName"] == f"{applied.case.answers['helm']['release']}-qa"
    assert release["metadata"]["namespace"] == release["spec"]["targetNamespace"]
    assert objects and all(o["metadata"]["namespace"] == release["spec"]["targetNamespace"] for o in objects)
    ks = yaml.safe_load((applied.repo / "k8s" / "flux" / "qa.yaml").read_text(encoding="utf-8"))
    validate_crd(ks)
    # the current environment still renders today's release
    assert sorted(applied.environment(applied.case.current["name"])[1], key=_key) == sorted(applied.today(), key=_key)


# --- bad input: exit 2, the key path named, nothing written ------------------------------------------------------


def _refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: Any, fixture: str = "create") -> str:
    case = next(c for c in CASES if c.fixture == fixture)
    answers = copy.deepcopy(case.answers)
    change(answers)
    app = _setup(case, tmp_path, monkeypatch, answers)
    before = tree_bytes(app.repo)
    result = _apply(app)
    assert result.code == 2, result.describe()
    assert tree_bytes(app.repo) == before
    return result.text


def test_unknown_value_path_is_refused_with_its_key_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = _refused(tmp_path, monkeypatch, lambda a: a["environments"][0].update(values={"ingress": {"hostz": "x"}}))
    assert "environments[0].values.ingress.hostz: no such value in the chart" in text


def test_unknown_mapped_path_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = _refused(tmp_path, monkeypatch, lambda a: a["helm"].update(paths={"replicas": "deployment.replicaz"}))
    assert "helm.paths.replicas: 'deployment.replicaz': no such value" in text


def test_a_key_the_chart_has_no_value_for_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    case = next(c for c in CASES if c.fixture == "nonstandard")
    answers = copy.deepcopy(case.answers)
    answers["environments"][1]["replicas"] = 4  # production, which does not autoscale
    app = _setup(case, tmp_path, monkeypatch, answers)
    values = app.repo / "deploy/shop/values.yaml"  # a chart that calls its replica count `size`
    values.write_text(values.read_text(encoding="utf-8").replace("  replicas: 2", "  size: 2"), encoding="utf-8")
    prod = app.repo / "deploy/values-prod.yaml"
    prod.write_text(prod.read_text(encoding="utf-8").replace("  replicas: 4", "  size: 4"), encoding="utf-8")
    before = tree_bytes(app.repo)
    result = _apply(app)
    assert result.code == 2, result.describe()
    assert "environments[1].replicas: the chart has no value for this" in result.text
    assert "set helm.paths.replicas" in result.text
    assert tree_bytes(app.repo) == before
    answers["helm"]["paths"] = {"replicas": "deployment.size"}
    app.answers_file.write_text(yaml.safe_dump(answers, sort_keys=False), encoding="utf-8")
    assert _apply(app).code == 0
    patch = yaml.safe_load((app.repo / "k8s/overlays/production/patches/helmrelease.yaml").read_text(encoding="utf-8"))
    assert patch["spec"]["values"] == {"deployment": {"size": 4}}
    patch = yaml.safe_load((app.repo / "k8s/overlays/staging/patches/helmrelease.yaml").read_text(encoding="utf-8"))
    assert "size" not in patch["spec"]["values"]["deployment"]  # staging autoscales: the HPA owns the count


def test_per_workload_answers_are_refused_for_a_chart(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = _refused(tmp_path, monkeypatch, lambda a: a["environments"][0].update(replicas={"web": 2}))
    assert "environments[0].replicas: a Helm app takes one replicas per environment" in text


def test_raw_values_that_repeat_a_mapped_key_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = _refused(tmp_path, monkeypatch, lambda a: a["environments"][0].update(values={"replicaCount": 5}))
    assert "environments[0].values.replicaCount: also set by environments[0].replicas" in text


def test_a_chart_folder_as_source_points_to_the_helm_answers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def as_source(a: dict[str, Any]) -> None:
        del a["helm"]
        a["source"] = "chart"

    text = _refused(tmp_path, monkeypatch, as_source)
    assert "chart/Chart.yaml: this is a Helm chart" in text and "helm:" in text


def test_validate_says_when_the_engine_is_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = _setup(CASES[0], tmp_path, monkeypatch)
    assert _apply(app).code == 0
    import wizard.core.validate.helm as helm_checks

    monkeypatch.setattr(helm_checks, "engine", lambda: None)
    result = run_cli("validate", "--repo", str(app.repo))
    assert result.code == 0, result.describe()
    assert "Charts not rendered: the Helm engine is not installed (pip install 'k8s-wizard[helm]')" in result.out


def test_validate_catches_a_current_environment_that_drifts_from_today(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = _setup(CASES[0], tmp_path, monkeypatch)
    assert _apply(app).code == 0
    patch = app.repo / "k8s/overlays/production/patches/helmrelease.yaml"
    patch.write_text(patch.read_text(encoding="utf-8") + "  values:\n    replicaCount: 7\n", encoding="utf-8")
    result = run_cli("validate", "--repo", str(app.repo))
    assert result.code == 1, result.describe()
    assert "production does not render today's objects: Deployment/web differs at /spec/replicas" in result.out


# --- the plan (MIGRATION.md) and the promotion workflow --------------------------------------------------------------


def test_migration_documents_the_adoption_of_todays_release(applied: Applied) -> None:
    text = (applied.repo / "MIGRATION.md").read_text(encoding="utf-8")
    helm = applied.case.answers["helm"]
    current = applied.case.current
    ns, release = current["namespace"], helm["release"]
    assert f"pins releaseName {release} and storageNamespace {ns}" in text
    assert f"helm get values {release} -n {ns} -o yaml" in text
    assert f"helm history {release} -n {ns}" in text
    assert "Suspend, never delete" in text and f"flux suspend helmrelease {applied.case.answers['app']} -n {ns}" in text
    assert "None/" not in text and "kubectl diff -k" not in text  # nothing of the plain-manifest hand-over
    for env in applied.case.new_envs:
        assert f"installs release {release}-{env['name']} there" in text


def test_findings_name_what_a_new_environment_needs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    remote = _setup(CASES[2], tmp_path / "remote", monkeypatch)
    assert _apply(remote).code == 0
    plan = (remote.repo / "MIGRATION.md").read_text(encoding="utf-8")
    assert "The chart reads Secret cache-auth (auth.existingSecret); dev needs it in namespace cache-dev. List" in plan
    create = _setup(CASES[0], tmp_path / "create", monkeypatch)
    values = create.repo / "deploy/values-production.yaml"
    values.write_text(values.read_text(encoding="utf-8") + "auth:\n  password: CANARY-s3cr3t-9f2b\n", encoding="utf-8")
    result = _apply(create)  # today's files are what runs: a key the chart ignores is not refused there
    assert result.code == 0, result.describe()
    plan = (create.repo / "MIGRATION.md").read_text(encoding="utf-8")
    assert "auth.password looks like a secret in a values file" in plan
    assert "CANARY-s3cr3t-9f2b" not in plan
    assert "staging's ingress uses TLS Secret web-tls (ingress.tls[0].secretName)" in plan


def test_promotion_copies_the_charts_image_tag(applied: Applied) -> None:
    workflow = yaml.safe_load((applied.repo / ".github/workflows/k8s-wizard-promote.yaml").read_text(encoding="utf-8"))
    script = workflow["jobs"]["promote"]["steps"][-1]["run"]
    expected = {"create": '["image"]["tag"]', "nonstandard": '["deployment"]["image"]["tag"]'}.get(
        applied.case.fixture, '["image"]["tag"]'
    )
    assert f".spec.values{expected} = strenv(TAG)" in script
    assert "overlays/$TARGET/patches/helmrelease.yaml" in script
    assert ".images" not in script


# --- secrets the chart reads (existingSecret): sealed per environment like any other ---------------------------------


def test_a_secret_the_chart_reads_is_sealed_into_each_overlay(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import io
    from datetime import UTC, datetime, timedelta

    from cryptography.hazmat.primitives.asymmetric import rsa
    from sealed_helpers import certificate

    from wizard.cli import main

    case = CASES[2]  # the remote chart: auth.existingSecret: cache-auth, key redis-password in its template
    answers = copy.deepcopy(case.answers)
    answers["helm"]["secrets"] = {"cache-auth": ["redis-password"]}
    app = _setup(case, tmp_path, monkeypatch, answers)
    result = _apply(app)
    assert result.code == 0, result.describe()
    plan = (app.repo / "MIGRATION.md").read_text(encoding="utf-8")
    assert "Seal dev's secrets" in plan and "cache-auth: redis-password (HelmRelease/cache)" in plan
    assert "Seal production's secrets from the cluster" in plan
    assert "The chart reads Secret cache-auth" not in plan  # listed: a step, not a warning
    assert "redis-password" in (app.repo / "k8s/overlays/dev/seal-secrets.sh").read_text(encoding="utf-8")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = datetime.now(UTC)
    cert = tmp_path / "pub-cert.pem"
    cert.write_bytes(certificate(key, now - timedelta(days=1), now + timedelta(days=30)))
    out = io.StringIO()
    code = main(["seal", "dev", "--repo", str(app.repo), "--cert", str(cert), "--env-file", "-"],
                stdin=io.StringIO('redis-password="CANARY-s3cr3t-9f2b"\n'), stdout=out)
    assert code == 0, out.getvalue()
    assert "CANARY-s3cr3t-9f2b" not in out.getvalue()
    objects, stderr = build(app.repo / "k8s/overlays/dev")
    assert stderr == ""
    sealed = [o for o in objects if o["kind"] == "SealedSecret"]
    assert [(s["metadata"]["name"], s["metadata"]["namespace"]) for s in sealed] == [("cache-auth", "cache-dev")]
    validate_crd(sealed[0])
    assert sorted(sealed[0]["spec"]["encryptedData"]) == ["redis-password"]
    # the release that reads it still renders what the answers say, and the build still renders today's for production
    _, rendered = app.environment("dev")
    env_refs = [e["valueFrom"]["secretKeyRef"] for o in rendered if o["kind"] == "StatefulSet"
                for c in o["spec"]["template"]["spec"]["containers"] for e in c.get("env", [])]
    assert env_refs == [{"name": "cache-auth", "key": "redis-password"}]
    assert sorted(app.environment("production")[1], key=_key) == sorted(app.today(), key=_key)


def test_secret_values_never_go_in_helm_secrets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = _refused(tmp_path, monkeypatch, lambda a: a["helm"].update(secrets={"web-auth": {"password": "CANARY-s3cr3t"}}))
    assert "helm.secrets.web-auth: expected a list" in text
    assert "CANARY-s3cr3t" not in text


def test_a_remote_chart_not_in_helms_cache_is_said_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = _setup(CASES[2], tmp_path, monkeypatch)
    for archive in app.cache.iterdir():
        archive.unlink()  # never pulled: nothing is downloaded, and nothing is claimed
    result = _apply(app)
    assert result.code == 0, result.describe()
    assert "helm-chart-offline" in result.out
    assert "helm pull oci://registry.example.com/charts/cache --version 1.4.2" in result.out
    validated = run_cli("validate", "--repo", str(app.repo))
    assert validated.code == 0, validated.describe()
    assert "not rendered: chart cache 1.4.2 is not in helm's cache" in validated.out
    assert "renders exactly today's" not in validated.out


def test_validate_accepts_what_the_current_environments_answers_ask(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    answers = copy.deepcopy(CASES[0].answers)
    answers["environments"][1]["replicas"] = 5  # production: today 3
    app = _setup(CASES[0], tmp_path, monkeypatch, answers)
    assert _apply(app).code == 0
    _, production = app.environment("production")
    assert [o["spec"]["replicas"] for o in production if o["kind"] == "Deployment"] == [5]
    result = run_cli("validate", "--repo", str(app.repo))
    assert result.code == 0, result.describe()
    assert "production renders exactly today's 5 objects plus what its answers ask" in result.out


def test_validate_after_editing_the_values_in_the_base_warns_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = _setup(CASES[0], tmp_path, monkeypatch)
    assert _apply(app).code == 0
    copy_file = app.repo / "k8s/base/values/values-production.yaml"
    copy_file.write_text(copy_file.read_text(encoding="utf-8").replace("replicaCount: 3", "replicaCount: 6"), encoding="utf-8")
    result = run_cli("validate", "--repo", str(app.repo))
    assert result.code == 0, result.describe()
    assert "helm-current-edited" in result.out and "after edits to k8s/base/values/values-production.yaml" in result.out
    assert "Deployment/web differs at /spec/replicas" in result.out
