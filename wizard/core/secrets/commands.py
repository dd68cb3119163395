"""Scripts and commands for environments whose Secrets are sealed without k8s-wizard.

Every generator is a pure function returning text. The scripts never hold a value: each value is read
with ``read -rs`` (no echo) and handed to ``kubectl create secret --from-file=KEY=<(printf ...)``
through a process substitution, so it never appears in a command line (``ps``), the shell history or
a file; ``--from-literal`` is never used. Every interpolated name and path is quoted with shlex.quote.
"""

from __future__ import annotations

import io
import re
import shlex
from collections.abc import Mapping, Sequence

from ruamel.yaml import YAML

from wizard.core.errors import InputError
from wizard.core.secrets.sealing import Scope, check_secret_names

SEALED_SUFFIX = ".sealedsecret.yaml"
SOPS_SUFFIX = ".secret.enc.yaml"
SOPS_ENCRYPTED_REGEX = "^(data|stringData)$"

_READ_FUNCTION = """\
# A failed step leaves no half-written file behind.
partial=''
trap 'if [[ -n "$partial" ]]; then rm -f -- "$partial"; fi' EXIT

# read_value VAR PROMPT: read one value from the terminal without echoing it (prompt on stderr).
read_value() {
  printf '%s: ' "$2" >&2
  if ! IFS= read -r -s "$1" && [[ -z "${!1}" ]]; then
    printf '\\nno value given for %s; nothing was written\\n' "$2" >&2
    exit 1
  fi
  printf '\\n' >&2
  if [[ -z "${!1}" ]]; then
    printf 'empty value for %s; nothing was written for this Secret\\n' "$2" >&2
    exit 1
  fi
}

# read_path VAR PROMPT: a multi-line value (a certificate, a key) is read from a file: ask for its path.
read_path() {
  printf '%s (path to the file): ' "$2" >&2
  if ! IFS= read -r "$1" || [[ ! -f "${!1}" ]]; then
    printf 'no readable file for %s; nothing was written\\n' "$2" >&2
    exit 1
  fi
}
"""

FILE_KEY = re.compile(
    r"(?i)^(tls\.crt|tls\.key|ca\.crt|\.dockerconfigjson|\.dockercfg|ssh-privatekey)$|\.(pem|crt|cer|key|p12|pfx|jks)$"
)
"""Keys whose value is a file (a PEM certificate or key, a docker config): read from a path, not typed in."""


def is_file_key(key: str) -> bool:
    """True when a Secret key holds a file's content (multi-line): the scripts ask for a path."""
    return bool(FILE_KEY.search(key))


def _script_setup(tools: Sequence[str], output_dir: str) -> list[str]:
    """The lines every generated script starts with after its comment header."""
    return [
        "set -euo pipefail",
        "",
        f"for tool in {' '.join(tools)}; do",
        '  command -v "$tool" >/dev/null || { echo "$tool is not installed" >&2; exit 1; }',
        "done",
        "",
        _READ_FUNCTION,
        f"mkdir -p {_q(output_dir or '.')}",
    ]


def _q(text: str) -> str:
    """Shell-quote one word."""
    return shlex.quote(text)


def _c(text: str) -> str:
    """Make free text safe inside a '#' comment line (a newline would end the comment)."""
    return re.sub(r"[\x00-\x1f\x7f]", "?", text)


_SCOPE_NOTES: dict[Scope, tuple[str, ...]] = {
    Scope.STRICT: (
        "# Strict scope binds each value to its final name and namespace: a kustomize namePrefix,",
        "# nameSuffix or namespace change made after sealing means sealing again.",
    ),
    Scope.NAMESPACE_WIDE: (
        "# Namespace-wide scope binds each value to its final namespace: a kustomize namespace change",
        "# made after sealing means sealing again.",
    ),
    Scope.CLUSTER_WIDE: ("# Cluster-wide scope: any namespace of the cluster can unseal these values.",),
}


def _check(namespace: str, secrets: Mapping[str, Sequence[str]], scope: Scope) -> None:
    """Refuse names that kubectl would reject, and Secrets without keys."""
    for name, keys in secrets.items():
        if not keys:
            raise InputError(f"Secret {namespace}/{name}: no keys to seal")
        check_secret_names(name, namespace, list(keys), scope)


def _output_path(output_dir: str, name: str, suffix: str) -> str:
    """The repository-relative path of one generated file."""
    return f"{output_dir.rstrip('/')}/{name}{suffix}" if output_dir else f"{name}{suffix}"


