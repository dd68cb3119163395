"""The preview screen: every file a write would touch, colour-coded, and the selected file's content or diff.

Conflicts (a hand edit colliding with the change) are settled here per file: keep mine, take new, or
write git-style markers. Meanwhile a worker writes the new files into a temporary copy and builds
every overlay with the real kustomize, so the person sees whether the result builds before the write.
Enter asks for the confirmation; nothing is written before it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from rich.syntax import Syntax
from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, ScrollableContainer, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Header, Label, LoadingIndicator, Static, Tree

from wizard.core.errors import WizardError
from wizard.core.kustomize import Build
from wizard.core.model import ChangeKind, FileChange, Level
from wizard.core.pipeline import Outcome, check_outcome, settle_conflicts
from wizard.core.write.changes import Choice
from wizard.core.write.merge import with_markers
from wizard.tui.footer import KeysFooter

MARK: dict[ChangeKind, tuple[str, str, str]] = {
    ChangeKind.CREATE: ("+", "green", "new"),
    ChangeKind.CHANGE: ("~", "yellow", "changed"),
    ChangeKind.UNCHANGED: ("=", "dim", "unchanged"),
    ChangeKind.REMOVE: ("-", "red", "removed"),
    ChangeKind.CONFLICT: ("!", "bold red", "conflict"),
}
"""Per kind of change: the mark before the file name, its style and its name in the legend."""

LEXERS = {".yaml": "yaml", ".yml": "yaml", ".md": "markdown", ".sh": "bash", ".json": "json"}


@dataclass(frozen=True)
class BuildCheck:
    """What the kustomize builds of the staged files gave."""

    ok: bool
    text: str


def check_builds(repo: Path, outcome: Outcome, on_done: Callable[[Build], None] | None = None) -> BuildCheck:
    """Build every overlay of the would-be output (in a temporary copy: the repository is not touched).

    ``on_done`` sees each overlay's build as it finishes (from the worker thread).
    """
    try:
        builds, findings = check_outcome(repo, outcome, on_done)
    except WizardError as exc:
        return BuildCheck(False, f"kustomize could not run: {exc}")
    errors = [f for f in findings if f.level is Level.ERROR]
    if errors:
        return BuildCheck(False, "; ".join(f"{f.path or f.code}: {f.message}" for f in errors[:3]))
    built = ", ".join(f"{PurePosixPath(b.path).name} ({len(b.objects)} objects)" for b in builds)
    return BuildCheck(True, f"kustomize builds every overlay: {built}")


def build_progress(done: list[Build], total: int) -> Text:
    """`Building 5 overlays: 2 done  ✓ production 3.1 s  ✓ staging unchanged`: each build as it finishes."""
    parts: list[tuple[str, str] | str] = [f"Building {total} overlays with kustomize: {len(done)} done "]
    for b in done:
        ok = b.ok and not b.stderr
        timing = "unchanged" if b.reused else f"{b.seconds:.1f} s"
        parts += [" ", ("✓ " if ok else "✗ ", "bold green" if ok else "bold red"), f"{PurePosixPath(b.path).name} {timing}"]
    return Text.assemble(*parts)


class FileTree(Tree[Any]):
    """The changed files by folder; Enter goes on to the confirmation."""

    BINDINGS = [
        Binding("enter", "screen.next", "Write…", priority=True),
        Binding("space", "toggle_node", "Open/close", show=False),
    ]


def legend(changes: tuple[FileChange, ...]) -> Text:
    """`+ 21 new  ~ 0 changed ...` in the marks' colours (kinds with no file left out)."""
    parts: list[tuple[str, str] | str] = []
    for kind, (mark, style, name) in MARK.items():
        count = sum(1 for c in changes if c.kind is kind)
        if count or kind in (ChangeKind.CREATE, ChangeKind.CHANGE):
            parts += [(f"{mark} {count} {name}", style), "   "]
    return Text.assemble(*parts[:-1])


