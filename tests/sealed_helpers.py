"""Shared by the sealing tests: a self-signed controller certificate and the payments app's answers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
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
