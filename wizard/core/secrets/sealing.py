"""Offline sealing of Secret values into Bitnami SealedSecrets.

Produces exactly what the sealed-secrets controller decrypts (bitnami-labs/sealed-secrets,
``pkg/crypto/crypto.go`` ``HybridEncrypt``): a random 32-byte session key encrypted with RSA-OAEP
(SHA-256, MGF1-SHA-256) under the scope label, the value encrypted with AES-256-GCM under that key with
a 12-byte all-zero nonce (the key is used once), and the bytes
``uint16 big-endian len(rsa part) || rsa part || aes part`` in standard base64.

There is deliberately no decrypt function: only the controller holds the private key. Nothing here logs
a plaintext or puts one into an exception message.
"""

from __future__ import annotations

import base64
import io
import os
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from ruamel.yaml import YAML

from wizard.core.errors import InputError

if TYPE_CHECKING:  # cryptography is loaded by the first seal: every `apply` imports this module, few seal (~50 ms)
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

API_VERSION = "bitnami.com/v1alpha1"
KIND = "SealedSecret"
NAMESPACE_WIDE_ANNOTATION = "sealedsecrets.bitnami.com/namespace-wide"
CLUSTER_WIDE_ANNOTATION = "sealedsecrets.bitnami.com/cluster-wide"
HEADER_COMMENT = (
    "# Sealed by k8s-wizard: the values are encrypted for the cluster's sealed-secrets controller"
    " and this file is safe to commit."
)

_SESSION_KEY_BYTES = 32
_ZERO_NONCE = bytes(12)
_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_SECRET_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")


class Scope(StrEnum):
    """Where a sealed value may be unsealed (kubeseal ``--scope``)."""

    STRICT = "strict"
    NAMESPACE_WIDE = "namespace-wide"
    CLUSTER_WIDE = "cluster-wide"


