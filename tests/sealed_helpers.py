"""Shared by the sealing tests: a self-signed controller certificate, the payments app's answers, and `unseal`
(the controller's side: decrypt a SealedSecret as sealed-secrets' HybridDecrypt does)."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.x509.oid import NameOID

PAYMENTS_ANSWERS: dict[str, Any] = {
    "version": 1,
    "app": "payments",
    "source": "manifests",
    "environments": [
        {"name": "staging", "namespace": "payments-staging", "replicas": 1},
        {"name": "production", "namespace": "payments", "current": True},
    ],
    "secrets": {"provider": "sealed-secrets"},
    "flux": {"url": "https://github.com/acme/payments.git", "branch": "main"},
    "ci": "github-actions",
}
"""Answers for tests/fixtures/plaintext-secret: staging beside today's production."""


def certificate(key: Any, not_before: datetime, not_after: datetime, signer: Any = None) -> bytes:
    """A PEM certificate for ``key``'s public key, valid between the two dates (self-signed unless ``signer``)."""
    subject = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "sealed-secret")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .sign(signer if signer is not None else key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM)


def unseal(key: Any, obj: dict[str, Any]) -> dict[str, str]:
    """Decrypt every value of a SealedSecret as the controller would, label from the object's own metadata."""
    meta = obj["metadata"]
    annotations = meta.get("annotations") or {}
    if annotations.get("sealedsecrets.bitnami.com/cluster-wide") == "true":
        label = b""
    elif annotations.get("sealedsecrets.bitnami.com/namespace-wide") == "true":
        label = meta["namespace"].encode()
    else:
        label = f"{meta['namespace']}/{meta['name']}".encode()
    out = {}
    for k, b64 in obj["spec"]["encryptedData"].items():
        blob = base64.b64decode(b64, validate=True)
        size = int.from_bytes(blob[:2], "big")
        session = key.decrypt(
            blob[2:2 + size],
            padding.OAEP(mgf=padding.MGF1(algorithm=hashes.SHA256()), algorithm=hashes.SHA256(), label=label),
        )
        assert len(session) == 32
        out[k] = AESGCM(session).decrypt(bytes(12), blob[2 + size:], None).decode("utf-8")
    return out
