"""`diff ENV_A ENV_B`: what differs between two environments' builds, and whether the answers explain it."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from wizard.core.drift.report import to_json, to_markdown, to_text
from wizard.core.drift.sources import compare_repo
from wizard.core.errors import InputError


def diff(args: argparse.Namespace, stdin: TextIO, out: TextIO) -> int:
    """Exit 0 when every difference comes from the answers, 1 when one does not, 2 on bad input."""
    repo = Path(args.repo).resolve()
    if not repo.is_dir():
        raise InputError(f"--repo: {args.repo} is not a folder")
    report = compare_repo(repo, args.env_a, args.env_b, args.answers)
    render = {"text": to_text, "markdown": to_markdown, "json": to_json}[args.format]
    out.write(render(report))
    return report.exit_code
