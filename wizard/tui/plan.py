"""The plan screen: the migration plan as a tree (phases, steps, commands and files, findings) and a detail pane.

The highlighted node is explained on the right. Enter goes on to the preview of the files; Space
opens or closes a node; `c` compares two environments; Esc goes back to the interview to change an answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from rich.markdown import Markdown as RichMarkdown
from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Header, Static, Tree

from wizard.core.model import Finding, Level, Phase, Plan, Step
from wizard.core.pipeline import Outcome
from wizard.tui.footer import KeysFooter

LEVEL_STYLE = {Level.ERROR: "bold red", Level.WARNING: "yellow", Level.INFO: "cyan"}


class PlanTree(Tree[Any]):
    """The plan as a tree; Enter means "go on", Space opens and closes nodes."""

    BINDINGS = [
        Binding("enter", "screen.next", "Preview files", priority=True),
        Binding("space", "toggle_node", "Open/close", show=True),
    ]


def plan_tree(plan: Plan) -> PlanTree:
    """Phases -> steps -> commands and files, then the findings."""
    tree = PlanTree(Text.assemble(("Migration plan ", "bold"), f"{plan.app}: {' → '.join(plan.environments)}"), id="plan")
    tree.root.data = plan
    tree.show_root = False
    tree.guide_depth = 3
    for number, phase in enumerate(plan.phases, 1):
        node = tree.root.add(Text.assemble((f"{number}. {phase.title}", "bold")), data=phase, expand=True)
        for step in phase.steps:
            leaf = node.add(step.title, data=step)
            for command in step.commands:
                leaf.add_leaf(Text(f"$ {command}", style="green"), data=("command", command, step))
            for path in step.files:
                leaf.add_leaf(Text(path, style="cyan"), data=("file", path, step))
    if plan.findings:
        blocking = len(plan.blocking)
        title = f"Findings ({len(plan.findings)}{f', {blocking} blocking' if blocking else ''})"
        node = tree.root.add(Text(title, style="bold"), data=plan.findings, expand=True)
        for finding in plan.findings:
            node.add_leaf(finding_label(finding), data=finding)
    return tree


def finding_label(finding: Finding) -> Text:
    """`warning: mutable-image · vote-deployment.yaml`: what it is and where, so two findings never look alike."""
    where = PurePosixPath(finding.path).name if finding.path else finding.environment or ""
    return Text.assemble(
        (f"{finding.level.value}: ", LEVEL_STYLE[finding.level]), finding.code, (f" · {where}" if where else "", "dim")
    )


def explain(data: Any) -> str:
    """Markdown for the detail pane about one node."""
    if isinstance(data, Phase):
        steps = "\n".join(f"- {s.title}" for s in data.steps)
        return f"## {data.title}\n\n{data.summary}\n\n{steps}"
    if isinstance(data, Step):
        out = f"## {data.title}\n\n{data.detail}"
        if data.commands:
            out += "\n\n```sh\n" + "\n".join(data.commands) + "\n```"
        if data.files:
            out += "\n\nFiles: " + ", ".join(f"`{f}`" for f in data.files)
        return out
    if isinstance(data, Finding):
        where = f"\n\nIn `{data.path}`." if data.path else ""
        return f"## {data.level.value}: {data.code}\n\n{data.message}{where}"
    if isinstance(data, tuple) and len(data) == 3 and isinstance(data[2], Step):
        kind, value, step = data
        if kind == "command":
            return f"## Command\n\n```sh\n{value}\n```\n\nPart of *{step.title}*: {step.detail}"
        return f"## `{value}`\n\nPart of *{step.title}*. The preview (Enter) shows every file that will be written."
    if isinstance(data, tuple):
        errors = sum(1 for f in data if f.level is Level.ERROR)
        return (f"## Findings\n\nWhat a reviewer must know. {errors} blocking (errors stop the write)."
                if errors else "## Findings\n\nWhat a reviewer must know; none of them blocks the write.")
    return ""


class PlanScreen(Screen[None]):
    """The migration plan with a detail pane."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back to interview"),
        Binding("c", "compare", "Compare environments"),
    ]

    @dataclass
    class Accepted(Message):
        """The person read the plan and wants to see the files."""

        outcome: Outcome

    @dataclass
    class CompareRequested(Message):
        """The person wants to see what differs between two environments (the Compare screen)."""

        outcome: Outcome

    def __init__(self, outcome: Outcome) -> None:
        """`outcome`: what the pipeline built for the answers."""
        super().__init__()
        self.outcome = outcome

    def compose(self) -> ComposeResult:
        """The tree on the left, the explanation on the right."""
        yield Header()
        with Horizontal(id="plan-screen"):
            yield plan_tree(self.outcome.plan)
            with VerticalScroll(id="plan-detail"):
                yield Static(id="detail")
        yield KeysFooter()

    NARROW = 140
    """Below this width the detail pane goes under the tree, so the steps' titles are not cut."""

    def on_resize(self, event: events.Resize) -> None:
        """Stack the tree and the detail pane in a narrow terminal."""
        self.set_class(event.size.width < self.NARROW, "narrow")

    def on_mount(self) -> None:
        """Explain the first phase."""
        self.set_class(self.app.size.width < self.NARROW, "narrow")
        tree = self.query_one(PlanTree)
        tree.focus()
        tree.move_cursor_to_line(0)
        first = tree.get_node_at_line(0)
        self._explain(first.data if first is not None else None)

    @on(Tree.NodeHighlighted)
    def _highlighted(self, event: Tree.NodeHighlighted[Any]) -> None:
        self._explain(event.node.data)

    def _explain(self, data: Any) -> None:
        self.query_one("#detail", Static).update(RichMarkdown(explain(data)))

    def action_next(self) -> None:
        """Go on to the preview."""
        self.post_message(self.Accepted(self.outcome))

    def action_compare(self) -> None:
        """Open the Compare environments screen (it needs two environments)."""
        if len(self.outcome.answers.environments) < 2:
            self.notify("There is only one environment: nothing to compare.", severity="warning")
            return
        self.post_message(self.CompareRequested(self.outcome))
