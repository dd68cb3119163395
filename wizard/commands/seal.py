"""`k8s-wizard seal ENV`: offline sealing into the environment's overlay."""

from __future__ import annotations

import argparse
from typing import TextIO

from wizard.core.errors import WizardError


def seal(args: argparse.Namespace, stdin: TextIO, out: TextIO) -> int:
    raise WizardError("seal is not available yet")