def load_certificate(pem: bytes, *, source: str, now: datetime | None = None) -> RSAPublicKey:
    """Return the RSA public key of the controller certificate in ``pem`` (``kubeseal --fetch-cert``).

    Refuses, with an InputError naming ``source``, anything that is not a currently valid X.509
    certificate holding an RSA key (kubeseal refuses expired certificates too).
    """
    if b"PRIVATE KEY-----" in pem:
        raise InputError(
            f"{source}: contains a private key; seal with the controller's public certificate "
            "(`kubeseal --fetch-cert`), and keep the private key out of the repository"
        )
    if b"-----BEGIN CERTIFICATE-----" not in pem:
        if b"PUBLIC KEY-----" in pem:
            reason = "is a bare public key, not an X.509 certificate"
        else:
            reason = "is not a PEM certificate"
        raise InputError(f"{source}: {reason}; fetch one with `kubeseal --fetch-cert > cert.pem`")
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

    try:
        cert = x509.load_pem_x509_certificate(pem)
    except ValueError as exc:
        raise InputError(f"{source}: the PEM certificate cannot be parsed ({exc})") from None
    moment = now if now is not None else datetime.now(UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    not_after = cert.not_valid_after_utc
    not_before = cert.not_valid_before_utc
    if moment > not_after:
        raise InputError(
            f"{source}: the sealing certificate expired on {not_after:%Y-%m-%d %H:%M} UTC; "
            "fetch the controller's current certificate with `kubeseal --fetch-cert`"
        )
    if moment < not_before:
        raise InputError(
            f"{source}: the sealing certificate is not valid before {not_before:%Y-%m-%d %H:%M} UTC; "
            "check the clock or fetch the controller's current certificate"
        )
    key = cert.public_key()
    if not isinstance(key, RSAPublicKey):
        raise InputError(
            f"{source}: the certificate holds a {type(key).__name__.lstrip('_')} key; sealed-secrets needs an RSA key"
        )
    return key


def scope_label(scope: Scope, namespace: str, name: str) -> bytes:
    """The RSA-OAEP label the controller expects for ``scope`` (its ``EncryptionLabel``)."""
    scope = Scope(scope)
    if scope is Scope.CLUSTER_WIDE:
        return b""
    if scope is Scope.NAMESPACE_WIDE:
        return namespace.encode()
    return f"{namespace}/{name}".encode()


def encrypt_value(public_key: RSAPublicKey, label: bytes, plaintext: bytes) -> str:
    """Seal one value: the base64 text that goes under ``spec.encryptedData``."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    session_key = os.urandom(_SESSION_KEY_BYTES)
    rsa_part = public_key.encrypt(
        session_key,
        padding.OAEP(mgf=padding.MGF1(algorithm=hashes.SHA256()), algorithm=hashes.SHA256(), label=label),
    )
    aes_part = AESGCM(session_key).encrypt(_ZERO_NONCE, plaintext, None)
    blob = len(rsa_part).to_bytes(2, "big") + rsa_part + aes_part
    return base64.b64encode(blob).decode("ascii")


def _scope_annotations(scope: Scope) -> dict[str, str]:
    """The annotation that tells the controller which label to decrypt with."""
    if scope is Scope.NAMESPACE_WIDE:
        return {NAMESPACE_WIDE_ANNOTATION: "true"}
    if scope is Scope.CLUSTER_WIDE:
        return {CLUSTER_WIDE_ANNOTATION: "true"}
    return {}


def scope_of(metadata: Mapping[str, Any]) -> Scope:
    """Read the scope from an object's annotations, as the controller does (cluster-wide wins)."""
    annotations = metadata.get("annotations") or {}
    if str(annotations.get(CLUSTER_WIDE_ANNOTATION, "")) == "true":
        return Scope.CLUSTER_WIDE
    if str(annotations.get(NAMESPACE_WIDE_ANNOTATION, "")) == "true":
        return Scope.NAMESPACE_WIDE
    return Scope.STRICT


def check_secret_names(name: str, namespace: str, keys: Sequence[str], scope: Scope = Scope.STRICT) -> None:
    """Refuse (InputError) a Secret name, namespace or data key the API server would reject."""
    if len(name) > 253 or not _DNS_SUBDOMAIN.match(name):
        raise InputError(f"Secret name {name!r} is not a valid Kubernetes name (lowercase DNS subdomain)")
    if namespace or scope is not Scope.CLUSTER_WIDE:
        if len(namespace) > 63 or not _DNS_LABEL.match(namespace):
            raise InputError(f"Secret {name}: namespace {namespace!r} is not a valid namespace name (lowercase DNS label)")
    for key in keys:
        if not _SECRET_KEY.match(key):
            raise InputError(
                f"Secret {namespace}/{name}: key {key!r} is not a valid Secret data key (letters, digits, '-', '_' and '.' only)"
            )


def _kept_encrypted_data(existing: Mapping[str, Any], name: str, namespace: str, scope: Scope, where: str) -> dict[str, str]:
    """The encryptedData of ``existing`` that can be kept, or an InputError saying why not."""
    if existing.get("kind") != KIND or existing.get("apiVersion") != API_VERSION:
        raise InputError(f"{where}: is not a {API_VERSION} {KIND}")
    metadata = existing.get("metadata") or {}
    old_name = str(metadata.get("name") or "")
    old_namespace = str(metadata.get("namespace") or "")
    old_scope = scope_of(metadata)
    if (old_name, old_namespace, old_scope) != (name, namespace, scope):
        raise InputError(
            f"{where}: was sealed for {old_namespace}/{old_name} with scope {old_scope}, not "
            f"{namespace}/{name} with scope {scope}; its other values cannot be kept (the controller "
            "would fail to decrypt them), so re-seal every key of this Secret"
        )
    spec = existing.get("spec") or {}
    if spec.get("data"):
        raise InputError(f"{where}: uses the deprecated spec.data field; re-seal every key of this Secret")
    encrypted = spec.get("encryptedData") or {}
    if not isinstance(encrypted, Mapping):
        raise InputError(f"{where}: spec.encryptedData is not a mapping")
    kept: dict[str, str] = {}
    for key, value in encrypted.items():
        if not isinstance(value, str):
            raise InputError(f"{where}: spec.encryptedData.{key} is not a string")
        kept[str(key)] = value
    return kept


def sealed_secret(
    name: str,
    namespace: str,
    values: Mapping[str, bytes],
    public_key: RSAPublicKey,
    scope: Scope = Scope.STRICT,
    *,
    existing: Mapping[str, Any] | None = None,
    existing_source: str | None = None,
    secret_type: str | None = None,
    labels: Mapping[str, str] | None = None,
    annotations: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Build a ``bitnami.com/v1alpha1`` SealedSecret sealing ``values`` for ``namespace/name``.

    ``name`` and ``namespace`` must be the final ones in the cluster (after any kustomize prefix,
    suffix or namespace), because the controller derives the label from them. With ``existing`` (the
    SealedSecret previously written for the same object), keys not in ``values`` keep their sealed
    value. ``labels`` and ``annotations`` go on the Secret the controller creates.
    """
    scope = Scope(scope)
    plain = {key: (value.encode() if isinstance(value, str) else bytes(value)) for key, value in values.items()}
    check_secret_names(name, namespace, list(plain), scope)
    encrypted: dict[str, str] = {}
    if existing is not None:
        where = existing_source or f"existing SealedSecret {namespace}/{name}"
        encrypted.update(_kept_encrypted_data(existing, name, namespace, scope, where))
    label = scope_label(scope, namespace, name)
    for key, value in plain.items():
        encrypted[key] = encrypt_value(public_key, label, value)
    if not encrypted:
        raise InputError(f"Secret {namespace}/{name}: no values to seal")

    scope_annotations = _scope_annotations(scope)
    metadata: dict[str, Any] = {"name": name}
    if namespace:
        metadata["namespace"] = namespace
    if scope_annotations:
        metadata["annotations"] = dict(scope_annotations)

    template_metadata: dict[str, Any] = {"name": name}
    if namespace:
        template_metadata["namespace"] = namespace
    template_annotations = {**dict(sorted((annotations or {}).items())), **scope_annotations}
    if template_annotations:
        template_metadata["annotations"] = template_annotations
    if labels:
        template_metadata["labels"] = dict(sorted(labels.items()))
    template: dict[str, Any] = {"metadata": template_metadata}
    if secret_type:
        template["type"] = secret_type

    return {
        "apiVersion": API_VERSION,
        "kind": KIND,
        "metadata": metadata,
        "spec": {
            "encryptedData": dict(sorted(encrypted.items())),
            "template": template,
        },
    }


def _plain(value: Any) -> Any:
    """Copy mappings and sequences into plain dicts/lists/strs so the dump is deterministic."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def sealed_secret_yaml(obj: Mapping[str, Any]) -> str:
    """Render a SealedSecret as block-style YAML (kubectl indentation) under a 'safe to commit' comment."""
    yaml = YAML(typ="rt")
    yaml.default_flow_style = False
    yaml.indent(mapping=2, sequence=2, offset=0)
    yaml.width = 4096
    yaml.explicit_start = False
    buffer = io.StringIO()
    yaml.dump(_plain(obj), buffer)
    body = "\n".join(line.rstrip() for line in buffer.getvalue().splitlines())
    return f"{HEADER_COMMENT}\n{body}\n"
