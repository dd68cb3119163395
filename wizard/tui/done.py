"""The done screen: what was written, where MIGRATION.md is, and the next commands to run."""

from __future__ import annotations

from rich.markdown import Markdown as RichMarkdown
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Header, Static

from wizard.core.layout import MIGRATION_FILE
from wizard.core.pipeline import Outcome
from wizard.tui.footer import KeysFooter


def next_commands(outcome: Outcome) -> list[str]:
    """The commands to run after the write: commit on a branch, validate, seal each environment's secrets."""
    steps = [s for phase in outcome.plan.phases for s in phase.steps]
    commit = next((s.commands for s in steps if s.title.lower().startswith("open a pull request")), ())
    seal = [c for s in steps for c in s.commands if c.startswith("k8s-wizard seal ")]
    return [*commit, "k8s-wizard validate", *seal]


def done_text(outcome: Outcome, written: list[str], repo_name: str) -> str:
    """The done screen's Markdown (relative paths only)."""
    files = "\n".join(f"- `{path}`" for path in written)
    commands = "\n".join(next_commands(outcome))
    made_up = [f.message for f in outcome.plan.findings if f.code == "placeholder"]
    warning = (
        "## Replace the examples first\n\n" + "\n".join(f"- {m}" for m in made_up) + "\n\n" if made_up else ""
    )
    return (
        f"# Done: {len(written)} files written in {repo_name}\n\n{warning}"
        f"Nothing is deployed yet. The migration plan, step by step with rollback, is in **`./{MIGRATION_FILE}`**; "
        f"your answers are in `./.k8s-wizard.yaml` (run `k8s-wizard` again to change them).\n\n"
        f"## Next\n\n```sh\n{commands}\n```\n\n## Written\n\n{files}\n"
    )


class DoneScreen(Screen[None]):
    """After the write."""

    BINDINGS = [
        Binding("enter", "app.quit", "Quit", priority=True),
        Binding("q", "app.quit", "Quit"),
    ]

    def __init__(self, outcome: Outcome, written: list[str], repo_name: str) -> None:
        """`written`: the paths the write reported, relative to the repository."""
        super().__init__()
        self.outcome = outcome
        self.written = written
        self.repo_name = repo_name

    def compose(self) -> ComposeResult:
        """One scrolling page."""
        yield Header()
        with VerticalScroll(id="done"):
            yield Static(RichMarkdown(done_text(self.outcome, self.written, self.repo_name)), id="done-text")
        yield KeysFooter()

    def on_mount(self) -> None:
        """Focus the page so it scrolls with the keys."""
        self.query_one("#done", VerticalScroll).focus()
