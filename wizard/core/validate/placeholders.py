"""Placeholders the interview invents (an example image, an example git URL) are never written silently.

With no image and no git remote to start from, Enter alone proposes `ghcr.io/example/<app>` and
`https://github.com/example/<app>.git`, so that the files build. The plan flags them as warnings before
anything is written, and `validate` fails on them while any written file still holds one.
"""

from __future__ import annotations

import re
from pathlib import Path

from wizard.core.answers.parse import ANSWERS_FILE, Answers
from wizard.core.model import Finding, Level

PLACEHOLDERS: dict[str, re.Pattern[str]] = {
    "image": re.compile(r"\bghcr\.io/example/[\w.-]+(?::[\w.-]+)?"),
    "git URL": re.compile(r"\bhttps://github\.com/example/[\w.-]+"),
}
"""What the interview proposes when it has nothing to go on, by what it stands for."""


def in_answers(answers: Answers) -> list[Finding]:
    """A warning for each placeholder in the answers (shown in the plan and on the done screen)."""
    values = {"image": answers.new_app.image if answers.new_app else "", "git URL": answers.flux_url or ""}
    without = {"image": "without an image to start from", "git URL": "without a git remote"}
    out = []
    for what, pattern in PLACEHOLDERS.items():
        match = pattern.search(values[what])
        if match:
            out.append(Finding(
                Level.WARNING, "placeholder",
                f"the {what} {match.group(0)} is a placeholder (what the interview proposes {without[what]}): put the "
                f"real one in {ANSWERS_FILE} and run `k8s-wizard apply`; validate fails until then.",
                path=ANSWERS_FILE,
            ))
    return out


def in_files(repo: Path, output: str) -> list[Finding]:
    """An error for each written file that still holds a placeholder (the answers file and the output folder)."""
    files = [repo / ANSWERS_FILE, *sorted((repo / output).rglob("*.yaml"))]
    out = []
    for path in files:
        if not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        for what, pattern in PLACEHOLDERS.items():
            match = pattern.search(text)
            if match:
                out.append(Finding(
                    Level.ERROR, "placeholder",
                    f"still holds the example {what} {match.group(0)}: replace it with the real one "
                    f"(in {ANSWERS_FILE}, then `k8s-wizard apply`).",
                    path=path.relative_to(repo).as_posix(),
                ))
    return out
