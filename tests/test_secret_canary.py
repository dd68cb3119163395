"""Canary tests: distinctive fake secret values go in through every path, and must come out nowhere.

Paths: a plaintext Secret in the source manifests (stringData and base64 data), the no-echo prompt, a dotenv
file, standard input (in-process and a real child process), and failing runs (expired certificate, a key
missing from the dotenv file, a malformed dotenv line, Ctrl+C half-way through the prompts). Afterwards no
file under the repo other than the user's own source Secret and the dotenv file they gave holds a canary
(raw, base64 or hex), no captured output does, and no exception message or traceback does.
"""

from __future__ import annotations

import base64
import io
import os
import shutil
import subprocess
import sys
import traceback
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from cryptography.hazmat.primitives.asymmetric import rsa
from kube import FIXTURES
from sealed_helpers import PAYMENTS_ANSWERS, certificate

from wizard.cli import _parser, main
from wizard.commands.seal import seal as seal_command

PROJECT = Path(__file__).resolve().parents[1]
SOURCE_CANARY = "CANARY-s3cr3t-9f2b"  # in tests/fixtures/plaintext-secret/manifests/secret.yaml, raw and base64
CANARIES = {
    "source": SOURCE_CANARY,
    "prompt": "CANARY-9f2b-prompt-71c4d0",
    "dotenv": "CANARY-9f2b-dotenv-e5a0aa",
    "stdin": "CANARY-9f2b-stdin-3d18ff",
    "process": "CANARY-9f2b-process-0c77",
    "failing": "CANARY-9f2b-failing-b62e",
}
ANSWERS = PAYMENTS_ANSWERS


def forms(value: str) -> list[bytes]:
    """The ways a value could leak: raw, base64 (standard and URL-safe, padded or not), hex."""
    raw = value.encode()
    b64 = base64.b64encode(raw)
    url = base64.urlsafe_b64encode(raw)
    return [raw, b64, b64.rstrip(b"="), url.rstrip(b"="), raw.hex().encode()]


def leaks(blob: bytes | str) -> list[str]:
    """Which canaries (by path name) appear in ``blob`` in any form."""
    data = blob.encode() if isinstance(blob, str) else blob
    return [name for name, value in CANARIES.items() if any(f in data for f in forms(value))]


class Terminal(io.StringIO):
    """Standard input that says it is a terminal (so the command asks instead of refusing)."""

    def isatty(self) -> bool:
        return True


def _apply(tmp_path: Path, answers: dict[str, Any]) -> tuple[Path, str]:
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    shutil.copytree(FIXTURES / "plaintext-secret" / "manifests", repo / "manifests")
    answers_file = tmp_path / "answers.yaml"
    answers_file.write_text(yaml.safe_dump(answers, sort_keys=False), encoding="utf-8")
    out = io.StringIO()
    code = main(["apply", "--answers", str(answers_file), "--repo", str(repo), "--yes"], stdin=io.StringIO(), stdout=out)
    assert code == 0, out.getvalue()
    return repo, out.getvalue()


