"""Offline sealing: decrypted here by an independent implementation of the controller's side."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import yaml
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from kube import SCHEMAS
from sealed_helpers import certificate

from wizard.core.errors import InputError
from wizard.core.secrets.sealing import (
    Scope,
    encrypt_value,
    load_certificate,
    scope_label,
    sealed_secret,
    sealed_secret_yaml,
)

CANARY = b"canary-Pa55w0rd-7f3a9c"
SCHEMA = SCHEMAS / "sealed-secrets" / "bitnami.com_sealedsecrets.yaml"
NOW = datetime(2026, 3, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def private_key() -> rsa.RSAPrivateKey:
    """The controller's key pair (the test plays the controller)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def cert_pem(private_key: rsa.RSAPrivateKey) -> bytes:
    """What `kubeseal --fetch-cert` would print: valid around NOW."""
    return certificate(private_key, NOW - timedelta(days=30), NOW + timedelta(days=3650))


@pytest.fixture(scope="module")
def public_key(cert_pem: bytes) -> rsa.RSAPublicKey:
    """The key the tool seals with, loaded from the certificate."""
    return load_certificate(cert_pem, source="cert.pem", now=NOW)


def hybrid_decrypt(private_key: rsa.RSAPrivateKey, b64: str, label: bytes) -> bytes:
    """Written from the format: u16 BE len(rsa) || RSA-OAEP(SHA-256) session key || AES-256-GCM(zero nonce)."""
    blob = base64.b64decode(b64, validate=True)
    rsa_len = int.from_bytes(blob[:2], "big")
    assert len(blob) >= 2 + rsa_len
    session_key = private_key.decrypt(
        blob[2 : 2 + rsa_len],
        padding.OAEP(mgf=padding.MGF1(algorithm=hashes.SHA256()), algorithm=hashes.SHA256(), label=label),
    )
    assert len(session_key) == 32
    return AESGCM(session_key).decrypt(b"\x00" * 12, blob[2 + rsa_len :], None)


def controller_label(obj: Mapping[str, Any]) -> bytes:
    """The label the controller derives from the SealedSecret's own metadata (cluster-wide wins)."""
    meta = obj["metadata"]
    annotations = meta.get("annotations") or {}
    if annotations.get("sealedsecrets.bitnami.com/cluster-wide") == "true":
        return b""
    if annotations.get("sealedsecrets.bitnami.com/namespace-wide") == "true":
        return meta["namespace"].encode()
    return f"{meta['namespace']}/{meta['name']}".encode()


def unseal(private_key: rsa.RSAPrivateKey, obj: Mapping[str, Any]) -> dict[str, bytes]:
    """Decrypt every key of a SealedSecret the way the controller would."""
    label = controller_label(obj)
    return {k: hybrid_decrypt(private_key, v, label) for k, v in obj["spec"]["encryptedData"].items()}


def test_format_layout(public_key: rsa.RSAPublicKey) -> None:
    """Length prefix is the RSA modulus size; the AES part is plaintext + 16-byte tag."""
    blob = base64.b64decode(encrypt_value(public_key, b"prod/db", b"12345"))
    assert int.from_bytes(blob[:2], "big") == 256
    assert len(blob) == 2 + 256 + 5 + 16


def test_each_sealing_is_fresh(public_key: rsa.RSAPublicKey) -> None:
    """A random session key per value: the same value seals differently twice."""
    assert encrypt_value(public_key, b"", b"x") != encrypt_value(public_key, b"", b"x")


