"""`k8s-wizard seal ENV` end to end: apply a fixture, seal with a generated key pair, build the overlay with the
real kustomize, and decrypt what the build carries with an independent implementation of the controller.

The decryption below is written from the sealed-secrets format (pkg/crypto/crypto.go HybridDecrypt), not by
calling anything of the tool: u16 big-endian length of the RSA part, RSA-OAEP(SHA-256, MGF1-SHA-256) with the
scope label over a 32-byte session key, then AES-256-GCM with a 12-byte zero nonce. The label is taken from
the *built* object's own name and namespace, as the controller does.
"""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import Case, applied_copy
from cryptography.hazmat.primitives.asymmetric import rsa
from kube import FIXTURES, SCHEMAS, build
from sealed_helpers import PAYMENTS_ANSWERS, certificate, unseal

from wizard.cli import main
from wizard.core.answers.parse import ANSWERS_FILE
from wizard.core.model import ChangeKind, Level
from wizard.core.pipeline import build as pipeline_build
from wizard.core.pipeline import read_answers
from wizard.core.validate.sealed import stale_sealed_secrets

SCHEMA = SCHEMAS / "sealed-secrets" / "bitnami.com_sealedsecrets.yaml"
SEALED = "k8s/overlays/{env}/secrets/payments-secrets.sealedsecret.yaml"
VALUES = {"DB_PASSWORD": "db-pass-ẞ-1 with spaces", "PAYMENT_API_TOKEN": "tok_live_2"}
ANSWERS = PAYMENTS_ANSWERS


# --- the controller's side --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def controller_key() -> rsa.RSAPrivateKey:
    """The sealed-secrets controller's private key (the test plays the controller)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def certs(controller_key: rsa.RSAPrivateKey, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A valid and an expired certificate of the controller's key, as PEM files outside any repo."""
    folder = tmp_path_factory.mktemp("certs")
    now = datetime.now(UTC)
    valid, expired = folder / "pub-cert.pem", folder / "expired.pem"
    valid.write_bytes(certificate(controller_key, now - timedelta(days=1), now + timedelta(days=365)))
    expired.write_bytes(certificate(controller_key, now - timedelta(days=400), now - timedelta(days=35)))
    return {"valid": valid, "expired": expired}


# --- helpers ----------------------------------------------------------------------------------------------
def run(*argv: str, stdin: str = "") -> tuple[int, str]:
    """The real CLI in-process: exit code and everything it printed."""
    out = io.StringIO()
    code = main(list(argv), stdin=io.StringIO(stdin), stdout=out)
    return code, out.getvalue()


def dotenv(values: dict[str, str]) -> str:
    return "".join(f'{k}="{v}"\n' for k, v in values.items())


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """The plaintext-secret fixture applied (`apply --yes`) into a fresh repo (applied once in the run, then copied:
    see `applied_copy`)."""
    case = Case("plaintext-secret", FIXTURES / "plaintext-secret" / "manifests", ANSWERS)
    root = applied_copy(case, tmp_path, ANSWERS, name="seal-command-payments")[0]
    assert (root / ANSWERS_FILE).is_file()
    return root


