"""`k8s-wizard seal ENV`: offline sealing into the environment's overlay.

Values come from a dotenv file (``--env-file FILE``, ``-`` for standard input) or are asked for one
by one without echo. Nothing is written before every value has been read and sealed, so an error or
Ctrl+C leaves the repository as it was. Only names are ever printed: Secrets, keys, files.
The engine (what to seal, the certificate, writing) is `wizard.commands.sealing`.
"""

from __future__ import annotations

import argparse
import getpass
import subprocess
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TextIO

from wizard.commands.sealing import find_environment, load_sealing_key, plan_seal, seal_environment
from wizard.core.errors import InputError
from wizard.core.pipeline import read_answers
from wizard.core.secrets.dotenv import parse_dotenv_lines
from wizard.core.secrets.sealed_file import SealTarget
from wizard.core.secrets.sealing import Scope

Ask = Callable[[str], str]


def _repo(args: argparse.Namespace) -> Path:
    """The repository folder of --repo."""
    repo = Path(args.repo).resolve()
    if not repo.is_dir():
        raise InputError(f"--repo: {args.repo} is not a folder")
    return repo


def _dotenv_text(env_file: str, stdin: TextIO) -> tuple[str, str]:
    """(text, source name) of the dotenv input."""
    if env_file == "-":
        return stdin.read(), "standard input"
    path = Path(env_file)
    try:
        return path.read_text(encoding="utf-8"), env_file
    except FileNotFoundError:
        raise InputError(f"--env-file {env_file}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"--env-file {env_file}: cannot read ({exc.__class__.__name__})") from None


def _lookup(parsed: dict[str, str], target: SealTarget, key: str) -> str | None:
    """A key's value: ``SECRET.KEY`` (when two Secrets share a key name) before plain ``KEY``."""
    qualified = f"{target.name}.{key}"
    if qualified in parsed:
        return parsed[qualified]
    return parsed.get(key)


def values_from_dotenv(text: str, source: str, targets: list[SealTarget]) -> tuple[dict[str, dict[str, bytes]], list[int]]:
    """Secret -> key -> value from dotenv text, and the lines of the entries no target used.

    Unused entries are named by line, never by name: a stray line (a wrapped base64 line, a pasted
    token with a '=' in it) parses as a "key" that is really a value.
    """
    parsed, lines = parse_dotenv_lines(text, source=source)
    values: dict[str, dict[str, bytes]] = {}
    used: set[str] = set()
    for target in targets:
        for key in target.keys:
            value = _lookup(parsed, target, key)
            if value is None:
                raise InputError(f"{source}: no value for {key} (Secret {target.name}; name it {key} or {target.name}.{key})")
            if value == "":
                raise InputError(f"{source}: {key} (Secret {target.name}) is empty; nothing was written")
            used.add(f"{target.name}.{key}" if f"{target.name}.{key}" in parsed else key)
            values.setdefault(target.name, {})[key] = value.encode("utf-8")
    return values, sorted(lines[k] for k in set(parsed) - used)


def values_from_prompts(targets: list[SealTarget], env: str, ask: Ask) -> dict[str, dict[str, bytes]]:
    """Ask for every value (the ``ask`` function must not echo)."""
    values: dict[str, dict[str, bytes]] = {}
    for target in targets:
        for key in target.keys:
            try:
                value = ask(f"{target.name} {key} ({env}, not shown): ")
            except EOFError:
                raise InputError(f"no value given for {key} (Secret {target.name}); nothing was written") from None
            if value == "":
                raise InputError(f"empty value for {key} (Secret {target.name}); nothing was written")
            values.setdefault(target.name, {})[key] = value.encode("utf-8")
    return values


def _untracked_warning(repo: Path, env_file: str, out: TextIO) -> None:
    """Warn when the dotenv file is inside the repository and git would track it."""
    path = Path(env_file).resolve()
    if not path.is_relative_to(repo):
        return
    try:
        proc = subprocess.run(["git", "-C", str(repo), "check-ignore", "-q", str(path)], capture_output=True, check=False)
    except OSError:
        return
    if proc.returncode == 1:
        rel = path.relative_to(repo).as_posix()
        print(f"warning: {rel} holds plaintext values and git does not ignore it: add it to .gitignore, never commit it",
              file=out)


def seal(
    args: argparse.Namespace, stdin: TextIO, out: TextIO, *, ask: Ask | None = None, now: datetime | None = None,
) -> int:
    """Seal an environment's Secrets into its overlay and list them in its kustomization."""
    repo = _repo(args)
    answers, inventory = read_answers(repo, None)
    env = find_environment(answers, args.environment)
    targets = plan_seal(repo, answers, inventory, env, secrets=args.secret, keys=args.key)
    scope = Scope(args.scope or answers.secrets.scope)
    cert = Path(args.cert) if args.cert else None
    public_key = load_sealing_key(repo, answers, env, cert, now=now)  # before any value is asked for

    for t in targets:
        if t.renamed:
            print(f"note: the {env.name} overlay renames Secret {t.name} to {t.final_name} (namePrefix/nameSuffix): "
                  f"sealing for {t.final_namespace}/{t.final_name}", file=out)
        if t.new_keys:
            print(f"note: {', '.join(t.new_keys)} is not referenced by any workload of Secret {t.name}: adding it", file=out)

    if args.env_file:
        text, source = _dotenv_text(args.env_file, stdin)
        values, unused = values_from_dotenv(text, source, targets)
        del text
        if args.env_file != "-":
            _untracked_warning(repo, args.env_file, out)
        if unused:
            which = ", ".join(str(n) for n in unused)
            print(f"note: {source}: line{'s' if len(unused) > 1 else ''} {which} not used by any Secret of {env.name}",
                  file=out)
    else:
        if ask is None:
            if not stdin.isatty():
                raise InputError("no terminal to ask for the values: give them with --env-file FILE (or --env-file - on stdin)")
            ask = getpass.getpass
        values = values_from_prompts(targets, env.name, ask)

    result = seal_environment(repo, answers, inventory, env, targets, values, public_key, scope)
    values.clear()
    for f in result.files:
        t = f.target
        kept = f"; kept {', '.join(f.kept)}" if f.kept else ""
        print(f"sealed {t.name}: {', '.join(f.sealed)}{kept} (for {t.final_namespace}/{t.final_name}, scope {f.scope}) "
              f"-> {t.path}", file=out)
    overlay = targets[0].path.rsplit("/secrets/", 1)[0]
    if result.listed:
        print(f"{overlay}/kustomization.yaml lists the sealed file(s); commit them: they are safe in git", file=out)
    else:
        pending = ", ".join(result.pending) or f"{overlay}/kustomization.yaml"
        print(f"the overlay does not list the sealed file(s) yet and `apply` would also change: {pending}. "
              "Review with `k8s-wizard apply --dry-run`, then run `k8s-wizard apply`", file=out)
    for finding in result.findings:
        print(f"{finding.level}: {finding.code} ({finding.path}): {finding.message}", file=out)
    return 0


__all__ = ["seal", "values_from_dotenv", "values_from_prompts"]
