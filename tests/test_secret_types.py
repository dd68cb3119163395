"""Issue 9 item 8: seal-secrets.sh keeps a Secret's type and reads certificates and keys from files.

The script runs with bash and the real `kubectl create secret --dry-run=client` (offline); kubeseal is a
pass-through stub (tests/test_secret_commands.py), so the Secret kubeseal would seal is what we inspect.
"""

from __future__ import annotations

import base64
import shutil
from pathlib import Path

import pytest
import yaml
from conftest import ALL_CASES, Migrated
from test_secret_commands import _run

from wizard.core.secrets.commands import kubeseal_script, sops_script

CASES = {c.id: c for c in ALL_CASES}
PEM = "-----BEGIN CERTIFICATE-----\nMIIBcanaryLINE1\nMIIBcanaryLINE2\n-----END CERTIFICATE-----\n"
KEY = "-----BEGIN PRIVATE KEY-----\nMIIEcanaryKEY\n-----END PRIVATE KEY-----\n"


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_tls_and_docker_secrets_keep_their_type_and_multiline_values(tmp_path: Path) -> None:
    files = tmp_path / "files"
    files.mkdir()
    (files / "tls.crt").write_text(PEM)
    (files / "tls.key").write_text(KEY)
    (files / "config.json").write_text('{"auths": {"ghcr.io": {"auth": "Y2FuYXJ5"}}}\n')
    script = kubeseal_script(
        environment="staging", namespace="web-staging", output_dir="sealed", cert="cert.pem",
        secrets={"web-tls": ["tls.crt", "tls.key"], "registry": [".dockerconfigjson"], "app": ["API_KEY"]},
        types={"web-tls": "kubernetes.io/tls", "registry": "kubernetes.io/dockerconfigjson"},
    )
    assert "read_path" in script and "--type kubernetes.io/tls" in script
    stdin = f"{files / 'tls.crt'}\n{files / 'tls.key'}\n{files / 'config.json'}\nkey-canary-1\n"
    result, repo, _ = _run(script, tmp_path, stdin, ["kubeseal"], )
    assert result.returncode == 0, result.stderr
    tls = yaml.safe_load((repo / "sealed/web-tls.sealedsecret.yaml").read_text())
    assert tls["type"] == "kubernetes.io/tls"
    assert base64.b64decode(tls["data"]["tls.crt"]).decode() == PEM, "every line of the certificate"
    assert base64.b64decode(tls["data"]["tls.key"]).decode() == KEY
    registry = yaml.safe_load((repo / "sealed/registry.sealedsecret.yaml").read_text())
    assert registry["type"] == "kubernetes.io/dockerconfigjson"
    app = yaml.safe_load((repo / "sealed/app.sealedsecret.yaml").read_text())
    assert app.get("type", "Opaque") == "Opaque" and base64.b64decode(app["data"]["API_KEY"]).decode() == "key-canary-1"


def test_a_missing_file_stops_the_script_with_nothing_written(tmp_path: Path) -> None:
    script = kubeseal_script(
        environment="staging", namespace="web-staging", output_dir="sealed", cert="cert.pem",
        secrets={"web-tls": ["tls.crt", "tls.key"]}, types={"web-tls": "kubernetes.io/tls"},
    )
    result, repo, calls = _run(script, tmp_path, "/does/not/exist.crt\n", ["kubectl", "kubeseal"])
    assert result.returncode != 0 and "no readable file for web-tls tls.crt" in result.stderr
    assert not (repo / "sealed/web-tls.sealedsecret.yaml").exists() and calls == []


def test_sops_script_keeps_the_type_too() -> None:
    script = sops_script(environment="staging", namespace="web-staging", output_dir="s",
                         secrets={"web-tls": ["tls.crt", "tls.key"]}, types={"web-tls": "kubernetes.io/tls"})
    assert "--type kubernetes.io/tls" in script and script.count("read_path value_") == 2


def test_the_generated_scripts_know_each_secrets_type(migrate) -> None:
    m: Migrated = migrate(CASES["generators"])
    staging = (m.overlay("staging") / "seal-secrets.sh").read_text(encoding="utf-8")
    assert "kubectl create secret generic orders-tls --namespace orders-staging --type kubernetes.io/tls" in staging
    assert "read_path value_2_1 'orders-tls tls.crt'" in staging
    assert "read_value value_1_1 'orders-secrets DATABASE_PASSWORD'" in staging
    production = (m.overlay("production") / "seal-secrets.sh").read_text(encoding="utf-8")
    assert "--type kubernetes.io/tls" in production and "orders-tls-" in production
