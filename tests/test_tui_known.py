"""The interview's "What I know" panel shows what the resolve stage concluded from the answers so far.

Each test starts the Textual app at the question it checks (`app_at`), answers through the Pilot like a
person, and reads the panel: per environment the replicas, HPAs, resources, tags, hosts and namespaces
the core resolved, and an answer the core refuses as its message (the interview carries on).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_tui_support import Keys, app_at, settle, shop_repo
from textual.widgets import OptionList

from wizard.tui.app import WizardApp
from wizard.tui.reply import ProposalInput


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """The plain-folder fixture (shop-web 3 replicas, postgres 1, shop-migrate) as a git repository named shop."""
    return shop_repo(tmp_path / "work")


def panel(app: WizardApp) -> list[str]:
    """The "What I know" panel's lines, as shown."""
    known = app.screen.query_one("#known", OptionList)
    return [str(known.get_option_at_index(i).prompt) for i in range(known.option_count)]


def section(lines: list[str], title: str) -> list[str]:
    """The lines under an environment's title, up to the next title (a line not indented)."""
    start = lines.index(title) + 1
    end = next((i for i in range(start, len(lines)) if not lines[i].startswith(" ")), len(lines))
    return [line.strip() for line in lines[start:end]]


async def type_over_first_row(app: WizardApp, keys: Keys, text: str) -> None:
    """Type a sentence into the first environment's row of a per-environment question, and send it."""
    app.screen.query(ProposalInput).first().focus()
    await keys.type(text)
    await keys.press("enter")


async def test_replicas_answered_per_environment_show_under_each_environment(repo: Path) -> None:
    app = app_at(repo, "replicas", answers={"differs": ["replicas", "autoscaling"]})
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        before = panel(app)
        assert "replicas today: postgres 1, shop-web 3" in before  # the scan's fact: no answer settles it yet
        assert section(before, "staging") == ["namespace: shop-staging"]
        await type_over_first_row(app, Keys(pilot), "staging 2, prod 3")
        assert app.interview.current().id == "autoscaling"  # type: ignore[union-attr]
        after = panel(app)
        assert "replicas: shop-web 2" in section(after, "staging")
        assert "replicas: shop-web 3" in section(after, "production (runs today)")
        assert not any(line.startswith("replicas today") for line in after)  # now tied to the answer


async def test_an_hpa_and_resources_show_as_resolved_for_their_environment(repo: Path) -> None:
    app = app_at(repo, "autoscaling", answers={"differs": ["replicas", "resources", "autoscaling"],
                                               "requests": "production: cpu=250m, memory=512Mi",
                                               "limits": "production: cpu=500m, memory=1Gi"})
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        production = section(panel(app), "production (runs today)")
        assert any(line.startswith("resources: ") and "250m/512Mi–500m/1Gi" in line for line in production), production
        await type_over_first_row(app, Keys(pilot), "production shop-web 5-20 at 70%")
        production = section(panel(app), "production (runs today)")
        assert "HPA: shop-web 5–20 at 70% CPU" in production, production
        assert "count left to the HPA: shop-web" in production, production
        assert "replicas: postgres 1" in production, production  # the one-number answer leaves postgres its count


async def test_an_answer_the_resolve_stage_refuses_shows_its_message_and_the_interview_goes_on(repo: Path) -> None:
    # staging sets postgres' replicas, then says staging's postgres is external: resolve refuses the pair.
    app = app_at(repo, "services", answers={"replicas": "staging: postgres=2, shop-web=2; production: 3"})
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        assert not any(line.startswith("⚠") for line in panel(app))
        await type_over_first_row(app, Keys(pilot), "staging: postgres=external")
        lines = panel(app)
        problem = next(line for line in lines if line.startswith("⚠"))
        assert "environments[0].replicas.postgres" in problem and "uses an external postgres" in problem
        assert "7 objects in ./manifests" in lines  # the scan's facts are still there
        assert app.interview.current() is not None and app.interview.current().id == "output"
        await Keys(pilot).press("enter")  # the interview carries on
        assert app.interview.current().id != "output"  # type: ignore[union-attr]