def file_tree(changes: tuple[FileChange, ...]) -> FileTree:
    """Folders as branches, files as leaves marked by kind of change."""
    tree = FileTree("files", id="files")
    tree.show_root = False
    tree.guide_depth = 2
    folders: dict[str, Any] = {"": tree.root}
    for change in changes:
        parts = change.path.split("/")
        for depth in range(1, len(parts)):
            key = "/".join(parts[:depth])
            if key not in folders:
                folders[key] = folders["/".join(parts[: depth - 1])].add(parts[depth - 1] + "/", expand=True)
        mark, style, _ = MARK[change.kind]
        folders["/".join(parts[:-1])].add_leaf(Text(f"{mark} {parts[-1]}", style=style), data=change.path)
    return tree


class PreviewScreen(Screen[None]):
    """What the write will do, file by file."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back to plan"),
        Binding("d", "toggle_diff", "Diff/content"),
        Binding("m", "settle('mine')", "Keep mine", show=False),
        Binding("n", "settle('new')", "Take new", show=False),
        Binding("x", "settle('markers')", "Markers", show=False),
    ]

    @dataclass
    class Accepted(Message):
        """The person wants to write this outcome (conflicts settled)."""

        outcome: Outcome

    def __init__(self, repo: Path, outcome: Outcome) -> None:
        """`outcome` as built; conflicts are settled on top of it."""
        super().__init__()
        self.repo = repo
        self.original = outcome
        self.outcome = outcome
        self.choices: dict[str, Choice] = {}
        self.show_diff = False
        self.selected: str | None = None
        self.check: BuildCheck | None = None

    def compose(self) -> ComposeResult:
        """Legend and file tree on the left, the file on the right, the build check at the bottom."""
        yield Header()
        with Horizontal(id="preview"):
            with Vertical(id="files-panel"):
                yield Label(legend(self.outcome.plan.changes), id="legend")
                yield file_tree(self.outcome.plan.changes)
            with Vertical(id="file-panel"):
                yield Label("", id="file-title")
                with ScrollableContainer(id="file-view"):
                    yield Static(id="file-body")
        with Horizontal(id="checks"):
            yield LoadingIndicator(id="checking")
            yield Label("Building every overlay with kustomize…", id="check-result")
        yield KeysFooter()

    NARROW = 110
    """Below this width the file list takes half the screen, so file names are not cut."""

    def on_resize(self, event: events.Resize) -> None:
        """Give the file names room in a narrow terminal."""
        self.set_class(event.size.width < self.NARROW, "narrow")

    def on_mount(self) -> None:
        """Show the first file and start the build check."""
        self.set_class(self.app.size.width < self.NARROW, "narrow")
        tree = self.query_one(FileTree)
        tree.focus()
        first = next((n for n in self._leaves(tree.root)), None)
        if first is not None:
            self._show(str(first.data))
            self.call_after_refresh(tree.move_cursor, first)
        self._check(self.outcome)

    def _leaves(self, node: Any) -> list[Any]:
        out = []
        for child in node.children:
            out += [child] if child.data is not None else self._leaves(child)
        return out

    # -- the file on the right ---------------------------------------------------------------------

    def _change(self, path: str) -> FileChange:
        return next(c for c in self.outcome.plan.changes if c.path == path)

    @on(Tree.NodeHighlighted)
    def _highlighted(self, event: Tree.NodeHighlighted[Any]) -> None:
        if event.node.data is not None:
            self._show(str(event.node.data))

    def _show(self, path: str) -> None:
        self.selected = path
        change = self._change(path)
        mark, style, name = MARK[change.kind]
        note = f" ({change.note})" if change.note else ""
        title = Text.assemble((f"{mark} {path}", style), f"  {name}{note}")
        body: Any
        dark = self.app.current_theme.dark if self.app.current_theme else True
        theme = "ansi_dark" if dark else "ansi_light"
        if change.kind is ChangeKind.CONFLICT:
            title.append("   m keep mine · n take new · x markers", style="bold")
            text = with_markers(change.base or "", change.old or "", change.generated) if change.generated else change.old or ""
            body = Syntax(text, LEXERS.get(PurePosixPath(path).suffix, "text"), theme=theme, line_numbers=True)
        elif self.show_diff or change.kind is ChangeKind.REMOVE:
            diff = change.diff() or "(no difference from what is on disk)"
            body = Syntax(diff, "diff", theme=theme)
        else:
            body = Syntax(change.new or "", LEXERS.get(PurePosixPath(path).suffix, "text"), theme=theme, line_numbers=True)
        self.query_one("#file-title", Label).update(title, layout=False)  # fixed size (app.tcss)
        self.query_one("#file-body", Static).update(body)
        self.query_one("#file-view", ScrollableContainer).scroll_home(animate=False)

    def action_toggle_diff(self) -> None:
        """Switch the right pane between the file's content and its diff against the disk."""
        self.show_diff = not self.show_diff
        if self.selected:
            self._show(self.selected)

    def action_settle(self, choice: Choice) -> None:
        """Settle the selected file's conflict: keep mine, take new, or markers."""
        path = self.selected
        if path is None or (self.original_kind(path) is not ChangeKind.CONFLICT):
            self.notify("Only a file in conflict (marked !) can be settled.", severity="warning")
            return
        self.choices[path] = choice
        outcome = self.original
        for chosen in ("mine", "new", "markers"):
            paths = {p for p, c in self.choices.items() if c == chosen}
            if paths:
                outcome = settle_conflicts(outcome, chosen, paths)
        self.outcome = outcome
        self.query_one("#legend", Label).update(legend(outcome.plan.changes), layout=False)
        self._relabel()
        self._show(path)
        self._check(outcome)

    def original_kind(self, path: str) -> ChangeKind:
        """What the build classified the file as, before any settling."""
        return next(c.kind for c in self.original.plan.changes if c.path == path)

    def _relabel(self) -> None:
        tree = self.query_one(FileTree)
        for leaf in self._leaves(tree.root):
            change = self._change(str(leaf.data))
            mark, style, _ = MARK[change.kind]
            leaf.set_label(Text(f"{mark} {PurePosixPath(change.path).name}", style=style))

    # -- the build check ---------------------------------------------------------------------------

    def _check(self, outcome: Outcome) -> None:
        self.check = None
        self.query_one("#checking", LoadingIndicator).display = True
        self.query_one("#check-result", Label).update("Building every overlay with kustomize…", layout=False)
        self._check_worker(outcome)

    @work(thread=True, exclusive=True, group="check")
    def _check_worker(self, outcome: Outcome) -> None:
        done: list[Build] = []
        total = sum(1 for e in outcome.answers.environments)

        def finished(build: Build) -> None:
            done.append(build)
            self.app.call_from_thread(self._progress, outcome, build_progress(list(done), total))

        result = check_builds(self.repo, outcome, finished)
        self.app.call_from_thread(self._checked, outcome, result)

    def _progress(self, outcome: Outcome, text: Text) -> None:
        if outcome is self.outcome and self.check is None:
            self.query_one("#check-result", Label).update(text, layout=False)

    def _checked(self, outcome: Outcome, result: BuildCheck) -> None:
        if outcome is not self.outcome:
            return
        self.check = result
        self.query_one("#checking", LoadingIndicator).display = False
        mark = ("✓ ", "bold green") if result.ok else ("✗ ", "bold red")
        self.query_one("#check-result", Label).update(Text.assemble(mark, result.text), layout=False)

    # -- going on ----------------------------------------------------------------------------------

    def action_next(self) -> None:
        """Ask to write (refused while a conflict is open or a finding blocks)."""
        open_conflicts = [c.path for c in self.outcome.conflicts]
        if open_conflicts:
            self.notify(
                f"Settle the conflict in {open_conflicts[0]} first: m keep mine, n take new, x markers.", severity="error"
            )
            return
        if self.outcome.plan.blocking:
            self.notify(
                f"{len(self.outcome.plan.blocking)} blocking finding(s) in the plan: nothing can be written.", severity="error"
            )
            return
        if self.check is not None and not self.check.ok:
            self.notify(f"The result would not build, so nothing can be written: {self.check.text}", severity="error")
            return
        self.post_message(self.Accepted(self.outcome))
