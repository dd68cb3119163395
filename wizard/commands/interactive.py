"""`k8s-wizard` / `k8s-wizard init`: the interview (Textual app, or plain prompts)."""

from __future__ import annotations

import argparse
from typing import TextIO

from wizard.core.errors import WizardError


def init(args: argparse.Namespace, stdin: TextIO, out: TextIO) -> int:
    raise WizardError("the interactive interview is not available yet: use `k8s-wizard apply --answers FILE`")