@pytest.mark.parametrize(
    ("scope", "label", "annotations"),
    [
        (Scope.STRICT, b"prod/db-credentials", None),
        (Scope.NAMESPACE_WIDE, b"prod", {"sealedsecrets.bitnami.com/namespace-wide": "true"}),
        (Scope.CLUSTER_WIDE, b"", {"sealedsecrets.bitnami.com/cluster-wide": "true"}),
    ],
)
def test_seal_and_unseal_each_scope(
    private_key: rsa.RSAPrivateKey,
    public_key: rsa.RSAPublicKey,
    scope: Scope,
    label: bytes,
    annotations: dict[str, str] | None,
) -> None:
    """Every scope round-trips through the controller's decryption and carries the right annotation."""
    values = {"password": CANARY, "username": b"app", "empty": b"", "binary": bytes(range(256))}
    obj = sealed_secret("db-credentials", "prod", values, public_key, scope, secret_type="Opaque")
    assert scope_label(scope, "prod", "db-credentials") == label
    assert controller_label(obj) == label
    assert unseal(private_key, obj) == values
    assert obj["apiVersion"] == "bitnami.com/v1alpha1"
    assert obj["kind"] == "SealedSecret"
    assert obj["metadata"].get("annotations") == annotations
    assert obj["spec"]["template"]["metadata"].get("annotations") == annotations
    assert obj["spec"]["template"]["metadata"]["name"] == "db-credentials"
    assert obj["spec"]["template"]["metadata"]["namespace"] == "prod"
    assert obj["spec"]["template"]["type"] == "Opaque"
    assert list(obj["spec"]["encryptedData"]) == sorted(values)


@pytest.mark.parametrize(
    "wrong_label",
    [b"prod/other-name", b"staging/db-credentials", b"prod", b"", b"prod/db-credentials "],
)
def test_strict_value_does_not_unseal_elsewhere(
    private_key: rsa.RSAPrivateKey, public_key: rsa.RSAPublicKey, wrong_label: bytes
) -> None:
    """A strict value is bound to its namespace and name."""
    obj = sealed_secret("db-credentials", "prod", {"password": CANARY}, public_key)
    with pytest.raises(ValueError):
        hybrid_decrypt(private_key, obj["spec"]["encryptedData"]["password"], wrong_label)


def test_namespace_wide_binds_namespace_only(private_key: rsa.RSAPrivateKey, public_key: rsa.RSAPublicKey) -> None:
    """Namespace-wide: renaming keeps working, another namespace does not."""
    obj = sealed_secret("db", "prod", {"password": CANARY}, public_key, Scope.NAMESPACE_WIDE)
    renamed = {**obj, "metadata": {**obj["metadata"], "name": "renamed"}}
    assert unseal(private_key, renamed) == {"password": CANARY}
    with pytest.raises(ValueError):
        hybrid_decrypt(private_key, obj["spec"]["encryptedData"]["password"], b"staging")
    with pytest.raises(ValueError):
        hybrid_decrypt(private_key, obj["spec"]["encryptedData"]["password"], b"prod/db")


def test_cluster_wide_needs_empty_label(private_key: rsa.RSAPrivateKey, public_key: rsa.RSAPublicKey) -> None:
    """Cluster-wide values use the empty label, so a namespace label fails."""
    obj = sealed_secret("db", "prod", {"password": CANARY}, public_key, Scope.CLUSTER_WIDE)
    with pytest.raises(ValueError):
        hybrid_decrypt(private_key, obj["spec"]["encryptedData"]["password"], b"prod")


def test_dropping_the_scope_annotation_breaks_unsealing(private_key: rsa.RSAPrivateKey, public_key: rsa.RSAPublicKey) -> None:
    """The controller reads the scope from the annotation: without it, it tries the strict label."""
    obj = sealed_secret("db", "prod", {"password": CANARY}, public_key, Scope.NAMESPACE_WIDE)
    stripped = {**obj, "metadata": {"name": "db", "namespace": "prod"}}
    with pytest.raises(ValueError):
        unseal(private_key, stripped)


def test_tampered_ciphertext_fails(private_key: rsa.RSAPrivateKey, public_key: rsa.RSAPublicKey) -> None:
    """The GCM tag is appended and checked."""
    blob = bytearray(base64.b64decode(encrypt_value(public_key, b"prod/db", CANARY)))
    blob[-1] ^= 1
    with pytest.raises(InvalidTag):
        hybrid_decrypt(private_key, base64.b64encode(bytes(blob)).decode(), b"prod/db")


def test_reseal_one_key_keeps_the_others(private_key: rsa.RSAPrivateKey, public_key: rsa.RSAPublicKey) -> None:
    """Re-sealing `password` keeps `username` byte for byte and replaces `password`."""
    first = sealed_secret("db", "prod", {"username": b"app", "password": b"old"}, public_key)
    loaded = yaml.safe_load(sealed_secret_yaml(first))
    second = sealed_secret("db", "prod", {"password": CANARY}, public_key, existing=loaded)
    assert second["spec"]["encryptedData"]["username"] == first["spec"]["encryptedData"]["username"]
    assert second["spec"]["encryptedData"]["password"] != first["spec"]["encryptedData"]["password"]
    assert unseal(private_key, second) == {"username": b"app", "password": CANARY}


