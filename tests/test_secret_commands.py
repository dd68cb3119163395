"""Scripts for sealing without the tool (run for real with stub tools), dotenv parsing, .sops.yaml."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from wizard.core.errors import InputError
from wizard.core.secrets.commands import (
    existing_secret_commands,
    kubeseal_script,
    sops_config,
    sops_script,
)
from wizard.core.secrets.dotenv import parse_dotenv
from wizard.core.secrets.sealing import Scope

CANARIES = ["canary-one $HOME 'q' \"dq\" \\back `tick` ", "canary-two;rm -rf /;", "canary-three"]
SECRETS = {"db-credentials": ["password", "user.name"], "api-token": ["token"]}
OUTPUT_DIR = "overlays/production/sealed secrets"

RECORDER = f"""#!{sys.executable}
import json, os, sys
with open(os.environ["RECORD_FILE"], "a") as f:
    f.write(json.dumps([os.path.basename(sys.argv[0]), *sys.argv[1:]]) + "\\n")
"""
KUBECTL_EMULATION = (
    RECORDER
    + """
import base64
args = sys.argv[1:]
if os.environ.get("REAL_KUBECTL"):
    os.execv(os.environ["REAL_KUBECTL"], [os.environ["REAL_KUBECTL"], *args])
name = args[3]
namespace = args[args.index("--namespace") + 1]
print("apiVersion: v1\\ndata:")
for arg in args:
    if arg.startswith("--from-file="):
        key, path = arg[len("--from-file="):].split("=", 1)
        with open(path, "rb") as f:
            print(f"  {key}: {base64.b64encode(f.read()).decode()}")
print(f"kind: Secret\\nmetadata:\\n  name: {name}\\n  namespace: {namespace}")
"""
)
PASSTHROUGH = (
    RECORDER
    + """
if os.environ.get("STUB_FAIL"):
    sys.exit(3)
sys.stdout.write(sys.stdin.read())
"""
)


def _stubs(tmp_path: Path, names: list[str]) -> Path:
    """A bin folder with stub kubectl (emulating `create secret`) and pass-through stubs for the rest."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in names:
        stub = bin_dir / name
        stub.write_text(KUBECTL_EMULATION if name == "kubectl" else PASSTHROUGH)
        stub.chmod(0o755)
    return bin_dir


def _run(
    script: str, tmp_path: Path, stdin: str, tools: list[str], **env: str
) -> tuple[subprocess.CompletedProcess[str], Path, list[list[str]]]:
    """Run ``script`` with bash from a fresh repo folder; return the result, the repo and recorded argv."""
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "seal.sh").write_text(script)
    record = tmp_path / "argv.jsonl"
    record.touch()
    path = f"{_stubs(tmp_path, tools)}{os.pathsep}{os.environ['PATH']}"
    result = subprocess.run(
        ["bash", "seal.sh"],
        cwd=repo,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PATH": path, "RECORD_FILE": str(record), **env},
    )
    calls = [json.loads(line) for line in record.read_text().splitlines()]
    return result, repo, calls


def _by_tool(calls: list[list[str]], tool: str) -> list[list[str]]:
    """The recorded argv of one tool, in order (the two sides of a pipe start in either order)."""
    return [call[1:] for call in calls if call[0] == tool]


def _script(**overrides: object) -> str:
    """The kubeseal script under test."""
    options: dict[str, object] = {
        "environment": "production",
        "namespace": "prod",
        "secrets": SECRETS,
        "output_dir": OUTPUT_DIR,
        "cert": "certs/production.pem",
    }
    options.update(overrides)
    return kubeseal_script(**options)  # type: ignore[arg-type]


