"""SOPS end to end: `.sops.yaml`, Flux decryption, the encrypt scripts, and an encrypted Secret in the build.

The fixture repo is tests/fixtures/plain-folder with `secrets: {provider: sops}`, migrated with the real
CLI (`apply --yes`). The user's `sops` run is simulated by writing the file sops writes (ENC[...] values
and a `sops:` block); when the `sops` and `age-keygen` binaries are on PATH, a real round trip runs too
(CI does not install them: those tests are skipped there).
"""

from __future__ import annotations

import copy
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import CANARY, FIXTURES, apply, make_repo, own_cases, run_cli
from kube import build, tree_bytes, tree_diff, validate_crd

from wizard.core.secrets.commands import SOPS_ENCRYPTED_REGEX, SOPS_SUFFIX

OUTPUT = "k8s"
ENVS = {"staging": "shop-staging", "production": "shop"}
"""Environment -> namespace, as plain-folder's answers give them."""


def sops_answers() -> dict[str, Any]:
    """plain-folder's answers with SOPS as the secrets provider."""
    case = next(c for c in own_cases() if c.id == "plain-folder")
    answers = copy.deepcopy(case.answers)
    answers["secrets"] = {"provider": "sops"}
    return answers


@pytest.fixture
def repo(tmp_path: Path) -> tuple[Path, Path]:
    """A fresh copy of plain-folder, migrated with the SOPS provider: (repo, answers file)."""
    case = next(c for c in own_cases() if c.id == "plain-folder")
    assert case.manifests == FIXTURES / "plain-folder" / "manifests"
    repo, answers_file = make_repo(case, tmp_path, sops_answers())
    result = apply(repo, answers_file)
    assert result.code == 0, result.describe()
    return repo, answers_file


def sops_rules(repo: Path) -> list[dict[str, Any]]:
    """The creation rules of `<repo>/.sops.yaml`."""
    config = yaml.safe_load((repo / ".sops.yaml").read_text(encoding="utf-8"))
    rules = config["creation_rules"]
    assert isinstance(rules, list)
    return rules


def secret_path(env: str, name: str = "shop-db") -> str:
    """Where an environment's encrypted Secret goes, relative to the repo (what sops matches path_regex on)."""
    return f"{OUTPUT}/overlays/{env}/secrets/{name}{SOPS_SUFFIX}"


def overlay(repo: Path, env: str) -> Path:
    return repo / OUTPUT / "overlays" / env


def kustomization(repo: Path, env: str) -> dict[str, Any]:
    return yaml.safe_load((overlay(repo, env) / "kustomization.yaml").read_text(encoding="utf-8"))


# --- .sops.yaml -------------------------------------------------------------------------------------


def test_one_creation_rule_per_environment_matching_only_its_secrets(repo: tuple[Path, Path]) -> None:
    """Each rule encrypts data/stringData only and its path_regex picks that overlay's secrets folder, no other."""
    rules = sops_rules(repo[0])
    assert len(rules) == len(ENVS)
    for rule in rules:
        assert rule["encrypted_regex"] == SOPS_ENCRYPTED_REGEX == "^(data|stringData)$"
        assert rule["mac_only_encrypted"] is True  # the build labels the Secret: a full MAC would not verify
        assert re.search(rule["encrypted_regex"], "data") and re.search(rule["encrypted_regex"], "stringData")
        assert not re.search(rule["encrypted_regex"], "metadata")
    for env in ENVS:
        matching = [i for i, rule in enumerate(rules) if re.search(rule["path_regex"], secret_path(env))]
        assert len(matching) == 1, (env, [r["path_regex"] for r in rules])
        rule = rules[matching[0]]
        for other in ENVS:
            if other != env:
                assert not re.search(rule["path_regex"], secret_path(other)), (env, other, rule["path_regex"])
        assert env in rule["age"]  # the placeholder names the environment whose key goes there
        assert not re.search(rule["path_regex"], f"{OUTPUT}/overlays/{env}/kustomization.yaml")
        assert not re.search(rule["path_regex"], f"{OUTPUT}/overlays/{env}-eu/secrets/x{SOPS_SUFFIX}")
        assert not re.search(rule["path_regex"], f"elsewhere/{secret_path(env)}")