@pytest.mark.parametrize(
    ("name", "namespace", "scope"),
    [("other", "prod", Scope.STRICT), ("db", "staging", Scope.STRICT), ("db", "prod", Scope.NAMESPACE_WIDE)],
)
def test_reseal_refuses_a_different_object(public_key: rsa.RSAPublicKey, name: str, namespace: str, scope: Scope) -> None:
    """Keys sealed for another name, namespace or scope cannot be kept: the user must re-seal them all."""
    first = sealed_secret("db", "prod", {"username": b"app"}, public_key)
    with pytest.raises(InputError) as caught:
        sealed_secret(
            name,
            namespace,
            {"password": CANARY},
            public_key,
            scope,
            existing=first,
            existing_source="overlays/prod/db.sealedsecret.yaml",
        )
    message = str(caught.value)
    assert "overlays/prod/db.sealedsecret.yaml" in message
    assert "re-seal" in message
    assert CANARY.decode() not in message


def test_reseal_refuses_something_else(public_key: rsa.RSAPublicKey) -> None:
    """An `existing` that is not a SealedSecret is refused."""
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db", "namespace": "prod"}}
    with pytest.raises(InputError, match="not a bitnami.com/v1alpha1 SealedSecret"):
        sealed_secret("db", "prod", {"password": CANARY}, public_key, existing=secret)


@pytest.mark.parametrize(
    ("name", "namespace", "keys", "fragment"),
    [
        ("DB", "prod", ["password"], "Secret name 'DB'"),
        ("db", "Prod_1", ["password"], "namespace 'Prod_1'"),
        ("db", "prod", ["pass word"], "key 'pass word'"),
    ],
)
def test_invalid_names_refused(public_key: rsa.RSAPublicKey, name: str, namespace: str, keys: list[str], fragment: str) -> None:
    """Names the API server would reject are refused before sealing, without the value."""
    with pytest.raises(InputError) as caught:
        sealed_secret(name, namespace, dict.fromkeys(keys, CANARY), public_key)
    assert fragment in str(caught.value)
    assert CANARY.decode() not in str(caught.value)


def test_nothing_to_seal(public_key: rsa.RSAPublicKey) -> None:
    """A SealedSecret without any value is a mistake."""
    with pytest.raises(InputError, match="no values"):
        sealed_secret("db", "prod", {}, public_key)


def test_expired_certificate_refused(private_key: rsa.RSAPrivateKey) -> None:
    """An expired certificate is refused with the file name and the expiry date."""
    pem = certificate(private_key, NOW - timedelta(days=400), datetime(2026, 1, 15, tzinfo=UTC))
    with pytest.raises(InputError) as caught:
        load_certificate(pem, source="certs/prod.pem", now=NOW)
    message = str(caught.value)
    assert "certs/prod.pem" in message
    assert "expired" in message
    assert "2026-01-15" in message
    assert CANARY.decode() not in message


def test_not_yet_valid_certificate_refused(private_key: rsa.RSAPrivateKey) -> None:
    """A certificate from the future is refused too."""
    pem = certificate(private_key, NOW + timedelta(days=2), NOW + timedelta(days=400))
    with pytest.raises(InputError, match=r"certs/prod\.pem.*not valid before 2026-03-03"):
        load_certificate(pem, source="certs/prod.pem", now=NOW)
    assert load_certificate(pem, source="certs/prod.pem", now=NOW + timedelta(days=3))


def test_current_time_is_the_default(private_key: rsa.RSAPrivateKey) -> None:
    """Without `now`, today's date decides."""
    today = datetime.now(UTC)
    expired = certificate(private_key, today - timedelta(days=10), today - timedelta(days=1))
    with pytest.raises(InputError, match="expired"):
        load_certificate(expired, source="cert.pem")
    valid = certificate(private_key, today - timedelta(days=1), today + timedelta(days=10))
    assert load_certificate(valid, source="cert.pem").key_size == 2048


