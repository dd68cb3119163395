"""Errors the command line maps to exit codes."""

from __future__ import annotations


class WizardError(Exception):
    """Base class: a problem the user can act on. The message never contains a secret value."""

    exit_code = 1


class InputError(WizardError):
    """Bad input (answers file, manifests, flags): exit 2, nothing written.

    The message names the file, key or line and says what is wrong.
    """

    exit_code = 2


class BlockingError(WizardError):
    """Blocking findings, a declined confirmation or a conflict: exit 1, nothing written."""

    exit_code = 1