def test_placeholder_recipients_do_not_look_like_keys_and_fail_validate(repo: tuple[Path, Path]) -> None:
    """A placeholder is not an `age1...` key; `validate` reports an error per placeholder until it is replaced."""
    root, _ = repo
    for rule in sops_rules(root):
        assert not rule["age"].startswith("age1")
        assert "REPLACE" in rule["age"]
    result = run_cli("validate", "--repo", str(root))
    assert result.code == 1, result.describe()
    placeholder_lines = [line for line in result.out.splitlines() if "sops-placeholder" in line]
    assert len(placeholder_lines) == len(ENVS), result.describe()
    for env in ENVS:
        assert any(env in line and line.startswith("error") for line in placeholder_lines), result.describe()

    config = root / ".sops.yaml"
    text = config.read_text(encoding="utf-8")
    for index, env in enumerate(ENVS):
        fake_key = "age1" + f"{index}q" * 29  # the shape of a recipient: age1 + 58 bech32 characters
        text = text.replace(f"REPLACE-ME-with-the-{env}-age-public-key", fake_key)
    config.write_text(text, encoding="utf-8")
    result = run_cli("validate", "--repo", str(root))
    assert result.code == 0, result.describe()
    assert "sops-placeholder" not in result.text


def test_a_hand_edited_recipient_survives_a_re_run(repo: tuple[Path, Path]) -> None:
    """Putting the real key in `.sops.yaml` is a hand edit: a re-run keeps it and changes nothing."""
    root, answers_file = repo
    config = root / ".sops.yaml"
    key = "age1" + "qp" * 29
    config.write_text(config.read_text(encoding="utf-8").replace("REPLACE-ME-with-the-staging-age-public-key", key),
                      encoding="utf-8")
    before = tree_bytes(root)
    result = apply(root, answers_file)
    assert result.code == 0, result.describe()
    assert tree_diff(before, tree_bytes(root)) == []
    assert sops_rules(root)[0]["age"] == key


# --- Flux -------------------------------------------------------------------------------------------


def test_each_flux_kustomization_decrypts_with_sops(repo: tuple[Path, Path]) -> None:
    """`decryption: {provider: sops, secretRef: {name: sops-age}}` on every environment's Kustomization, CRD-valid."""
    root, _ = repo
    found = {}
    for env in ENVS:
        obj = yaml.safe_load((root / OUTPUT / "flux" / f"{env}.yaml").read_text(encoding="utf-8"))
        assert obj["kind"] == "Kustomization"
        assert obj["spec"]["path"] == f"./{OUTPUT}/overlays/{env}"
        assert obj["spec"]["decryption"] == {"provider": "sops", "secretRef": {"name": "sops-age"}}
        validate_crd(obj)
        found[env] = obj
    assert len(found) == len(ENVS)


# --- the encrypt scripts ----------------------------------------------------------------------------


def test_each_overlay_has_an_encrypt_script_without_literal_values(repo: tuple[Path, Path], tmp_path: Path) -> None:
    """`encrypt-secrets.sh` per overlay: values read without echo, never `--from-literal`, valid bash."""
    root, _ = repo
    for env, namespace in ENVS.items():
        script = overlay(root, env) / "encrypt-secrets.sh"
        assert script.is_file(), f"no {script}"
        text = script.read_text(encoding="utf-8")
        assert "--from-literal" not in text
        assert "read -r -s" in text
        assert f"--namespace {namespace} " in text
        assert f"--filename-override {secret_path(env)}" in text
        for other in ENVS:
            if other != env:
                assert f"overlays/{other}/" not in text
        check = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True, check=False)
        assert check.returncode == 0, check.stderr
        assert not (overlay(root, env) / "secrets").exists()  # nothing encrypted yet: no folder, nothing listed
        assert not any(str(r).startswith("secrets/") for r in kustomization(root, env)["resources"])


# --- an encrypted Secret in the overlay ---------------------------------------------------------------


