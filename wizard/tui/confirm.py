"""A yes/no question over the current screen: `ModalScreen[bool]` that dismisses with the answer."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from wizard.tui.prose import prose


class ConfirmScreen(ModalScreen[bool]):
    """Asks one question; Enter gives the focused button (the proposed answer), y/n and Esc too."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n", "answer(False)", "No"),
        Binding("escape", "answer(False)", "Cancel"),
        Binding("left,right", "app.focus_next", "Switch", show=False),
    ]

    def __init__(self, question: str, *, yes: str = "Yes", no: str = "No", proposed: bool = True) -> None:
        """`question` in Markdown; `proposed` is the button that has the focus."""
        super().__init__()
        self.question = question
        self.labels = (yes, no)
        self.proposed = proposed

    def compose(self) -> ComposeResult:
        """The question and two buttons."""
        with Vertical(id="confirm"):
            yield Static(prose(self.question), id="confirm-question")
            with Horizontal(id="confirm-buttons"):
                yield Button(self.labels[0], variant="primary", id="yes")
                yield Button(self.labels[1], id="no")

    def on_mount(self) -> None:
        """Focus the proposed answer."""
        self.query_one("#yes" if self.proposed else "#no", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, value: bool) -> None:
        """Close with `value`."""
        self.dismiss(value)
