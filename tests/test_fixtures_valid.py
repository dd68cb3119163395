"""The fixture repos are what they claim to be, and the test helpers can tell good from bad.

Each source is built with the real kustomize (through a throwaway kustomization listing its files when it has
none), so a broken fixture fails here rather than as a confusing rule failure later.
"""

from __future__ import annotations

import base64
import shutil
from pathlib import Path

import pytest
import yaml
from conftest import ALL_CASES, CANARY, Case
from kube import (
    FIXTURES,
    SCHEMAS,
    build,
    crd_errors,
    find_kustomization,
    images,
    key,
    node_ports,
    today_objects,
    validate_crd,
    yaml_files,
)

SOURCE_CASES = [c for c in ALL_CASES if c.manifests is not None]


def build_source(manifests: Path, tmp_path: Path) -> tuple[list[dict], str]:
    """Build a source folder as it is, or via a kustomization listing every YAML file when it has none."""
    if find_kustomization(manifests) is not None:
        return build(manifests)
    copy = tmp_path / "src"
    shutil.copytree(manifests, copy)
    files = [p.relative_to(copy).as_posix() for p in yaml_files(copy)]
    (copy / "kustomization.yaml").write_text(yaml.safe_dump({"resources": files}), encoding="utf-8")
    return build(copy)


@pytest.mark.parametrize("fixture", SOURCE_CASES, ids=[c.id for c in SOURCE_CASES])
def test_source_builds_with_kustomize(fixture: Case, tmp_path: Path) -> None:
    objects, _ = build_source(fixture.manifests, tmp_path)
    assert objects, f"{fixture.id}: the source built to nothing"
    parsed = today_objects(fixture.manifests, "ns")
    assert sorted(key(o)[::2] for o in objects) == sorted(key(o)[::2] for o in parsed), (
        f"{fixture.id}: kustomize and today_objects() disagree on the objects of the source"
    )


@pytest.mark.parametrize("fixture", ALL_CASES, ids=[c.id for c in ALL_CASES])
def test_answers_describe_staging_then_production(fixture: Case) -> None:
    names = [e["name"] for e in fixture.envs]
    assert names == ["staging", "production"], f"{fixture.id}: environments are {names}"
    if fixture.manifests is not None:
        assert fixture.current and fixture.current["name"] == "production", f"{fixture.id}: production must be current"
        assert fixture.source, f"{fixture.id}: answers have no source"
    else:
        assert "new_app" in fixture.answers and fixture.current is None


def own(name: str, tmp_path: Path) -> list[dict]:
    return build_source(FIXTURES / name / "manifests", tmp_path)[0]


def test_plain_folder_has_what_the_brief_asks(tmp_path: Path) -> None:
    objects = own("plain-folder", tmp_path)
    kinds = {o["kind"] for o in objects}
    assert {"Deployment", "Service", "ConfigMap", "Ingress", "StatefulSet", "Job"} <= kinds
    assert "Secret" not in kinds, "the Secret must exist only in the cluster"
    assert all(not (o["metadata"].get("namespace")) for o in objects)
    sts = next(o for o in objects if o["kind"] == "StatefulSet")
    assert sts["spec"]["serviceName"] and sts["spec"]["volumeClaimTemplates"]
    ing = next(o for o in objects if o["kind"] == "Ingress")
    assert ing["spec"]["rules"][0]["host"] == "shop.example.com"
    assert all(":" in image for o in objects for _, image in images(o)), "every image is tagged"
    text = "".join(p.read_text() for p in yaml_files(FIXTURES / "plain-folder" / "manifests"))
    assert "secretKeyRef" in text and "# " in text


def test_multidoc_has_what_the_brief_asks(tmp_path: Path) -> None:
    files = yaml_files(FIXTURES / "multidoc" / "manifests")
    assert len(files) == 1
    raw = files[0].read_bytes()
    assert raw.count(b"\r\n") == raw.count(b"\n"), "every line ends in CRLF"
    text = raw.decode()
    for needle in ("kind: List", "&api-labels", "*api-labels", "<<: *env-defaults", "namespace: shop\r\n",
                   "namespace: ingress-nginx"):
        assert needle in text, needle
    assert text.count("\n---") >= 6 and "#  API" in text
    objects = own("multidoc", tmp_path)
    kinds = {o["kind"] for o in objects}
    assert {"PersistentVolume", "HorizontalPodAutoscaler", "ConfigMap", "Service", "Deployment"} <= kinds
    assert node_ports(objects) == {30080}
    api = next(o for o in objects if o["kind"] == "Deployment")
    env = api["spec"]["template"]["spec"]["containers"][0]["env"]
    assert {"name": "PGTZ", "value": "UTC"} in env, "the merge key must resolve"


