"""A Textual walk through the interview on a repository that deploys a Helm chart (Pilot, real files, real engine).

The repository is tests/fixtures/helm/create/repo (a `helm create` chart in ./chart, today's values in
deploy/values-production.yaml). The person confirms the chart, the release, the values files and the value
mapping the wizard proposes, names the namespace that runs today, and accepts the rest. The written
HelmRelease must then render, for the environment that runs today, exactly today's release.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from test_tui_support import FIXTURES, Keys, git_repo, settle, tree_bytes
from textual.widgets import Input

from wizard.tui.app import make_app
from wizard.tui.done import DoneScreen
from wizard.tui.interview import InterviewScreen, WizardSays

helm_python = pytest.importorskip("helm_python", reason="the Helm engine (helm-python-sdk, in the test extra)")


def chart_repo(root: Path) -> Path:
    """The `helm create` fixture as a git repository named web."""
    repo = root / "web"
    shutil.copytree(FIXTURES / "helm" / "create" / "repo", repo)
    return git_repo(repo)


def _render(chart: Path, values: dict[str, Any], release: str, namespace: str) -> list[dict[str, Any]]:
    with helm_python.Chart.load(str(chart)) as loaded:
        out = loaded.render(values, name=release, namespace=namespace, is_install=True)
    return sorted(
        (d for name, text in out.items() if name.endswith(".yaml") for d in yaml.safe_load_all(text) if d),
        key=lambda o: (o["kind"], o["metadata"]["name"]),
    )


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for k, v in over.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


async def test_the_interview_on_a_chart_repository_writes_a_helm_release(tmp_path: Path) -> None:
    repo = chart_repo(tmp_path / "work")
    before = tree_bytes(repo)
    app = make_app(repo)
    asked: list[str] = []
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        keys = Keys(pilot)
        for _ in range(60):
            if isinstance(app.screen, DoneScreen):
                break
            ask = app.interview.current()
            if ask is not None and (not asked or asked[-1] != ask.id):
                asked.append(ask.id)
            if isinstance(app.screen, InterviewScreen) and ask is not None and ask.id == "helm_chart":
                said = [b.source for b in app.screen.query(WizardSays)]
                assert any("Helm chart, **web** 0.1.0, in `./chart`" in s for s in said), said
            if isinstance(app.screen, InterviewScreen) and ask is not None and ask.id == "namespaces":
                for box in app.screen.query(Input):  # one Input per environment
                    if box.name == "production":
                        box.value = "web"
            await keys.press("enter")
        else:
            raise AssertionError(f"not done: on {type(app.screen).__name__}, asked {asked}")
        assert tree_bytes(repo) != before
    assert asked[:4] == ["helm_chart", "helm_release", "helm_values", "helm_paths"]
    assert "today" not in asked and "source" not in asked and "new_app_image" not in asked
    answers = yaml.safe_load((repo / ".k8s-wizard.yaml").read_text(encoding="utf-8"))
    assert answers["helm"] == {
        "chart": "./chart",
        "release": "web",
        "values": ["deploy/values-production.yaml"],
        "paths": {"autoscaling": "autoscaling", "host": "ingress.hosts[0].host", "image_tag": "image.tag",
                  "replicas": "replicaCount", "resources": "resources"},
    }
    assert "source" not in answers
    production = next(e for e in answers["environments"] if e.get("current"))
    assert production["namespace"] == "web"
    assert (repo / "k8s/base/helmrelease.yaml").is_file()
    # The environment that runs today renders exactly today's release.
    from kube import build

    objects, stderr = build(repo / "k8s/overlays/production")
    assert stderr == ""
    release = next(o for o in objects if o["kind"] == "HelmRelease")
    assert release["spec"]["releaseName"] == "web" and release["spec"]["storageNamespace"] == "web"
    values: dict[str, Any] = {}
    for ref in release["spec"]["valuesFrom"]:
        cm = next(o for o in objects if o["kind"] == "ConfigMap" and o["metadata"]["name"] == ref["name"])
        values = _merge(values, yaml.safe_load(cm["data"][ref["valuesKey"]]))
    values = _merge(values, release["spec"].get("values") or {})
    today = yaml.safe_load((repo / "deploy/values-production.yaml").read_text(encoding="utf-8"))
    assert _render(repo / "chart", values, "web", "web") == _render(repo / "chart", today, "web", "web")


def test_plain_mode_on_a_chart_repository_with_a_changed_value_mapping(tmp_path: Path) -> None:
    """`--plain` walks the same questions; a mapping typed over the proposal is what apply uses."""
    from test_plain import Script

    from wizard.core.pipeline import build, facts, load_answers, write
    from wizard.interview.facts import derive
    from wizard.plain import run_plain

    repo = tmp_path / "shop"
    shutil.copytree(FIXTURES / "helm" / "nonstandard" / "repo", repo)
    git_repo(repo)
    script = Script({
        "helm_paths": "replicas=deployment.replicas, host=web.ingress.host, image_tag=deployment.image.tag",
        "namespaces@production": "shop-prod",
        "differs": ["replicas", "image_tag"],
        "replicas@staging": "1",
        "image_tag@staging": "2.2.0",
    })
    answers = run_plain(derive(facts(repo, None)), prompt=script, echo=lambda _line: None)
    asked = [r.id for r in script.seen]
    assert asked[:4] == ["helm_chart", "helm_release", "helm_values", "helm_paths"]
    assert answers["helm"]["values"] == ["deploy/values-common.yaml", "deploy/values-prod.yaml"]
    assert answers["helm"]["paths"] == {"replicas": "deployment.replicas", "host": "web.ingress.host",
                                        "image_tag": "deployment.image.tag"}
    loaded, inventory = load_answers(repo, answers, "plain")
    outcome = build(repo, loaded, inventory)
    assert not outcome.plan.blocking
    write(repo, outcome)
    patch = yaml.safe_load((repo / "k8s/overlays/staging/patches/helmrelease.yaml").read_text(encoding="utf-8"))
    assert patch["spec"]["values"] == {"deployment": {"replicas": 1, "image": {"tag": "2.2.0"}},
                                       "web": {"ingress": {"host": "staging.shop.acme.io"}}}
    production = yaml.safe_load((repo / "k8s/overlays/production/patches/helmrelease.yaml").read_text(encoding="utf-8"))
    assert production["spec"]["releaseName"] == "shop" and production["spec"]["storageNamespace"] == "shop-prod"
    # the interview proposes today's count and host for production: set again, unchanged
    assert production["spec"]["values"] == {"deployment": {"replicas": 4}, "web": {"ingress": {"host": "shop.acme.io"}}}
