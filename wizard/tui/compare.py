"""The "Compare environments" screen: what differs between two environments' builds, and why.

Reached from the plan (`c`, or the command palette). The core computes the report (`compare_outcome`:
both overlays built with the real kustomize as the write would leave them, each difference from the
answers or unexplained); this screen only picks the two environments and shows the result: one row per
difference, the highlighted one explained below. Esc goes back to the plan.
"""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Header, Label, LoadingIndicator, Select, Static

from wizard.core.drift.report import Difference, DriftReport, to_yaml_value, why
from wizard.core.drift.sources import compare_outcome
from wizard.core.errors import WizardError
from wizard.core.pipeline import Outcome
from wizard.tui.footer import KeysFooter


def default_pair(outcome: Outcome) -> tuple[str, str]:
    """The environment just before the one that runs today, and that one (else the first two)."""
    names = [e.name for e in outcome.answers.environments]
    current = outcome.answers.current
    if current is not None and names.index(current.name) > 0:
        i = names.index(current.name)
        return names[i - 1], names[i]
    return names[0], names[1]


def _short(value: object, present: bool, width: int = 16) -> Text:
    """A value in one table cell (Text: a `[web]` in a path or value is not markup)."""
    if not present:
        return Text("(absent)", style="dim")
    text = value if isinstance(value, str) else to_yaml_value(value).replace("\n", " ")
    return Text(text if len(text) <= width else text[: width - 1] + "…")


def _field(field: str, width: int = 30) -> Text:
    """A field path in one cell, its end kept when it is long (the end says what it is)."""
    text = field or "(whole object)"
    return Text(text if len(text) <= width else "…" + text[-(width - 1) :])


class CompareScreen(Screen[None]):
    """Two environments side by side, difference by difference."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back to the plan"),
        Binding("s", "swap", "Swap"),
    ]

    def __init__(self, repo: Path, outcome: Outcome, pair: tuple[str, str] | None = None) -> None:
        """`outcome`: the plan's outcome (nothing is written); `pair`: the environments to start with."""
        super().__init__()
        self.repo = repo
        self.outcome = outcome
        self.pair = pair or default_pair(outcome)
        self.report: DriftReport | None = None
        """The last report shown (None while the first one is computed)."""

    def compose(self) -> ComposeResult:
        """The two environment pickers, the summary, the table of differences and the detail of one."""
        names = [(e.name, e.name) for e in self.outcome.answers.environments]
        yield Header()
        with Horizontal(id="compare-envs"):
            yield Label("Compare ", classes="compare-label")
            yield Select(names, value=self.pair[0], allow_blank=False, id="env-a")
            yield Label(" with ", classes="compare-label")
            yield Select(names, value=self.pair[1], allow_blank=False, id="env-b")
        with Horizontal(id="compare-status"):
            yield LoadingIndicator(id="comparing")
            yield Static("Building both overlays with kustomize…", id="compare-summary")
        yield DataTable(id="drift", cursor_type="row", zebra_stripes=True)
        with VerticalScroll(id="drift-detail"):
            yield Static(id="difference")
        yield KeysFooter()

    def on_mount(self) -> None:
        """Compare the starting pair."""
        table = self.query_one("#drift", DataTable)
        table.add_columns("", "why", "object", "field", self.pair[0], self.pair[1])
        self.compare(*self.pair)

    @work(thread=True, exclusive=True, group="compare")
    def compare(self, a: str, b: str) -> None:
        """Ask the core for the report (four kustomize builds) off the UI thread."""
        self.app.call_from_thread(self._busy, True)
        try:
            report = compare_outcome(self.repo, self.outcome, a, b)
        except WizardError as exc:
            self.app.call_from_thread(self._failed, str(exc))
            return
        self.app.call_from_thread(self._show, report)

    def _busy(self, busy: bool) -> None:
        self.query_one("#comparing", LoadingIndicator).display = busy
        if busy:
            self.query_one("#compare-summary", Static).update("Building both overlays with kustomize…", layout=False)

    def _failed(self, message: str) -> None:
        self._busy(False)
        self.query_one("#compare-summary", Static).update(Text(f"Cannot compare: {message}", style="bold red"), layout=False)

    def _show(self, report: DriftReport) -> None:
        self.report = report
        self._busy(False)
        style = "bold red" if report.unexplained else "green"
        self.query_one("#compare-summary", Static).update(Text(report.summary(), style=style), layout=False)
        table = self.query_one("#drift", DataTable)
        table.clear(columns=True)
        table.add_columns("", "why", "object", "field", report.a, report.b)
        for i, d in enumerate(report.differences):
            mark = Text("!", style="bold red") if not d.explained else Text("=", style="green")
            reason = Text("unexplained", style="bold red") if not d.explained else Text(d.reason)
            table.add_row(
                mark, reason, Text(d.object), _field(d.field),
                _short(d.a, d.only_in != "b"), _short(d.b, d.only_in != "a"), key=str(i),
            )
        self._detail(report.differences[0] if report.differences else None)

    def _detail(self, d: Difference | None) -> None:
        report = self.report
        if d is None or report is None:
            self.query_one("#difference", Static).update("No difference: the two builds are the same.")
            return
        text = Text.assemble((d.object, "bold"), "  ", (d.field or "(whole object)", "cyan"), "\n")
        for env, value, present in ((report.a, d.a, d.only_in != "b"), (report.b, d.b, d.only_in != "a")):
            shown = to_yaml_value(value) if present else "(absent)"
            text.append(f"{env}: ", style="bold")
            text.append(("\n  " + shown.replace("\n", "\n  ")) if "\n" in shown else shown)
            text.append("\n")
        text.append(why(d), style="green" if d.explained else "bold red")
        self.query_one("#difference", Static).update(text)

    @on(DataTable.RowHighlighted, "#drift")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        if self.report is not None and event.row_key.value is not None:
            self._detail(self.report.differences[int(event.row_key.value)])

    @on(Select.Changed)
    def _picked(self, event: Select.Changed) -> None:
        a = self.query_one("#env-a", Select).value
        b = self.query_one("#env-b", Select).value
        if isinstance(a, str) and isinstance(b, str) and (a, b) != self.pair:
            self.pair = (a, b)
            if a == b:
                self._failed("pick two different environments")
            else:
                self.compare(a, b)

    def action_swap(self) -> None:
        """Compare the other way round."""
        a, b = self.pair
        self.query_one("#env-a", Select).value = b
        self.query_one("#env-b", Select).value = a
