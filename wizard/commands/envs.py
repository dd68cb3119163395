"""`add-env` and `remove-env`: change the saved answers and re-generate, keeping hand edits."""

from __future__ import annotations

import argparse
from typing import TextIO

from wizard.core.errors import WizardError


def add_env(args: argparse.Namespace, stdin: TextIO, out: TextIO) -> int:
    raise WizardError("add-env is not available yet")


def remove_env(args: argparse.Namespace, stdin: TextIO, out: TextIO) -> int:
    raise WizardError("remove-env is not available yet")
