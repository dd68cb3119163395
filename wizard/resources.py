"""Where the data folders of the design live: `prompts/` (the interview) and `templates/` (jinja2).

In a checkout or an editable install they are the repository's own folders; an installed wheel carries
them as data files under `<prefix>/share/k8s-wizard/`.
"""

from __future__ import annotations

import sys
from pathlib import Path

_CHECKOUT = Path(__file__).resolve().parents[1]


def resource_dir(name: str) -> Path:
    """The folder `name` (prompts or templates): the checkout's, else the installed copy."""
    local = _CHECKOUT / name
    # A checkout has pyproject.toml beside the package; site-packages does not (and may hold others' folders).
    if (_CHECKOUT / "pyproject.toml").is_file() and local.is_dir():
        return local
    return Path(sys.prefix) / "share" / "k8s-wizard" / name
