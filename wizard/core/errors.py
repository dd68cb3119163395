"""Errors the command line maps to exit codes."""

from __future__ import annotations

from pathlib import Path


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


def raised_at(exc: BaseException) -> str:
    """" at FILE:LINE": the innermost frame of k8s-wizard's own code the exception passed through ("" if none).

    What an internal error is named by, with its type: never its message or locals, which may hold an input value.
    """
    where = ""
    tb = exc.__traceback__
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if "wizard" in Path(name).parts:
            where = f" at {Path(name).name}:{tb.tb_lineno}"
        tb = tb.tb_next
    return where
