"""The "Compare environments" view, driven through the Pilot on real repositories (real kustomize builds).

Reached from the plan with `c` and from the command palette; it shows exactly the core's report
(`compare_outcome`) for the pair picked, one row per difference; a hand edit in one overlay shows as
unexplained with its file; `s` swaps the pair; Esc goes back to the plan. Nothing is written.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from conftest import run_cli
from test_tui_support import Keys, settle, shop_repo, tree_bytes
from textual.widgets import DataTable, Static

from wizard.core.drift.sources import compare_outcome
from wizard.tui.app import WizardApp, make_app
from wizard.tui.compare import CompareScreen
from wizard.tui.plan import PlanScreen

ANSWERS = Path(__file__).resolve().parent / "fixtures" / "plain-folder" / "answers.yaml"


@pytest.fixture
def migrated(tmp_path: Path) -> Path:
    """The shop repository migrated with the plain-folder answers (so saved answers start the app)."""
    repo = shop_repo(tmp_path / "work")
    result = run_cli("apply", "--answers", str(ANSWERS), "--repo", str(repo), "--yes")
    assert result.code == 0, result.describe()
    return repo


async def to_plan(app: WizardApp, keys: Keys) -> PlanScreen:
    for _ in range(60):
        if isinstance(app.screen, PlanScreen):
            return app.screen
        await keys.press("enter")
    raise AssertionError(f"never reached the plan: on {type(app.screen).__name__}")


def rows(screen: CompareScreen) -> list[list[str]]:
    table = screen.query_one("#drift", DataTable)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


async def test_compare_from_the_plan_shows_the_core_s_report(migrated: Path) -> None:
    before = tree_bytes(migrated)
    app = make_app(migrated)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        keys = Keys(pilot)
        plan = await to_plan(app, keys)
        await keys.press("c")
        screen = app.screen
        assert isinstance(screen, CompareScreen) and screen.report is not None
        expected = compare_outcome(migrated, plan.outcome, "staging", "production")
        assert screen.report == expected
        assert expected.differences and not expected.unexplained
        shown = rows(screen)
        assert len(shown) == len(expected.differences)
        assert [(r[2], r[1]) for r in shown] == [(d.object, d.reason) for d in expected.differences]
        assert ["=", "hosts", "Ingress/shop-web", "spec.rules[0].host", "staging.shop.ex…", "shop.example.com"] in shown
        assert all(r[0] == "=" for r in shown)
        summary = str(screen.query_one("#compare-summary", Static).render())
        assert "0 unexplained" in summary
        await keys.press("s")
        assert screen.report is not None and (screen.report.a, screen.report.b) == ("production", "staging")
        await keys.press("escape")
        assert app.screen is plan
    assert tree_bytes(migrated) == before, "comparing writes nothing"


async def test_a_hand_edit_shows_as_unexplained_with_its_file(migrated: Path) -> None:
    overlay = migrated / "k8s/overlays/staging"
    (overlay / "patches/debug-env.yaml").write_text(yaml.safe_dump({
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "shop-web"},
        "spec": {"template": {"spec": {"containers": [{"name": "web", "env": [{"name": "TRACE_SQL", "value": "on"}]}]}}},
    }), encoding="utf-8")
    kustomization = overlay / "kustomization.yaml"
    kustomization.write_text(kustomization.read_text(encoding="utf-8") + "  - path: patches/debug-env.yaml\n", encoding="utf-8")
    app = make_app(migrated)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        keys = Keys(pilot)
        await to_plan(app, keys)
        await keys.press("c")
        screen = app.screen
        assert isinstance(screen, CompareScreen) and screen.report is not None
        [edit] = screen.report.unexplained
        assert edit.field == "spec.template.spec.containers[web].env[TRACE_SQL]"
        assert "k8s/overlays/staging/patches/debug-env.yaml" in edit.files
        row = next(r for r in rows(screen) if r[3].endswith("[web].env[TRACE_SQL]"))
        assert (row[0], row[1]) == ("!", "unexplained")
        table = screen.query_one("#drift", DataTable)
        table.move_cursor(row=rows(screen).index(row))
        await settle(pilot)
        detail = str(screen.query_one("#difference", Static).render())
        assert "UNEXPLAINED" in detail and "patches/debug-env.yaml" in detail
        assert "1 unexplained" in str(screen.query_one("#compare-summary", Static).render())


async def test_the_palette_opens_compare_on_the_plan(migrated: Path) -> None:
    app = make_app(migrated)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        plan = await to_plan(app, Keys(pilot))
        commands = {c.title: c for c in app.get_system_commands(plan)}
        assert "Compare environments" in commands
        commands["Compare environments"].callback()
        await settle(pilot)
        assert isinstance(app.screen, CompareScreen) and app.screen.report is not None
        assert "Swap the environments" in {c.title for c in app.get_system_commands(app.screen)}