def _bash_n(text: str, tmp_path: Path) -> None:
    """Fail unless bash parses ``text``."""
    target = tmp_path / "check.sh"
    target.write_text(text)
    result = subprocess.run(["bash", "-n", str(target)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_kubeseal_script_text(tmp_path: Path) -> None:
    """The script reads values silently, never uses --from-literal, and seals with the right flags."""
    script = _script()
    assert script.startswith("#!/usr/bin/env bash\n")
    assert "set -euo pipefail" in script
    assert "--from-literal" not in script
    assert "read -r -s" in script
    assert "--from-file=password=<(printf '%s' \"$value_1_1\")" in script
    assert "kubeseal --format yaml --scope strict --namespace prod --name db-credentials --cert certs/production.pem" in script
    assert "--controller-name" not in script
    assert "k8s-wizard apply" in script
    assert "safe to commit" in script
    assert "'overlays/production/sealed secrets/api-token.sealedsecret.yaml'" in script
    assert "unset value_1_1 value_1_2" in script
    _bash_n(script, tmp_path)


def test_kubeseal_script_controller_and_scope(tmp_path: Path) -> None:
    """Without a certificate kubeseal asks the named controller; the scope flag follows the choice."""
    script = _script(cert=None, scope=Scope.NAMESPACE_WIDE, controller_name="sealed-secrets", controller_namespace="flux-system")
    assert (
        "--scope namespace-wide --namespace prod --name api-token "
        "--controller-name sealed-secrets --controller-namespace flux-system" in script
    )
    assert "--cert" not in script
    _bash_n(script, tmp_path)


@pytest.mark.parametrize("real_kubectl", [False, True], ids=["stub-kubectl", "real-kubectl"])
def test_kubeseal_script_runs_without_exposing_values(tmp_path: Path, real_kubectl: bool) -> None:
    """Values typed on stdin reach the Secret intact but never any command line or stray file."""
    env: dict[str, str] = {}
    if real_kubectl:
        found = shutil.which("kubectl")
        if found is None:
            pytest.skip("kubectl is not installed")
        env["REAL_KUBECTL"] = found
    stdin = "".join(f"{value}\n" for value in CANARIES)
    result, repo, calls = _run(_script(), tmp_path, stdin, ["kubectl", "kubeseal"], **env)
    assert result.returncode == 0, result.stderr

    recorded = json.dumps(calls)
    for canary in CANARIES:
        assert canary.strip() not in recorded
        assert canary.strip() not in result.stderr
        assert canary.strip() not in result.stdout
    kubectl, kubeseal = _by_tool(calls, "kubectl"), _by_tool(calls, "kubeseal")
    assert len(calls) == 4
    assert [call[3] for call in kubectl] == ["db-credentials", "api-token"]
    assert [call[call.index("--name") + 1] for call in kubeseal] == ["db-credentials", "api-token"]
    assert kubeseal[0] == [
        "--format",
        "yaml",
        "--scope",
        "strict",
        "--namespace",
        "prod",
        "--name",
        "db-credentials",
        "--cert",
        "certs/production.pem",
    ]
    assert kubectl[0][:6] == ["create", "secret", "generic", "db-credentials", "--namespace", "prod"]
    from_files = [arg for arg in kubectl[0] if arg.startswith("--from-file=")]
    assert [arg.split("=")[1] for arg in from_files] == ["password", "user.name"]
    assert all(arg.split("=")[2].startswith("/dev/fd/") for arg in from_files)

    out_dir = repo / OUTPUT_DIR
    assert sorted(p.name for p in out_dir.iterdir()) == ["api-token.sealedsecret.yaml", "db-credentials.sealedsecret.yaml"]
    db = yaml.safe_load((out_dir / "db-credentials.sealedsecret.yaml").read_text())
    assert db["metadata"] == {"name": "db-credentials", "namespace": "prod"} | (
        {"creationTimestamp": None} if real_kubectl else {}
    )
    assert base64.b64decode(db["data"]["password"]).decode() == CANARIES[0]
    assert base64.b64decode(db["data"]["user.name"]).decode() == CANARIES[1]
    token = yaml.safe_load((out_dir / "api-token.sealedsecret.yaml").read_text())
    assert base64.b64decode(token["data"]["token"]).decode() == CANARIES[2]
    for path in repo.rglob("*"):
        if path.is_file():
            for canary in CANARIES:
                assert canary.encode() not in path.read_bytes(), path


def test_kubeseal_failure_leaves_no_file(tmp_path: Path) -> None:
    """A failing kubeseal stops the script and leaves no half-written file."""
    stdin = "".join(f"{value}\n" for value in CANARIES)
    result, repo, _ = _run(_script(), tmp_path, stdin, ["kubectl", "kubeseal"], STUB_FAIL="1")
    assert result.returncode != 0
    assert list((repo / OUTPUT_DIR).iterdir()) == []


def test_missing_value_stops_the_script(tmp_path: Path) -> None:
    """End of input before every value is read: nothing is sealed."""
    result, repo, calls = _run(_script(), tmp_path, "only-one\n", ["kubectl", "kubeseal"])
    assert result.returncode != 0
    assert "db-credentials user.name" in result.stderr
    assert "only-one" not in result.stderr
    assert calls == []
    assert list((repo / OUTPUT_DIR).iterdir()) == []


def test_empty_value_refused(tmp_path: Path) -> None:
    """An empty line is refused rather than sealed."""
    result, _, calls = _run(_script(), tmp_path, "\nx\ny\n", ["kubectl", "kubeseal"])
    assert result.returncode != 0
    assert "empty value for db-credentials password" in result.stderr
    assert calls == []


def test_paths_are_shell_quoted(tmp_path: Path) -> None:
    """A hostile output folder is a folder name, not a command."""
    script = _script(output_dir="out/$(touch pwned)`touch pwned2`", cert="c; touch pwned3")
    result, repo, calls = _run(script, tmp_path, "a\nb\nc\n", ["kubectl", "kubeseal"])
    assert result.returncode == 0, result.stderr
    assert not list(repo.glob("pwned*"))
    assert (repo / "out" / "$(touch pwned)`touch pwned2`" / "api-token.sealedsecret.yaml").is_file()
    assert _by_tool(calls, "kubeseal")[0][-2:] == ["--cert", "c; touch pwned3"]


@pytest.mark.parametrize(
    ("secrets", "fragment"),
    [({"Bad Name": ["k"]}, "Secret name 'Bad Name'"), ({"db": ["a b"]}, "key 'a b'"), ({"db": []}, "no keys")],
)
def test_script_refuses_invalid_names(secrets: dict[str, list[str]], fragment: str) -> None:
    """Names kubectl would reject are refused when generating."""
    with pytest.raises(InputError, match=fragment):
        _script(secrets=secrets)


def test_existing_secret_commands(tmp_path: Path) -> None:
    """Sealing from the cluster pipes kubectl into kubeseal and annotates the live Secret."""
    text = existing_secret_commands(
        namespace="prod",
        secret_names=["db-credentials"],
        output_dir="overlays/production/sealed-secrets",
        cert="cert.pem",
    )
    assert (
        "kubectl get secret db-credentials -n prod -o json | kubeseal --format yaml --scope strict "
        "--namespace prod --name db-credentials --cert cert.pem "
        "> overlays/production/sealed-secrets/db-credentials.sealedsecret.yaml"
    ) in text
    assert "kubectl annotate secret db-credentials -n prod sealedsecrets.bitnami.com/managed=true" in text
    assert "refuses to take over" in text
    assert "--from-literal" not in text
    _bash_n(text, tmp_path)


def test_sops_config() -> None:
    """.sops.yaml: one creation rule per environment, encrypting data/stringData only."""
    text = sops_config(
        [
            (r"^overlays/production/secrets/.*\.enc\.yaml$", "age1qyqszqgpqyqszqgpqyqszqgpqyqszqgp"),
            (r"^overlays/staging/secrets/.*\.enc\.yaml$", "<AGE-PUBLIC-KEY-staging>"),
        ]
    )
    assert text.startswith("#")
    config = yaml.safe_load(text)
    assert config == {
        "creation_rules": [
            {
                "path_regex": r"^overlays/production/secrets/.*\.enc\.yaml$",
                "encrypted_regex": "^(data|stringData)$",
                "age": "age1qyqszqgpqyqszqgpqyqszqgpqyqszqgp",
            },
            {
                "path_regex": r"^overlays/staging/secrets/.*\.enc\.yaml$",
                "encrypted_regex": "^(data|stringData)$",
                "age": "<AGE-PUBLIC-KEY-staging>",
            },
        ]
    }
    assert all(line == line.rstrip() for line in text.splitlines())


@pytest.mark.parametrize(
    ("rules", "fragment"), [([], "at least one"), ([("(", "age1x")], "rule 1: path_regex"), ([("x", " ")], "empty")]
)
def test_sops_config_refuses_bad_rules(rules: list[tuple[str, str]], fragment: str) -> None:
    """Broken rules are refused with their position."""
    with pytest.raises(InputError, match=fragment):
        sops_config(rules)


def test_sops_script_runs_without_exposing_values(tmp_path: Path) -> None:
    """The SOPS script pipes the Secret into `sops --encrypt` on stdin and writes *.secret.enc.yaml."""
    script = sops_script(
        environment="staging",
        namespace="stage",
        secrets={"db": ["password"]},
        output_dir="overlays/staging/secrets",
    )
    assert "--from-literal" not in script
    assert "--in-place" not in script
    _bash_n(script, tmp_path)
    result, repo, calls = _run(script, tmp_path, f"{CANARIES[0]}\n", ["kubectl", "sops"])
    assert result.returncode == 0, result.stderr
    assert CANARIES[0].strip() not in json.dumps(calls)
    assert _by_tool(calls, "sops") == [
        [
            "--encrypt",
            "--filename-override",
            "overlays/staging/secrets/db.secret.enc.yaml",
            "--input-type",
            "yaml",
            "--output-type",
            "yaml",
            "/dev/stdin",
        ]
    ]
    written = yaml.safe_load((repo / "overlays/staging/secrets/db.secret.enc.yaml").read_text())
    assert base64.b64decode(written["data"]["password"]).decode() == CANARIES[0]
    assert written["metadata"]["namespace"] == "stage"


def test_dotenv_forms() -> None:
    """KEY=value, export, comments, quotes, escapes, '=' and '#' inside values, multi-line quotes."""
    text = (
        "\ufeff# a comment\n"
        "\n"
        "PLAIN=value\n"
        "export EXPORTED=yes\n"
        "  SPACED = padded value   # trailing comment\n"
        "HASH=abc#def\n"
        "EQUALS=a=b=c\n"
        "EMPTY=\n"
        "SINGLE='lit $x \\n # not comment'\n"
        'DOUBLE="line1\\nline2 \\"q\\" back\\\\slash # kept" # comment\n'
        'MULTI="-----BEGIN KEY-----\nabc\n-----END KEY-----"\n'
        "dotted.key-name=1\r\n"
        "LAST=no-newline"
    )
    assert parse_dotenv(text, source=".env.production") == {
        "PLAIN": "value",
        "EXPORTED": "yes",
        "SPACED": "padded value",
        "HASH": "abc#def",
        "EQUALS": "a=b=c",
        "EMPTY": "",
        "SINGLE": "lit $x \\n # not comment",
        "DOUBLE": 'line1\nline2 "q" back\\slash # kept',
        "MULTI": "-----BEGIN KEY-----\nabc\n-----END KEY-----",
        "dotted.key-name": "1",
        "LAST": "no-newline",
    }


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("A=1\nsk_live_canary-secret\n", "line 2: missing '='"),
        ("A=1\n\n1BAD=canary-secret\n", "line 3: expected KEY=value"),
        ("A=1\nMY KEY=canary-secret\n", "line 2: invalid key name before '='"),
        # a pasted line: what stands before '=' is a value too, never quoted
        ("A=1\nDATABASE_URL canary-secret://u:p@db=1\n", "line 2: invalid key name before '='"),
        ('A=1\nB="canary-secret\n', 'line 2: the "-quoted value opened on line 2 is never closed'),
        ("A='canary-secret' trailing\n", "line 1: unexpected text after the closing quote"),
        ("A=canary-secret\nB=2\nA=canary-secret\n", "line 3: the same key is already set on line 1"),
        ("canary-secret-key=x\ncanary-secret-key=y\n", "line 2: the same key is already set on line 1"),
    ],
)
def test_dotenv_errors_name_line_never_value(text: str, fragment: str) -> None:
    """Errors name the file and line; no text of the line (value or what looks like a key) shows."""
    with pytest.raises(InputError) as caught:
        parse_dotenv(text, source="secrets/.env")
    message = str(caught.value)
    assert message.startswith("secrets/.env, ")
    assert fragment in message
    assert "canary" not in message
