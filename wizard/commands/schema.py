"""`k8s-wizard schema`: print the answers file's JSON Schema (version 1), exactly as the package ships it."""

from __future__ import annotations

import argparse
from typing import TextIO

from wizard.core.answers.schema import schema_text


def schema(args: argparse.Namespace, stdin: TextIO, out: TextIO) -> int:
    """Print the schema (for an editor's settings, a CI check, or reading)."""
    out.write(schema_text())
    return 0
