"""`add-env` and `remove-env`: change the saved answers and re-generate, keeping hand edits.

Both read `<repo>/.k8s-wizard.yaml`, change its environments (wizard.core.environments), validate
the result like any answers file, and go through the same preview, conflict check, confirmation
and write as `apply` (`finish`). The new answers file is one of the files written, so the change
is saved only when everything else is.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, TextIO

from wizard.commands.run import _repo, finish
from wizard.core.answers import ANSWERS_FILE, read_answers_file
from wizard.core.environments import add_environment, remove_environment
from wizard.core.errors import InputError
from wizard.core.pipeline import build, load_answers


def _saved_answers(repo: Path, command: str) -> Any:
    """The raw answers saved by the last apply; a clear error when there are none."""
    path = repo / ANSWERS_FILE
    if not path.is_file():
        raise InputError(
            f"{command}: {path} not found: {command} changes the saved answers of a migrated repository; "
            "run `k8s-wizard` (or `k8s-wizard apply --answers FILE`) first"
        )
    return read_answers_file(path)


def _regenerate(repo: Path, data: dict[str, Any], origin: str, args: argparse.Namespace, stdin: TextIO, out: TextIO) -> int:
    answers, inventory = load_answers(repo, data, origin)
    outcome = build(repo, answers, inventory)
    return finish(repo, outcome, args, stdin, out)


def add_env(args: argparse.Namespace, stdin: TextIO, out: TextIO) -> int:
    """Add an environment (default: just before the one that runs today) and re-generate."""
    repo = _repo(args)
    data = _saved_answers(repo, "add-env")
    changed = add_environment(
        data,
        args.name,
        after=args.after,
        namespace=args.namespace,
        from_env=getattr(args, "from_env", None),
    )
    order = " -> ".join(str(e["name"]) for e in changed["environments"])
    print(f"add-env {args.name}: promotion order {order}", file=out)
    return _regenerate(repo, changed, f"{ANSWERS_FILE} (with {args.name} added)", args, stdin, out)


def remove_env(args: argparse.Namespace, stdin: TextIO, out: TextIO) -> int:
    """Remove an environment: its overlay and Flux object go; files you edited there are kept unless you choose."""
    repo = _repo(args)
    data = _saved_answers(repo, "remove-env")
    changed = remove_environment(data, args.name)
    order = " -> ".join(str(e["name"]) for e in changed["environments"])
    print(f"remove-env {args.name}: promotion order {order}", file=out)
    return _regenerate(repo, changed, f"{ANSWERS_FILE} (with {args.name} removed)", args, stdin, out)
