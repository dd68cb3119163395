"""Write screenshots/{interview,plan,preview,done,helm,compare}.svg from the app itself (`run_test` + `save_screenshot`).

Usage: python scripts/screenshots.py [--size 100x32]. The repository shown is tests/fixtures/plain-folder,
copied to a temporary folder named `shop` with a git remote, so the pictures are the same on every machine;
helm.svg is the interview on tests/fixtures/helm/create/repo (a chart repository, copied as `web`).
The compare view is taken on a second run on `shop`, after a hand edit to the staging overlay (an env var in a
patch of its own), so it shows differences from the answers and an unexplained one.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from wizard.tui.app import WizardApp, make_app  # noqa: E402
from wizard.tui.compare import CompareScreen  # noqa: E402
from wizard.tui.done import DoneScreen  # noqa: E402
from wizard.tui.plan import PlanScreen  # noqa: E402
from wizard.tui.preview import PreviewScreen  # noqa: E402
from wizard.tui.startup import STATE_DIR_ENV  # noqa: E402


def fixture_repo(root: Path) -> Path:
    """The plain-folder fixture as a git repository named shop."""
    repo = root / "shop"
    shutil.copytree(ROOT / "tests" / "fixtures" / "plain-folder" / "manifests", repo / "manifests")
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    subprocess.run(["git", "-C", str(repo), "remote", "add", "origin", "https://github.com/acme/shop.git"], check=True)
    return repo


async def settle(pilot: Any) -> None:
    """Let the screen update and the workers finish."""
    await pilot.pause()
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def shoot(app: WizardApp, out: Path, size: tuple[int, int]) -> list[Path]:
    """Accept every default, saving a screenshot of each screen on the way."""
    written: list[Path] = []

    def save(name: str) -> None:
        written.append(Path(app.save_screenshot(filename=f"{name}.svg", path=str(out))))

    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        shots = {"interview": False, "plan": False, "preview": False}
        for _ in range(60):
            ask = app.interview.current()
            if not shots["interview"] and ask is not None and ask.id == "replicas":
                save("interview")
                shots["interview"] = True
            if not shots["plan"] and isinstance(app.screen, PlanScreen):
                save("plan")
                shots["plan"] = True
            if not shots["preview"] and isinstance(app.screen, PreviewScreen):
                save("preview")
                shots["preview"] = True
            if isinstance(app.screen, DoneScreen):
                save("done")
                break
            await pilot.press("enter")
            await settle(pilot)
        else:
            raise SystemExit("the run did not reach the done screen")
    return written


def chart_repo(root: Path) -> Path:
    """The `helm create` fixture (tests/fixtures/helm/create/repo) as a git repository named web."""
    repo = root / "web"
    shutil.copytree(ROOT / "tests" / "fixtures" / "helm" / "create" / "repo", repo)
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    subprocess.run(["git", "-C", str(repo), "remote", "add", "origin", "https://github.com/acme/web.git"], check=True)
    return repo


async def shoot_helm(app: WizardApp, out: Path, size: tuple[int, int]) -> list[Path]:
    """The interview on a chart repository, at the question that confirms the chart value mapping."""
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        for _ in range(10):
            ask = app.interview.current()
            if ask is not None and ask.id == "helm_paths":
                return [Path(app.save_screenshot(filename="helm.svg", path=str(out)))]
            await pilot.press("enter")
            await settle(pilot)
    raise SystemExit("the Helm interview did not reach the value mapping question")


HAND_EDIT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop-web
spec:
  template:
    spec:
      containers:
        - name: web
          env:
            - name: TRACE_SQL
              value: "on"
"""


async def shoot_compare(repo: Path, out: Path, size: tuple[int, int]) -> Path:
    """After a hand edit to staging: the saved answers, the plan, then `c` (Compare environments)."""
    overlay = repo / "k8s" / "overlays" / "staging"
    (overlay / "patches" / "debug-env.yaml").write_text(HAND_EDIT, encoding="utf-8")
    kustomization = overlay / "kustomization.yaml"
    kustomization.write_text(kustomization.read_text(encoding="utf-8") + "  - path: patches/debug-env.yaml\n",
                             encoding="utf-8")
    app = make_app(repo)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        for _ in range(60):
            if isinstance(app.screen, PlanScreen):
                break
            await pilot.press("enter")
            await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        screen = app.screen
        if not isinstance(screen, CompareScreen) or screen.report is None or not screen.report.unexplained:
            raise SystemExit("the compare view did not show the hand edit")
        table = screen.query_one("#drift")
        table.move_cursor(row=screen.report.differences.index(screen.report.unexplained[0]))  # type: ignore[attr-defined]
        await settle(pilot)
        return Path(app.save_screenshot(filename="compare.svg", path=str(out)))


def main() -> int:
    """Take the four screenshots."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", default="100x32", help="terminal size, WIDTHxHEIGHT")
    parser.add_argument("--out", type=Path, default=ROOT / "screenshots")
    args = parser.parse_args()
    width, height = (int(n) for n in args.size.split("x"))
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="k8s-wizard-shots-") as tmp:
        os.environ[STATE_DIR_ENV] = str(Path(tmp) / "state")
        repo = fixture_repo(Path(tmp))
        written = asyncio.run(shoot(make_app(repo), args.out, (width, height)))
        written += asyncio.run(shoot_helm(make_app(chart_repo(Path(tmp))), args.out, (width, height)))
        written.append(asyncio.run(shoot_compare(repo, args.out, (width, height))))
        for path in written:
            print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