def snapshot(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def sealed_in_build(root: Path, env: str) -> dict[str, Any]:
    objects, stderr = build(root / "k8s" / "overlays" / env)
    assert not stderr.strip(), stderr
    found = [o for o in objects if o.get("kind") == "SealedSecret"]
    assert len(found) == 1, f"the build of {env} carries {len(found)} SealedSecrets"
    return found[0]


def seal(root: Path, env: str, cert: Path, values: dict[str, str], *extra: str) -> tuple[int, str]:
    return run("seal", env, "--repo", str(root), "--cert", str(cert), "--env-file", "-", *extra, stdin=dotenv(values))


# --- round trips ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("scope", ["strict", "namespace-wide", "cluster-wide"])
def test_seal_round_trip_through_the_overlay_build(repo: Path, certs: dict[str, Path], controller_key, scope: str) -> None:
    code, text = seal(repo, "staging", certs["valid"], VALUES, "--scope", scope)
    assert code == 0, text
    assert "sealed payments-secrets: DB_PASSWORD, PAYMENT_API_TOKEN" in text
    obj = sealed_in_build(repo, "staging")
    assert obj["apiVersion"] == "bitnami.com/v1alpha1"
    assert (obj["metadata"]["name"], obj["metadata"]["namespace"]) == ("payments-secrets", "payments-staging")
    annotations = obj["metadata"].get("annotations") or {}
    assert (annotations.get(f"sealedsecrets.bitnami.com/{scope}") == "true") == (scope != "strict")
    assert unseal(controller_key, obj) == VALUES
    # The template records what it was sealed for; the controller names the Secret after the SealedSecret.
    template = obj["spec"]["template"]["metadata"]
    assert (template["name"], template["namespace"]) == ("payments-secrets", "payments-staging")


def test_strict_scope_is_bound_to_name_and_namespace(repo: Path, certs: dict[str, Path], controller_key) -> None:
    assert seal(repo, "staging", certs["valid"], VALUES)[0] == 0
    obj = sealed_in_build(repo, "staging")
    for meta in ({"name": "other", "namespace": "payments-staging"}, {"name": "payments-secrets", "namespace": "payments"}):
        moved = {**obj, "metadata": meta}
        with pytest.raises(ValueError):
            unseal(controller_key, moved)


def test_seal_the_running_environment(repo: Path, certs: dict[str, Path], controller_key) -> None:
    code, text = seal(repo, "production", certs["valid"], VALUES)
    assert code == 0, text
    obj = sealed_in_build(repo, "production")
    assert (obj["metadata"]["name"], obj["metadata"]["namespace"]) == ("payments-secrets", "payments")
    assert unseal(controller_key, obj) == VALUES


def test_the_overlay_lists_the_file_and_apply_has_nothing_left_to_do(repo: Path, certs: dict[str, Path]) -> None:
    assert seal(repo, "staging", certs["valid"], VALUES)[0] == 0
    kustomization = yaml.safe_load((repo / "k8s/overlays/staging/kustomization.yaml").read_text(encoding="utf-8"))
    assert "secrets/payments-secrets.sealedsecret.yaml" in kustomization["resources"]
    answers, inventory = read_answers(repo, None)
    outcome = pipeline_build(repo, answers, inventory)
    assert [c.path for c in outcome.changes if c.kind is not ChangeKind.UNCHANGED] == []
    assert stale_sealed_secrets(repo, answers) == []


def test_prompted_values_without_echo(repo: Path, certs: dict[str, Path], controller_key, monkeypatch) -> None:
    asked: list[str] = []

    def fake_getpass(prompt: str = "") -> str:
        asked.append(prompt)
        return VALUES["DB_PASSWORD"] if "DB_PASSWORD" in prompt else VALUES["PAYMENT_API_TOKEN"]

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr("wizard.commands.seal.getpass.getpass", fake_getpass)
    out = io.StringIO()
    code = main(["seal", "staging", "--repo", str(repo), "--cert", str(certs["valid"])], stdin=Terminal(), stdout=out)
    assert code == 0, out.getvalue()
    assert len(asked) == 2 and all("payments-secrets" in p for p in asked)
    assert unseal(controller_key, sealed_in_build(repo, "staging")) == VALUES


def test_name_prefix_seals_for_the_final_name(repo: Path, certs: dict[str, Path], controller_key) -> None:
    kfile = repo / "k8s/overlays/staging/kustomization.yaml"
    kfile.write_text(kfile.read_text(encoding="utf-8") + "namePrefix: pr-\n", encoding="utf-8")  # a hand edit
    code, text = seal(repo, "staging", certs["valid"], VALUES)
    assert code == 0, text
    assert "renames Secret payments-secrets to pr-payments-secrets" in text
    obj = sealed_in_build(repo, "staging")
    assert obj["metadata"]["name"] == "pr-payments-secrets"
    assert unseal(controller_key, obj) == VALUES
    assert "namePrefix: pr-" in kfile.read_text(encoding="utf-8")  # the hand edit survived the re-generation


def test_reseal_one_key_keeps_the_other(repo: Path, certs: dict[str, Path], controller_key) -> None:
    assert seal(repo, "staging", certs["valid"], VALUES)[0] == 0
    path = repo / SEALED.format(env="staging")
    before = yaml.safe_load(path.read_text(encoding="utf-8"))["spec"]["encryptedData"]
    code, text = seal(repo, "staging", certs["valid"], {"DB_PASSWORD": "rotated-3"}, "--key", "DB_PASSWORD")
    assert code == 0, text
    assert "kept PAYMENT_API_TOKEN" in text
    after = yaml.safe_load(path.read_text(encoding="utf-8"))["spec"]["encryptedData"]
    assert after["PAYMENT_API_TOKEN"] == before["PAYMENT_API_TOKEN"]
    assert after["DB_PASSWORD"] != before["DB_PASSWORD"]
    assert unseal(controller_key, sealed_in_build(repo, "staging")) == {**VALUES, "DB_PASSWORD": "rotated-3"}


def test_reseal_one_key_with_another_scope_is_refused(repo: Path, certs: dict[str, Path]) -> None:
    assert seal(repo, "staging", certs["valid"], VALUES)[0] == 0
    before = snapshot(repo)
    code, text = seal(repo, "staging", certs["valid"], {"DB_PASSWORD": "x"}, "--key", "DB_PASSWORD", "--scope", "cluster-wide")
    assert code == 2, text
    assert "payments-secrets.sealedsecret.yaml" in text and "re-seal every key" in text
    assert snapshot(repo) == before


def test_sealed_secret_validates_against_the_crd(repo: Path, certs: dict[str, Path]) -> None:
    if not SCHEMA.is_file():
        pytest.skip(f"{SCHEMA} is absent")
    jsonschema = pytest.importorskip("jsonschema")
    crd = yaml.safe_load(SCHEMA.read_text(encoding="utf-8"))
    schema = next(v for v in crd["spec"]["versions"] if v["name"] == "v1alpha1")["schema"]["openAPIV3Schema"]
    for scope in ("strict", "cluster-wide"):
        assert seal(repo, "staging", certs["valid"], VALUES, "--scope", scope)[0] == 0
        on_disk = yaml.safe_load((repo / SEALED.format(env="staging")).read_text(encoding="utf-8"))
        for obj in (on_disk, sealed_in_build(repo, "staging")):
            jsonschema.validate(obj, schema)


# --- refusals: exit 2, nothing written ----------------------------------------------------------------------
def test_expired_certificate_is_refused(repo: Path, certs: dict[str, Path]) -> None:
    before = snapshot(repo)
    code, text = seal(repo, "staging", certs["expired"], VALUES)
    assert code == 2, text
    assert "expired" in text and str(certs["expired"]) in text
    assert snapshot(repo) == before


def test_missing_key_in_env_file(repo: Path, certs: dict[str, Path]) -> None:
    before = snapshot(repo)
    code, text = seal(repo, "staging", certs["valid"], {"DB_PASSWORD": "only-one"})
    assert code == 2, text
    assert "PAYMENT_API_TOKEN" in text and "only-one" not in text
    assert snapshot(repo) == before


def test_unknown_environment_lists_the_known_ones(repo: Path, certs: dict[str, Path]) -> None:
    code, text = seal(repo, "qa", certs["valid"], VALUES)
    assert code == 2
    assert "qa" in text and "staging" in text and "production" in text


def test_unknown_secret_and_key(repo: Path, certs: dict[str, Path]) -> None:
    code, text = seal(repo, "staging", certs["valid"], VALUES, "--secret", "nope")
    assert code == 2 and "payments-secrets" in text
    # A new key is accepted only for a named Secret.
    code, text = seal(repo, "staging", certs["valid"], {"NEW_KEY": "v"}, "--key", "NEW_KEY", "--secret", "payments-secrets")
    assert code == 0, text
    assert "NEW_KEY" in yaml.safe_load((repo / SEALED.format(env="staging")).read_text(encoding="utf-8"))["spec"]["encryptedData"]


def test_no_certificate_explains_how_to_get_one(repo: Path) -> None:
    before = snapshot(repo)
    code, text = run("seal", "staging", "--repo", str(repo), "--env-file", "-", stdin=dotenv(VALUES))
    assert code == 2
    assert "kubeseal --fetch-cert" in text and "overlays/staging/seal-secrets.sh" in text
    assert snapshot(repo) == before


def test_no_terminal_and_no_env_file(repo: Path, certs: dict[str, Path]) -> None:
    code, text = run("seal", "staging", "--repo", str(repo), "--cert", str(certs["valid"]))
    assert code == 2 and "--env-file" in text


def test_ctrl_c_while_asking_writes_nothing(repo: Path, certs: dict[str, Path], monkeypatch) -> None:
    answers = iter(["first-value"])

    def interrupted(prompt: str = "") -> str:
        value = next(answers, None)
        if value is None:
            raise KeyboardInterrupt
        return value

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr("wizard.commands.seal.getpass.getpass", interrupted)
    before = snapshot(repo)
    out = io.StringIO()
    code = main(["seal", "staging", "--repo", str(repo), "--cert", str(certs["valid"])], stdin=Terminal(), stdout=out)
    assert code == 130
    assert "first-value" not in out.getvalue()
    assert snapshot(repo) == before


# --- a change after sealing -----------------------------------------------------------------------------------
def _set_staging_namespace(root: Path, namespace: str) -> None:
    path = root / ANSWERS_FILE
    text = path.read_text(encoding="utf-8")
    assert text.count("namespace: payments-staging\n") == 1
    path.write_text(text.replace("namespace: payments-staging\n", f"namespace: {namespace}\n"), encoding="utf-8")


def test_namespace_change_after_sealing_is_flagged(repo: Path, certs: dict[str, Path], controller_key) -> None:
    assert seal(repo, "staging", certs["valid"], VALUES)[0] == 0
    _set_staging_namespace(repo, "payments-stage2")
    code, text = run("apply", "--repo", str(repo), "--yes")
    assert code == 0, text
    obj = sealed_in_build(repo, "staging")
    assert obj["metadata"]["namespace"] == "payments-stage2"
    with pytest.raises(ValueError):  # what the controller would now fail to do
        unseal(controller_key, obj)

    answers, _ = read_answers(repo, None)
    findings = stale_sealed_secrets(repo, answers)
    assert [(f.level, f.code, f.path) for f in findings] == [
        (Level.ERROR, "sealed-secret-stale", SEALED.format(env="staging")),
    ]
    assert "payments-staging/payments-secrets" in findings[0].message
    code, text = run("validate", "--repo", str(repo))
    assert code == 1 and "sealed-secret-stale" in text, text

    # Re-sealing one key cannot keep values sealed for the old namespace; sealing every key fixes it.
    code, text = seal(repo, "staging", certs["valid"], {"DB_PASSWORD": "x"}, "--key", "DB_PASSWORD")
    assert code == 2 and "re-seal every key" in text
    assert seal(repo, "staging", certs["valid"], VALUES)[0] == 0
    assert unseal(controller_key, sealed_in_build(repo, "staging")) == VALUES
    assert stale_sealed_secrets(repo, answers) == []
    code, text = run("validate", "--repo", str(repo))
    assert "sealed-secret-stale" not in text


def test_prefix_added_after_sealing_is_flagged(repo: Path, certs: dict[str, Path]) -> None:
    assert seal(repo, "staging", certs["valid"], VALUES)[0] == 0
    kfile = repo / "k8s/overlays/staging/kustomization.yaml"
    kfile.write_text(kfile.read_text(encoding="utf-8") + "nameSuffix: -v2\n", encoding="utf-8")
    answers, _ = read_answers(repo, None)
    findings = stale_sealed_secrets(repo, answers)
    assert [f.code for f in findings] == ["sealed-secret-stale"]
    assert "payments-staging/payments-secrets-v2" in findings[0].message
    # Namespace-wide scope does not care about the name.
    assert seal(repo, "staging", certs["valid"], VALUES, "--scope", "namespace-wide")[0] == 0
    kfile.write_text(kfile.read_text(encoding="utf-8").replace("nameSuffix: -v2\n", "nameSuffix: -v3\n"), encoding="utf-8")
    assert stale_sealed_secrets(repo, answers) == []


def test_unlisted_sealed_file_is_reported(repo: Path, certs: dict[str, Path]) -> None:
    assert seal(repo, "staging", certs["valid"], VALUES)[0] == 0
    kfile = repo / "k8s/overlays/staging/kustomization.yaml"
    kfile.write_text(kfile.read_text(encoding="utf-8").replace("  - secrets/payments-secrets.sealedsecret.yaml\n", ""),
                     encoding="utf-8")
    answers, _ = read_answers(repo, None)
    assert [f.code for f in stale_sealed_secrets(repo, answers)] == ["sealed-secret-unlisted"]


def test_other_pending_changes_leave_the_listing_to_apply(repo: Path, certs: dict[str, Path], controller_key) -> None:
    answers_file = repo / ANSWERS_FILE
    answers_file.write_text(answers_file.read_text(encoding="utf-8").replace("replicas: 1\n", "replicas: 3\n"), encoding="utf-8")
    kfile = repo / "k8s/overlays/staging/kustomization.yaml"
    before = kfile.read_text(encoding="utf-8")
    code, text = seal(repo, "staging", certs["valid"], VALUES)
    assert code == 0, text
    # the replica count lives in the overlay's patch file since overlays keep one patch file per kind
    assert "run `k8s-wizard apply`" in text and "k8s/overlays/staging/patches/deployment.yaml" in text
    assert kfile.read_text(encoding="utf-8") == before  # the changed replica count is apply's to write, after review
    assert (repo / SEALED.format(env="staging")).is_file()
    code, text = run("apply", "--repo", str(repo), "--yes")
    assert code == 0, text
    obj = sealed_in_build(repo, "staging")
    assert unseal(controller_key, obj) == VALUES