ENCRYPTED_SECRET = """\
apiVersion: v1
kind: Secret
metadata:
    name: shop-db
    namespace: shop-staging
type: Opaque
data:
    password: ENC[AES256_GCM,data:3q2+7w9vL1o=,iv:5m9lP0JjS1lqZzRtYnh3c2R4YWJjZGVmZ2g=,tag:k3YwQ1JvbWZ4cGxhY2Vob2w=,type:str]
sops:
    age:
        - recipient: age1qpqpqpqpqpqpqpqpqpqpqpqpqpqpqpqpqpqpqpqpqpqpqpqpqpqpqpqpqp
          enc: |
            -----BEGIN AGE ENCRYPTED FILE-----
            YWdlLWVuY3J5cHRpb24ub3JnL3YxCi0+IFgyNTUxOSBwbGFjZWhvbGRlcgo=
            -----END AGE ENCRYPTED FILE-----
    lastmodified: "2025-01-01T00:00:00Z"
    mac: ENC[AES256_GCM,data:cGxhY2Vob2xkZXI=,iv:cGxhY2Vob2xkZXJpdg==,tag:cGxhY2Vob2xkZXJ0YWc=,type:str]
    encrypted_regex: ^(data|stringData)$
    mac_only_encrypted: true
    version: 3.9.4
"""
"""What `sops encrypt` writes for a Secret under the generated rules (values are placeholders)."""


def test_an_encrypted_secret_is_listed_and_built_into_its_environment(repo: tuple[Path, Path]) -> None:
    """After the user encrypts staging's Secret, apply lists it in staging only; the real build carries it."""
    root, answers_file = repo
    target = root / secret_path("staging")
    target.parent.mkdir(parents=True)
    target.write_text(ENCRYPTED_SECRET, encoding="utf-8")

    result = apply(root, answers_file)
    assert result.code == 0, result.describe()
    assert f"secrets/shop-db{SOPS_SUFFIX}" in kustomization(root, "staging")["resources"]
    assert not any(str(r).startswith("secrets/") for r in kustomization(root, "production")["resources"])

    objects, stderr = build(overlay(root, "staging"))
    assert stderr.strip() == ""
    secrets = [o for o in objects if o.get("kind") == "Secret"]
    assert len(secrets) == 1, [o.get("kind") for o in objects]
    secret = secrets[0]
    assert secret["metadata"]["name"] == "shop-db"
    assert secret["metadata"]["namespace"] == ENVS["staging"]
    assert secret["data"]["password"].startswith("ENC[AES256_GCM,")
    assert secret["sops"]["mac_only_encrypted"] is True  # kept through the build, so Flux's MAC check holds
    production, _ = build(overlay(root, "production"))
    assert not [o for o in production if o.get("kind") == "Secret"]

    before = tree_bytes(root)
    again = apply(root, answers_file)
    assert again.code == 0, again.describe()
    assert "nothing to change" in again.out
    assert tree_diff(before, tree_bytes(root)) == []


def test_an_encrypted_secret_for_the_wrong_namespace_keeps_the_overlays(repo: tuple[Path, Path]) -> None:
    """The overlay's namespace wins (Flux applies what the build says): a Secret encrypted for another
    namespace lands in the environment's own, not in production's."""
    root, answers_file = repo
    target = root / secret_path("staging", "other")
    target.parent.mkdir(parents=True)
    target.write_text(ENCRYPTED_SECRET.replace("name: shop-db", "name: other").replace("shop-staging", "shop"),
                      encoding="utf-8")
    assert apply(root, answers_file).code == 0
    objects, _ = build(overlay(root, "staging"))
    (secret,) = [o for o in objects if o.get("kind") == "Secret"]
    assert secret["metadata"]["namespace"] == ENVS["staging"]


# --- a real round trip (only where sops and age are installed) ----------------------------------------


def _tools() -> tuple[str, str]:
    sops, keygen = shutil.which("sops"), shutil.which("age-keygen")
    if not sops or not keygen:
        pytest.skip("sops and age-keygen are not installed (optional: the real SOPS round trip)")
    return sops, keygen