def test_no_canary_leaves_through_any_path(tmp_path: Path, capfd: pytest.CaptureFixture[str], monkeypatch) -> None:
    source_file = FIXTURES / "plaintext-secret" / "manifests" / "secret.yaml"
    assert leaks(source_file.read_bytes()) == ["source"], "the fixture must hold the source canary raw and in base64"
    assert base64.b64encode(SOURCE_CANARY.encode()) in source_file.read_bytes()

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = datetime.now(UTC)
    cert, expired = tmp_path / "pub-cert.pem", tmp_path / "expired.pem"
    cert.write_bytes(certificate(key, now - timedelta(days=1), now + timedelta(days=30)))
    expired.write_bytes(certificate(key, now - timedelta(days=90), now - timedelta(days=1)))

    outputs: list[str] = []
    errors: list[str] = []

    def cli(*argv: str, stdin: io.StringIO | None = None) -> int:
        out = io.StringIO()
        code = main(list(argv), stdin=stdin if stdin is not None else io.StringIO(), stdout=out)
        outputs.append(out.getvalue())
        return code

    def direct(*argv: str, stdin: io.StringIO | None = None, ask: Any = None) -> None:
        """Run the seal command without the CLI's error handler: the exception itself must be clean."""
        out = io.StringIO()
        args = _parser().parse_args(list(argv))
        with pytest.raises(BaseException) as info:
            seal_command(args, stdin if stdin is not None else io.StringIO(), out, ask=ask)
        outputs.append(out.getvalue())
        errors.append("".join(traceback.format_exception(info.value)))
        errors.append(repr(info.value))

    # 1. The source: a plaintext Secret (stringData and base64 data) goes through apply, plan and validate.
    repo, applied = _apply(tmp_path, ANSWERS)
    outputs.append(applied)
    assert cli("plan", "--repo", str(repo)) == 0
    assert cli("plan", "--repo", str(repo), "--format", "json") == 0
    cli("validate", "--repo", str(repo))

    # 2. The prompt (no echo): getpass is the only way in.
    prompt = CANARIES["prompt"]
    monkeypatch.setattr("wizard.commands.seal.getpass.getpass", lambda prompt_text="": f"{prompt}-{len(prompt_text)}")
    assert cli("seal", "staging", "--repo", str(repo), "--cert", str(cert), stdin=Terminal()) == 0

    # 3. A dotenv file the user keeps in the repo (git-ignored).
    (repo / ".gitignore").write_text("secrets.env\n", encoding="utf-8")
    env_file = repo / "secrets.env"
    dotenv = CANARIES["dotenv"]
    env_file.write_text(f"DB_PASSWORD={dotenv}-a\nPAYMENT_API_TOKEN='{dotenv}-b'\nUNUSED={dotenv}-c\n", encoding="utf-8")
    assert cli("seal", "production", "--repo", str(repo), "--cert", str(cert), "--env-file", str(env_file)) == 0

    # 4. Standard input, re-sealing one key (the other is kept), in-process and in a child process.
    stdin = CANARIES["stdin"]
    assert cli("seal", "staging", "--repo", str(repo), "--cert", str(cert), "--env-file", "-", "--key", "DB_PASSWORD",
               stdin=io.StringIO(f'DB_PASSWORD="{stdin}"\n')) == 0
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(PROJECT), os.environ.get("PYTHONPATH")]))}
    process = CANARIES["process"]
    proc = subprocess.run(
        [sys.executable, "-m", "wizard", "seal", "staging", "--repo", str(repo), "--cert", str(cert), "--env-file", "-"],
        input=f"DB_PASSWORD={process}-1\nPAYMENT_API_TOKEN={process}-2\n", capture_output=True, text=True, env=env,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    outputs += [proc.stdout, proc.stderr]

    # 5. Failing runs: each exits 2 (or 130) and its exception carries no value.
    failing = CANARIES["failing"]
    both = f"DB_PASSWORD={failing}-1\nPAYMENT_API_TOKEN={failing}-2\n"
    assert cli("seal", "staging", "--repo", str(repo), "--cert", str(expired), "--env-file", "-",
               stdin=io.StringIO(both)) == 2
    assert cli("seal", "staging", "--repo", str(repo), "--cert", str(cert), "--env-file", "-",
               stdin=io.StringIO(f"DB_PASSWORD={failing}-3\n")) == 2
    assert cli("seal", "staging", "--repo", str(repo), "--cert", str(cert), "--env-file", "-",
               stdin=io.StringIO(f"DB_PASSWORD {failing}-4\n")) == 2
    assert cli("seal", "staging", "--repo", str(repo), "--cert", str(cert), "--env-file", "-",
               stdin=io.StringIO(f"DB PASSWORD={failing}-5\n")) == 2
    assert cli("seal", "staging", "--repo", str(repo), "--cert", str(cert), "--env-file", "-",
               stdin=io.StringIO(f'DB_PASSWORD="{failing}-6\n')) == 2  # never closed
    direct("seal", "staging", "--repo", str(repo), "--cert", str(cert), "--env-file", "-",
           stdin=io.StringIO(f"DB_PASSWORD={failing}-7\n"))
    direct("seal", "staging", "--repo", str(repo), "--cert", str(expired), "--env-file", "-", stdin=io.StringIO(both))
    direct("seal", "staging", "--repo", str(repo), "--cert", str(cert), "--key", "DB_PASSWORD", "--scope", "cluster-wide",
           "--env-file", "-", stdin=io.StringIO(both))  # cannot keep the other key: sealed for another scope
    answers = iter([f"{failing}-8"])

    def interrupted(prompt_text: str = "") -> str:
        value = next(answers, None)
        if value is None:
            raise KeyboardInterrupt
        return value

    direct("seal", "staging", "--repo", str(repo), "--cert", str(cert), ask=interrupted)
    monkeypatch.setattr("wizard.commands.seal.getpass.getpass", interrupted)
    answers = iter([f"{failing}-9"])
    assert cli("seal", "staging", "--repo", str(repo), "--cert", str(cert), stdin=Terminal()) == 130
    cli("validate", "--repo", str(repo))

    # The sealed files are there, and nothing else was left behind.
    assert (repo / "k8s/overlays/staging/secrets/payments-secrets.sealedsecret.yaml").is_file()
    assert (repo / "k8s/overlays/production/secrets/payments-secrets.sealedsecret.yaml").is_file()
    allowed = {repo / "manifests" / "secret.yaml", env_file}
    files = [p for p in repo.rglob("*") if p.is_file()]
    assert not [p for p in files if ".k8s-wizard-probe" in str(p) or p.name.endswith(".tmp")]
    leaked = {p.relative_to(repo).as_posix(): leaks(p.read_bytes()) for p in files if p not in allowed}
    assert {k: v for k, v in leaked.items() if v} == {}
    assert leaks((repo / "manifests" / "secret.yaml").read_bytes()) == ["source"]

    captured = capfd.readouterr()
    for i, text in enumerate([*outputs, captured.out, captured.err]):
        assert leaks(text) == [], f"output #{i} leaks a value"
    for i, text in enumerate(errors):
        assert leaks(text) == [], f"exception #{i} leaks a value"
    assert "secrets.env: line 3 not used by any Secret of production" in "".join(outputs)
    assert "UNUSED" not in "".join(outputs)  # names of unused lines are not shown: a stray line's "key" is a value


@pytest.mark.parametrize("scope", ["strict", "namespace-wide", "cluster-wide"])
def test_seal_script_reads_values_without_literals(tmp_path: Path, scope: str) -> None:
    answers = {**ANSWERS, "secrets": {"provider": "sealed-secrets", "scope": scope, "controller_name": "sealed-secrets",
                                      "controller_namespace": "flux-system"}}
    repo, _ = _apply(tmp_path, answers)
    for env, namespace in (("staging", "payments-staging"), ("production", "payments")):
        script = (repo / f"k8s/overlays/{env}/seal-secrets.sh").read_text(encoding="utf-8")
        assert "--from-literal" not in script
        assert leaks(script) == []
        assert "read -r -s" in script
        assert f"--scope {scope} --namespace {namespace} --name payments-secrets" in script
        assert "--controller-name sealed-secrets --controller-namespace flux-system" in script
        assert f"--namespace {namespace} --dry-run=client" in script
        assert f"> \"$partial\"\nmv \"$partial\" k8s/overlays/{env}/secrets/payments-secrets.sealedsecret.yaml" in script
        for key in ("DB_PASSWORD", "PAYMENT_API_TOKEN"):
            assert f"--from-file={key}=" in script
        syntax = subprocess.run(["bash", "-n", str(repo / f"k8s/overlays/{env}/seal-secrets.sh")], capture_output=True, text=True)
        assert syntax.returncode == 0, syntax.stderr
