"""`validate` checks the Flux and SealedSecret objects against the CRDs shipped in the package.

The CRDs in wizard/core/validate/crds/ are verbatim copies of ../shared/schemas (the schemas a cluster
enforces). Every fixture's written objects pass them; a planted breach in a Flux file or in an object an
overlay builds fails `validate` (exit 1) with the object, the field path and the rule.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from conftest import ALL_CASES, PROJECT_ROOT, Migrated, apply, make_repo, run_cli
from kube import SCHEMAS, yaml_files

from wizard.core.validate import crds

SHIPPED = PROJECT_ROOT / "wizard" / "core" / "validate" / "crds"
CASES = {c.id: c for c in ALL_CASES}


@pytest.mark.skipif(not SCHEMAS.is_dir(), reason="../shared/schemas is not next to the repository")
def test_the_shipped_crds_are_verbatim_copies_of_the_shared_schemas() -> None:
    shared = {p.name: p.read_bytes() for p in yaml_files(SCHEMAS)}
    shipped = {p.name: p.read_bytes() for p in SHIPPED.glob("*.yaml")}
    assert shipped == shared
    assert "Apache-2.0" in (SHIPPED / "SOURCE.txt").read_text(encoding="utf-8")


def test_every_fixtures_flux_objects_pass_their_crds(migrated: Migrated) -> None:
    objects = migrated.flux_objects()
    assert any(crds.known(o) for o in objects), "no Flux object was checked"
    for obj in objects:
        assert list(crds.problems(obj)) == [], f"{obj.get('kind')}/{obj['metadata']['name']}"


@pytest.fixture
def written(tmp_path: Path) -> Path:
    """plain-folder applied; validate passes on it as written."""
    repo, answers_file = make_repo(CASES["plain-folder"], tmp_path)
    assert apply(repo, answers_file).code == 0
    result = run_cli("validate", "--repo", str(repo))
    assert result.code == 0, result.describe()
    return repo


def _edit_flux(repo: Path, change) -> None:  # type: ignore[no-untyped-def]
    path = repo / "k8s" / "flux" / "staging.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(doc)
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d["spec"].update(interval="5 minutes"), "shop-staging: spec.interval: '5 minutes' does not match"),
        (lambda d: d["spec"].pop("sourceRef"), "Kustomization/shop-staging: spec.sourceRef: is required"),
        (lambda d: d["spec"].update(prune="yes"), "Kustomization/shop-staging: spec.prune: 'yes' is not of type boolean"),
        (lambda d: d.update(apiVersion="kustomize.toolkit.fluxcd.io/v1beta2"), "v1beta2 is not served for Kustomization"),
    ],
    ids=["duration", "required", "type", "version"],
)
def test_a_flux_object_that_breaks_its_crd_fails_validate(written: Path, change, expected: str) -> None:  # type: ignore[no-untyped-def]
    _edit_flux(written, change)
    result = run_cli("validate", "--repo", str(written))
    assert result.code == 1, result.describe()
    assert "crd-schema" in result.text and expected in result.text, result.text


def test_a_built_sealed_secret_that_breaks_its_crd_fails_validate(written: Path) -> None:
    overlay = written / "k8s" / "overlays" / "staging"
    (overlay / "secrets").mkdir()
    (overlay / "secrets" / "api.sealedsecret.yaml").write_text(
        "apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata:\n  name: api\n"
        "spec:\n  encryptedData:\n    TOKEN: 12345\n",
        encoding="utf-8",
    )
    kustomization = overlay / "kustomization.yaml"
    doc = yaml.safe_load(kustomization.read_text(encoding="utf-8"))
    doc["resources"].append("secrets/api.sealedsecret.yaml")
    kustomization.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    for _ in range(2):  # the second run reuses the build (its inputs did not change): the check still sees it
        result = run_cli("validate", "--repo", str(written))
        assert result.code == 1, result.describe()
        assert "SealedSecret/api: spec.encryptedData.TOKEN: 12345 is not of type string" in result.text, result.text
