"""The command line: argument parsing, exit codes and the one top-level error handler.

Exit codes: 0 done, 1 blocking findings, conflicts or a declined confirmation, 2 bad input or usage,
130 interrupted. On any non-zero exit nothing has been written. Textual and questionary are imported
only when an interactive front-end starts, so `--help` stays fast.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn, TextIO

from wizard import __version__
from wizard.core.errors import InputError, WizardError, raised_at

EXIT_OK, EXIT_BLOCKED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # usage errors are exit 2, like argparse, but via our handler
        raise InputError(f"{self.prog}: {message}")


@functools.cache
def _parser() -> argparse.ArgumentParser:
    """The command line's parser, built once per process (parsing does not change it)."""
    p = _Parser(
        prog="k8s-wizard",
        description="Take a Kubernetes app from one environment to several: Kustomize base "
        "and overlays, FluxCD, sealed secrets, and a migration plan.",
    )
    p.add_argument("--version", action="version", version=f"k8s-wizard {__version__}")
    sub = p.add_subparsers(dest="command", parser_class=_Parser)

    def conflicts(sp: argparse.ArgumentParser) -> None:
        sp.add_argument(
            "--conflicts",
            choices=("fail", "mine", "new", "markers"),
            default="fail",
            help="how to settle files where your edits collide with the change (default: fail)",
        )

    def build_flag(sp: argparse.ArgumentParser) -> None:
        sp.add_argument(
            "--build",
            action="store_true",
            help="with --dry-run: build every overlay with kustomize too, as a write does (a dry run skips it)",
        )

    def repo_arg(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--repo", type=Path, default=Path("."), help="the repository root (default: .)")

    init = sub.add_parser("init", help="the interactive interview (the default command)")
    repo_arg(init)
    init.add_argument("--plain", action="store_true", help="plain prompts instead of the full-screen app")

    apply = sub.add_parser("apply", help="plan, preview, confirm and write")
    repo_arg(apply)
    apply.add_argument("--answers", type=Path, help="answers file (default: <repo>/.k8s-wizard.yaml)")
    apply.add_argument("--dry-run", action="store_true", help="print the preview, write nothing")
    build_flag(apply)
    apply.add_argument("--yes", action="store_true", help="write without asking")
    conflicts(apply)

    plan = sub.add_parser("plan", help="print the migration plan")
    repo_arg(plan)
    plan.add_argument("--answers", type=Path)
    plan.add_argument("--format", choices=("markdown", "tree", "json"), default="markdown")
    plan.add_argument("--output", type=Path, help="write the plan to this file (inside the repository)")

    val = sub.add_parser("validate", help="build every overlay with kustomize and check the Flux objects")
    repo_arg(val)

    seal = sub.add_parser("seal", help="seal an environment's secrets offline (values asked without echo)")
    repo_arg(seal)
    seal.add_argument("environment")
    seal.add_argument("--cert", type=Path, help="the controller's public certificate (kubeseal --fetch-cert)")
    seal.add_argument("--env-file", help="read values from a dotenv file, or - for standard input")
    seal.add_argument("--scope", choices=("strict", "namespace-wide", "cluster-wide"))
    seal.add_argument("--key", action="append", default=[], metavar="NAME", help="seal only this key (repeatable)")
    seal.add_argument("--secret", action="append", default=[], metavar="NAME", help="seal only this Secret (repeatable)")

    drift = sub.add_parser(
        "diff",
        help="what differs between two environments' builds, and whether the answers explain it",
        description="Builds both overlays offline with kustomize and compares them object by object, ignoring "
        "what is meant to differ (namespace, environment label, name prefixes). Exit 0: every difference comes "
        "from the answers; 1: something is unexplained (a hand edit, a patch in one overlay only); 2: bad input.",
    )
    repo_arg(drift)
    drift.add_argument("env_a", metavar="ENV_A")
    drift.add_argument("env_b", metavar="ENV_B")
    drift.add_argument("--answers", type=Path, help="answers file (default: <repo>/.k8s-wizard.yaml)")
    drift.add_argument("--format", choices=("text", "markdown", "json"), default="text")

    add = sub.add_parser("add-env", help="add an environment to the saved answers and re-generate")
    repo_arg(add)
    add.add_argument("name")
    add.add_argument("--after", help="promotion order: after this environment (default: before the current one)")
    add.add_argument("--namespace")
    add.add_argument("--cluster", help="the cluster it runs on (required when the environments name their clusters)")
    add.add_argument("--from", dest="from_env", help="start from this environment's differences")
    add.add_argument("--yes", action="store_true")
    add.add_argument("--dry-run", action="store_true", help="print the preview, write nothing")
    build_flag(add)
    conflicts(add)

    rm = sub.add_parser("remove-env", help="remove an environment and its overlay and Flux object")
    repo_arg(rm)
    rm.add_argument("name")
    rm.add_argument("--yes", action="store_true")
    rm.add_argument("--dry-run", action="store_true", help="print the preview, write nothing")
    build_flag(rm)
    conflicts(rm)

    sub.add_parser("schema", help="print the answers file's JSON Schema (version 1), for editors and CI")
    return p


def main(argv: list[str] | None = None, *, stdin: TextIO | None = None, stdout: TextIO | None = None) -> int:
    """Run one command; returns the exit code."""
    out = stdout or sys.stdout
    err = sys.stderr if stdout is None else stdout
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help", "--version")):
        argv = ["init", *argv]  # `k8s-wizard` alone (or with --plain/--repo) starts the interview
    try:
        args = _parser().parse_args(argv)
        _recover(args, err)
        handler = _handler(args.command)
        return handler(args, stdin or sys.stdin, out)
    except KeyboardInterrupt:
        print("\ninterrupted: nothing written", file=err)
        return EXIT_INTERRUPTED
    except InputError as exc:
        print(f"error: {exc}", file=err)
        return EXIT_USAGE
    except WizardError as exc:
        print(f"error: {exc}", file=err)
        return exc.exit_code
    except (Exception, RecursionError, MemoryError) as exc:  # noqa: BLE001 - the last resort: never a traceback
        if os.environ.get(DEBUG_ENV):
            raise
        print(f"error: {internal_error(exc)}", file=err)
        return EXIT_USAGE


DEBUG_ENV = "K8S_WIZARD_DEBUG"
"""Set it to see the traceback of an internal error (it may quote input values: never in shared logs)."""


def internal_error(exc: BaseException) -> str:
    """An unexpected exception, named by its type and where it happened; never its message or locals,
    which may hold a value from the input (a secret, say)."""
    where = raised_at(exc)
    return (
        f"internal error ({type(exc).__name__}{where}); nothing was written. This is a bug in k8s-wizard: please "
        f"report it with the command you ran (set {DEBUG_ENV}=1 to see the traceback)."
    )


def _recover(args: argparse.Namespace, err: TextIO) -> None:
    """Before anything else: finish or undo a write that a crash (SIGKILL, power loss) interrupted."""
    repo = getattr(args, "repo", None)
    if repo is None or not Path(repo).is_dir():
        return
    from wizard.core.write.journal import recover

    note = recover(Path(repo))
    if note:
        print(f"note: {note}", file=err)


_HANDLERS = {
    "init": ("interactive", "init"),
    "apply": ("run", "apply"),
    "plan": ("run", "plan"),
    "validate": ("run", "validate"),
    "seal": ("seal", "seal"),
    "diff": ("diff", "diff"),
    "add-env": ("envs", "add_env"),
    "remove-env": ("envs", "remove_env"),
    "schema": ("schema", "schema"),
}
"""command -> (module under wizard.commands, function)."""


def _handler(command: str) -> Callable[..., int]:
    """The command's function, importing only its module: `init` must not load the core before the app's first
    screen (the Textual app reads the repository in a worker)."""
    import importlib

    module, name = _HANDLERS[command]
    handler: Callable[..., int] = getattr(importlib.import_module(f"wizard.commands.{module}"), name)
    return handler