def _create_secret(
    namespace: str, name: str, keys: Sequence[str], index: int, secret_type: str | None = None,
) -> tuple[list[str], str, str]:
    """Lines reading the values, the `kubectl create secret` command, and the variables to unset.

    The Secret keeps its type (`kubernetes.io/tls`, `kubernetes.io/dockerconfigjson`): `--type`. A key that
    holds a file (a certificate, a private key, a docker config) is read from a path the person gives.
    """
    reads: list[str] = []
    args: list[str] = []
    variables: list[str] = []
    for key_index, key in enumerate(keys, start=1):
        var = f"value_{index}_{key_index}"
        variables.append(var)
        if is_file_key(key):
            reads.append(f"read_path {var} {_q(f'{name} {key}')}")
            args.append(f"--from-file={_q(key)}=\"${var}\"")
            continue
        reads.append(f"read_value {var} {_q(f'{name} {key}')}")
        # printf is a bash builtin: the value reaches kubectl through a pipe (/dev/fd/N), never argv.
        args.append(f"--from-file={_q(key)}=<(printf '%s' \"${var}\")")
    kind = f" --type {_q(secret_type)}" if secret_type and secret_type != "Opaque" else ""
    command = (
        f"kubectl create secret generic {_q(name)} --namespace {_q(namespace)}{kind} --dry-run=client -o yaml \\\n  "
        + " \\\n  ".join(args)
    )
    return reads, command, " ".join(variables)


def _kubeseal_command(
    namespace: str, name: str, scope: Scope, cert: str | None, controller_name: str, controller_namespace: str
) -> str:
    """The kubeseal invocation reading a Secret on stdin and printing the SealedSecret."""
    words = ["kubeseal", "--format", "yaml", "--scope", str(Scope(scope))]
    words += ["--namespace", _q(namespace), "--name", _q(name)]
    if cert:
        words += ["--cert", _q(cert)]
    else:
        words += ["--controller-name", _q(controller_name), "--controller-namespace", _q(controller_namespace)]
    return " ".join(words)


def kubeseal_script(
    *,
    environment: str,
    namespace: str,
    secrets: Mapping[str, Sequence[str]],
    types: Mapping[str, str] | None = None,
    output_dir: str,
    controller_name: str = "sealed-secrets-controller",
    controller_namespace: str = "kube-system",
    scope: Scope = Scope.STRICT,
    cert: str | None = None,
) -> str:
    """A bash script (run from the repo root) that seals ``secrets`` (name -> keys) into ``output_dir``."""
    scope = Scope(scope)
    _check(namespace, secrets, scope)
    controller = f"the controller {_c(controller_namespace)}/{_c(controller_name)}"
    where = f"the certificate {_c(cert)}" if cert else controller
    lines = [
        "#!/usr/bin/env bash",
        f"# Seal the Secrets of the {_c(environment)!r} environment (namespace {namespace}) with kubeseal.",
        "# Written by k8s-wizard. Run it from the repository root.",
        "#",
        "# For each Secret it asks for every value (what you type is not shown; a certificate, key or docker",
        "# config is read from the file whose path you give), keeps the Secret's type, builds the Secret with",
        "# `kubectl create secret --dry-run=client`, passing each value through a process substitution so",
        "# it never appears in a command line, the shell history or a file, seals it with kubeseal using",
        f"# {where} (scope {scope}), and writes <name>{SEALED_SUFFIX} into",
        f"# {_c(output_dir)}.",
        "# The sealed files can only be decrypted by the cluster's controller: they are safe to commit.",
        "# This script contains no value and is safe to commit too.",
        "#",
        *_SCOPE_NOTES[scope],
        "# After sealing, re-run `k8s-wizard apply` so the overlay's kustomization lists the new files.",
        *_script_setup(("kubectl", "kubeseal"), output_dir),
    ]
    for index, (name, keys) in enumerate(secrets.items(), start=1):
        out = _output_path(output_dir, name, SEALED_SUFFIX)
        reads, create, variables = _create_secret(namespace, name, keys, index, (types or {}).get(name))
        seal = _kubeseal_command(namespace, name, scope, cert, controller_name, controller_namespace)
        lines += [
            "",
            f"# Secret {name} (keys: {', '.join(keys)})",
            *reads,
            f"partial={_q(out + '.tmp')}",
            f'{create} \\\n  | {seal} \\\n  > "$partial"',
            f'mv "$partial" {_q(out)}',
            "partial=''",
            f"unset {variables}",
            f"echo {_q('wrote ' + out)} >&2",
        ]
    lines += ["", f"echo {_q('done: commit the files, then run `k8s-wizard apply`')} >&2", ""]
    return "\n".join(lines)


def existing_secret_commands(
    *,
    namespace: str,
    secret_names: Sequence[str],
    output_dir: str,
    controller_name: str = "sealed-secrets-controller",
    controller_namespace: str = "kube-system",
    scope: Scope = Scope.STRICT,
    cert: str | None = None,
) -> str:
    """Commands that seal today's Secrets straight from the cluster, values never touching disk."""
    scope = Scope(scope)
    for name in secret_names:
        check_secret_names(name, namespace, [], scope)
    lines = [
        "# Seal the Secrets that run in the cluster today, without their values touching disk:",
        "# `kubectl get` pipes each Secret straight into kubeseal, which drops the read-only metadata and",
        "# the last-applied-configuration annotation (it would hold the values in clear).",
        "# The controller refuses to take over a Secret it did not create unless the Secret carries the",
        "# annotation sealedsecrets.bitnami.com/managed=true, so annotate each one before the SealedSecret",
        "# is applied; otherwise the SealedSecret reports 'Resource already exists and is not managed'.",
        "# After sealing, re-run `k8s-wizard apply` so the overlay's kustomization lists the new files.",
        f"mkdir -p {_q(output_dir or '.')}",
    ]
    for name in secret_names:
        out = _output_path(output_dir, name, SEALED_SUFFIX)
        seal = _kubeseal_command(namespace, name, scope, cert, controller_name, controller_namespace)
        lines += [
            f"kubectl get secret {_q(name)} -n {_q(namespace)} -o json | {seal} > {_q(out)}",
            f"kubectl annotate secret {_q(name)} -n {_q(namespace)} sealedsecrets.bitnami.com/managed=true",
        ]
    return "\n".join(lines) + "\n"