def test_non_rsa_certificate_refused() -> None:
    """sealed-secrets only does RSA."""
    key = ec.generate_private_key(ec.SECP256R1())
    pem = certificate(key, NOW - timedelta(days=1), NOW + timedelta(days=1))
    with pytest.raises(InputError, match=r"cert\.pem.*RSA"):
        load_certificate(pem, source="cert.pem", now=NOW)


@pytest.mark.parametrize(
    ("pem", "fragment"),
    [
        (b"hello", "not a PEM certificate"),
        (b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "cannot be parsed"),
    ],
)
def test_garbage_refused(pem: bytes, fragment: str) -> None:
    """Anything but a certificate is refused with the file name."""
    with pytest.raises(InputError) as caught:
        load_certificate(pem, source="cert.pem", now=NOW)
    assert "cert.pem" in str(caught.value)
    assert fragment in str(caught.value)


def test_private_key_and_bare_public_key_refused(private_key: rsa.RSAPrivateKey) -> None:
    """A private key is never accepted (nor echoed); a bare public key is not what kubeseal uses."""
    private_pem = private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    with pytest.raises(InputError) as caught:
        load_certificate(private_pem, source="key.pem", now=NOW)
    assert "private key" in str(caught.value)
    assert private_pem.decode().splitlines()[1] not in str(caught.value)
    public_pem = private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    with pytest.raises(InputError, match="public key, not an X.509 certificate"):
        load_certificate(public_pem, source="key.pub", now=NOW)


def test_yaml_text(private_key: rsa.RSAPrivateKey, public_key: rsa.RSAPublicKey) -> None:
    """The file: comment header, block style, 2-space indent, no trailing spaces, no plaintext."""
    obj = sealed_secret(
        "db",
        "prod",
        {"password": CANARY, "a.key": b"x"},
        public_key,
        Scope.NAMESPACE_WIDE,
        secret_type="Opaque",
        labels={"app": "web"},
        annotations={"team": "payments"},
    )
    text = sealed_secret_yaml(obj)
    assert text.startswith("# Sealed by k8s-wizard")
    assert "safe to commit" in text.splitlines()[0]
    assert CANARY.decode() not in text
    assert base64.b64encode(CANARY).decode() not in text
    assert all(line == line.rstrip() for line in text.splitlines())
    assert text.endswith("\n") and not text.endswith("\n\n")
    assert "{" not in text
    assert "\n  name: db\n" in text
    assert "\n    password: " in text
    assert sealed_secret_yaml(obj) == text
    loaded = yaml.safe_load(text)
    assert loaded == obj
    assert loaded["metadata"]["annotations"]["sealedsecrets.bitnami.com/namespace-wide"] == "true"
    assert loaded["spec"]["template"]["metadata"]["labels"] == {"app": "web"}
    assert loaded["spec"]["template"]["metadata"]["annotations"]["team"] == "payments"
    assert unseal(private_key, loaded) == {"password": CANARY, "a.key": b"x"}


def test_yaml_sequences_indented_like_kubectl() -> None:
    """Sequences sit at their parent key's column, as kubectl prints them."""
    text = sealed_secret_yaml({"spec": {"template": {"metadata": {"finalizers": ["a", "b"]}}}})
    assert "      finalizers:\n      - a\n      - b\n" in text


@pytest.mark.skipif(not SCHEMA.is_file(), reason="../shared/schemas is not next to the repository")
@pytest.mark.parametrize("scope", list(Scope))
def test_validates_against_crd_schema(public_key: rsa.RSAPublicKey, scope: Scope) -> None:
    """The generated object passes the SealedSecret CRD's openAPIV3Schema."""
    import jsonschema

    crd = yaml.safe_load(SCHEMA.read_text())
    version = next(v for v in crd["spec"]["versions"] if v["name"] == "v1alpha1")
    assert version["served"]
    schema = version["schema"]["openAPIV3Schema"]
    obj = sealed_secret("db", "prod", {"password": CANARY}, public_key, scope, secret_type="Opaque", labels={"app": "web"})
    jsonschema.validate(yaml.safe_load(sealed_secret_yaml(obj)), schema)
    broken = {**obj, "spec": {"template": obj["spec"]["template"]}}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)