def _keys(tmp_path: Path, keygen: str) -> dict[str, tuple[Path, str]]:
    """An age key pair per environment: env -> (private key file, public key)."""
    keys = {}
    for env in ENVS:
        key_file = tmp_path / f"{env}.agekey"
        subprocess.run([keygen, "-o", str(key_file)], capture_output=True, check=True)
        public = subprocess.run([keygen, "-y", str(key_file)], capture_output=True, text=True, check=True).stdout.strip()
        keys[env] = (key_file, public)
    return keys


def _use_keys(root: Path, keys: dict[str, tuple[Path, str]]) -> None:
    config = root / ".sops.yaml"
    text = config.read_text(encoding="utf-8")
    for env, (_, public) in keys.items():
        text = text.replace(f"REPLACE-ME-with-the-{env}-age-public-key", public)
    config.write_text(text, encoding="utf-8")


def _sops_env(key_file: Path | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOPS_")}
    if key_file is not None:
        env["SOPS_AGE_KEY_FILE"] = str(key_file)
    return env


def test_real_round_trip_through_the_overlay_build(repo: tuple[Path, Path], tmp_path: Path) -> None:
    """sops encrypts with the generated rules, the overlay build (which labels the Secret) still decrypts
    as Flux decrypts it, and only with that environment's key."""
    sops, keygen = _tools()
    root, answers_file = repo
    keys = _keys(tmp_path, keygen)
    _use_keys(root, keys)
    plain = yaml.safe_dump({
        "apiVersion": "v1", "kind": "Secret", "metadata": {"name": "shop-db", "namespace": ENVS["staging"]},
        "stringData": {"password": CANARY},
    })
    out = root / secret_path("staging")
    out.parent.mkdir(parents=True)
    encrypted = subprocess.run(
        [sops, "encrypt", "--filename-override", secret_path("staging"), "--input-type", "yaml", "--output-type", "yaml"],
        input=plain, capture_output=True, text=True, cwd=root, env=_sops_env(), check=False,
    )
    assert encrypted.returncode == 0, encrypted.stderr
    assert CANARY not in encrypted.stdout
    written = yaml.safe_load(encrypted.stdout)
    assert written["metadata"] == {"name": "shop-db", "namespace": ENVS["staging"]}  # readable for review
    assert written["sops"]["age"][0]["recipient"] == keys["staging"][1]  # staging's rule was picked
    out.write_text(encrypted.stdout, encoding="utf-8")

    assert apply(root, answers_file).code == 0
    objects, _ = build(overlay(root, "staging"))
    built = [d for d in objects if d.get("kind") == "Secret"]
    assert len(built) == 1 and built[0]["metadata"]["labels"]["environment"] == "staging"
    one = yaml.safe_dump(built[0])

    def decrypt(key_file: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sops, "decrypt", "--input-type", "yaml", "--output-type", "yaml"], input=one,
                              capture_output=True, text=True, env=_sops_env(key_file), check=False)

    clear = decrypt(keys["staging"][0])
    assert clear.returncode == 0, clear.stderr
    assert yaml.safe_load(clear.stdout)["stringData"]["password"] == CANARY
    assert decrypt(keys["production"][0]).returncode != 0  # production's key cannot read staging's Secret


def test_real_encrypt_script(repo: tuple[Path, Path], tmp_path: Path) -> None:
    """The generated script, run for real with kubectl (client-side only) and sops, writes the encrypted Secret."""
    sops, keygen = _tools()
    if not shutil.which("kubectl"):
        pytest.skip("kubectl is not installed")
    root, _ = repo
    keys = _keys(tmp_path, keygen)
    _use_keys(root, keys)
    script = overlay(root, "staging") / "encrypt-secrets.sh"
    proc = subprocess.run(["bash", str(script)], input=f"{CANARY}\n", capture_output=True, text=True, cwd=root,
                          env=_sops_env(), check=False, timeout=120)
    assert CANARY not in proc.stdout + proc.stderr
    assert proc.returncode == 0, proc.stderr
    text = (root / secret_path("staging")).read_text(encoding="utf-8")
    assert CANARY not in text and "ENC[AES256_GCM," in text