def test_kustomization_adopt_has_what_the_brief_asks(tmp_path: Path) -> None:
    kust = yaml.safe_load((FIXTURES / "kustomization-adopt" / "manifests" / "kustomization.yaml").read_text())
    assert {"commonLabels", "configMapGenerator", "images", "resources"} <= kust.keys()
    objects = own("kustomization-adopt", tmp_path)
    _, stderr = build(FIXTURES / "kustomization-adopt" / "manifests")
    assert "commonLabels" in stderr, "kustomize warns about commonLabels (proves the empty-stderr check can fail)"
    dep = next(o for o in objects if key(o)[::2] == ("Deployment", "billing-api"))
    assert dep["spec"]["selector"]["matchLabels"]["app.kubernetes.io/name"] == "billing"
    assert images(dep) == [("api", "ghcr.io/acme/billing-api:2.3.1")]
    assert any(o["kind"] == "ConfigMap" and o["metadata"]["name"].startswith("billing-config-") for o in objects)


def test_plaintext_secret_holds_the_canary(tmp_path: Path) -> None:
    objects = own("plaintext-secret", tmp_path)
    secret = next(o for o in objects if o["kind"] == "Secret")
    b64 = base64.b64encode(CANARY.encode()).decode()
    assert CANARY in secret["data"].values() or CANARY in (secret.get("stringData") or {}).values() or any(
        base64.b64decode(v).decode() == CANARY for v in secret["data"].values()
    )
    raw = (FIXTURES / "plaintext-secret" / "manifests" / "secret.yaml").read_text()
    assert f"PAYMENT_API_TOKEN: {CANARY}" in raw and f"DB_PASSWORD: {b64}" in raw
    dep = next(o for o in objects if o["kind"] == "Deployment")
    pod = dep["spec"]["template"]["spec"]["containers"][0]
    assert {"secretRef": {"name": "payments-secrets"}} in pod["envFrom"]
    assert any((e.get("valueFrom") or {}).get("secretKeyRef") for e in pod["env"])
    assert any(e.get("value") and "Pa55word" in e["value"] for e in pod["env"])
    config = next(o for o in objects if o["kind"] == "ConfigMap")
    assert "Pa55word" in config["data"]["SMTP_PASSWORD"]


def test_build_reports_failure(tmp_path: Path) -> None:
    (tmp_path / "kustomization.yaml").write_text("resources: [missing.yaml]\n")
    with pytest.raises(pytest.fail.Exception, match="missing.yaml"):
        build(tmp_path)


def valid_flux_kustomization() -> dict:
    return {
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
        "kind": "Kustomization",
        "metadata": {"name": "shop-staging", "namespace": "flux-system"},
        "spec": {"interval": "10m", "prune": True, "path": "./k8s/overlays/staging",
                 "sourceRef": {"kind": "GitRepository", "name": "shop"}},
    }


@pytest.fixture
def schemas() -> None:
    if not SCHEMAS.is_dir():
        pytest.skip(f"CRD schemas not present at {SCHEMAS}")


@pytest.mark.usefixtures("schemas")
def test_validate_crd_accepts_a_valid_kustomization() -> None:
    validate_crd(valid_flux_kustomization())


@pytest.mark.usefixtures("schemas")
@pytest.mark.parametrize("drop", ["interval", "prune", "sourceRef"])
def test_validate_crd_rejects_a_kustomization_without_a_required_field(drop: str) -> None:
    obj = valid_flux_kustomization()
    del obj["spec"][drop]
    assert any(drop in e for e in crd_errors(obj)), f"missing {drop} went unnoticed"


@pytest.mark.usefixtures("schemas")
def test_validate_crd_rejects_a_bad_duration_and_v1beta2() -> None:
    obj = valid_flux_kustomization()
    obj["spec"]["interval"] = "10 minutes"
    assert crd_errors(obj)
    obj = valid_flux_kustomization()
    obj["apiVersion"] = "kustomize.toolkit.fluxcd.io/v1beta2"
    with pytest.raises(pytest.fail.Exception, match="v1beta2"):
        validate_crd(obj)