def sops_config(rules: Sequence[tuple[str, str]]) -> str:
    """The text of ``.sops.yaml``: one creation rule per (path_regex, age recipient or placeholder)."""
    if not rules:
        raise InputError(".sops.yaml: at least one creation rule (path regex, age recipient) is needed")
    creation_rules = []
    for index, (path_regex, recipient) in enumerate(rules, start=1):
        try:
            re.compile(path_regex)
        except re.error as exc:
            raise InputError(f".sops.yaml: rule {index}: path_regex {path_regex!r} is invalid ({exc})") from None
        if not recipient.strip():
            raise InputError(f".sops.yaml: rule {index}: the age recipient is empty")
        creation_rules.append({"path_regex": path_regex, "encrypted_regex": SOPS_ENCRYPTED_REGEX, "age": recipient.strip()})
    yaml = YAML(typ="rt")
    yaml.default_flow_style = False
    yaml.indent(mapping=2, sequence=2, offset=0)
    yaml.width = 4096
    buffer = io.StringIO()
    yaml.dump({"creation_rules": creation_rules}, buffer)
    header = [
        "# SOPS creation rules written by k8s-wizard. Only data/stringData are encrypted, so Flux and",
        "# reviewers can still read each Secret's name and namespace.",
        "# Replace any placeholder recipient with the environment's age public key (`age-keygen -y key.txt`);",
        "# the matching private key goes into the cluster as the Secret `sops-age` (never into git).",
    ]
    body = "\n".join(line.rstrip() for line in buffer.getvalue().splitlines())
    return "\n".join(header) + "\n" + body + "\n"


def sops_script(
    *,
    environment: str,
    namespace: str,
    secrets: Mapping[str, Sequence[str]],
    types: Mapping[str, str] | None = None,
    output_dir: str,
) -> str:
    """A bash script (run from the repo root) that writes each Secret SOPS-encrypted into ``output_dir``."""
    _check(namespace, secrets, Scope.STRICT)
    lines = [
        "#!/usr/bin/env bash",
        f"# Encrypt the Secrets of the {_c(environment)!r} environment (namespace {namespace}) with SOPS.",
        "# Written by k8s-wizard. Run it from the repository root, next to .sops.yaml (sops >= 3.9).",
        "#",
        "# For each Secret it asks for every value (what you type is not shown; a certificate, key or docker",
        "# config is read from the file whose path you give), keeps the Secret's type, builds the Secret with",
        "# `kubectl create secret --dry-run=client`, passing each value through a process substitution so",
        "# it never appears in a command line, the shell history or a file, and pipes it to",
        "# `sops --encrypt` on stdin (the plaintext Secret is never written), which picks the creation",
        f"# rule of .sops.yaml by the output path and writes <name>{SOPS_SUFFIX} into",
        f"# {_c(output_dir)}.",
        "# Only data/stringData are encrypted: the files are safe to commit, and so is this script.",
        "# Flux decrypts them with `decryption: {provider: sops, secretRef: {name: sops-age}}`.",
        "# After encrypting, re-run `k8s-wizard apply` so the overlay's kustomization lists the new files.",
        *_script_setup(("kubectl", "sops"), output_dir),
    ]
    for index, (name, keys) in enumerate(secrets.items(), start=1):
        out = _output_path(output_dir, name, SOPS_SUFFIX)
        reads, create, variables = _create_secret(namespace, name, keys, index, (types or {}).get(name))
        # sops reads the Secret from the pipe only when told to read /dev/stdin; the override picks the rule.
        encrypt = f"sops --encrypt --filename-override {_q(out)} --input-type yaml --output-type yaml /dev/stdin"
        lines += [
            "",
            f"# Secret {name} (keys: {', '.join(keys)})",
            *reads,
            f"partial={_q(out + '.tmp')}",
            f'{create} \\\n  | {encrypt} \\\n  > "$partial"',
            f'mv "$partial" {_q(out)}',
            "partial=''",
            f"unset {variables}",
            f"echo {_q('wrote ' + out)} >&2",
        ]
    lines += ["", f"echo {_q('done: commit the files, then run `k8s-wizard apply`')} >&2", ""]
    return "\n".join(lines)
