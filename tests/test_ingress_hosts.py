"""Issue 9 item 5: an Ingress without a host (a catch-all) gets a host in new environments, or the plan blocks.

Fixture tests/fixtures/catch-all-ingress (a host-less rule and a default backend), built with the real kustomize.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from conftest import ALL_CASES, Migrated, apply, make_repo
from kube import tree_bytes, tree_diff

CASES = {c.id: c for c in ALL_CASES}


def _ingresses(objects: list[dict]) -> dict[str, dict]:
    return {o["metadata"]["name"]: o["spec"] for o in objects if o["kind"] == "Ingress"}


def routes(objects: list[dict]) -> set[tuple[str, str]]:
    """(host, path) of every route an environment's Ingresses claim ('' host: every host)."""
    out = set()
    for spec in _ingresses(objects).values():
        if spec.get("defaultBackend"):
            out.add(("", "*"))
        for rule in spec.get("rules") or []:
            for p in (rule.get("http") or {}).get("paths") or []:
                out.add((rule.get("host", ""), p.get("path", "/")))
    return out


def test_staging_routes_only_its_own_host(migrate) -> None:
    m: Migrated = migrate(CASES["catch-all-ingress"])
    staging = _ingresses(m.objects("staging"))
    assert staging["blog"]["rules"][0]["host"] == "staging.blog.example.com"
    assert staging["blog-fallback"] == {
        "ingressClassName": "internal",
        "rules": [{"host": "staging.blog.example.com", "http": {"paths": [
            {"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "blog", "port": {"number": 80}}}}
        ]}}],
    }
    assert routes(m.objects("staging")) == {("staging.blog.example.com", "/")}
    assert not routes(m.objects("staging")) & routes(m.objects("production")), "no route claimed twice"


def test_without_a_host_the_plan_blocks_and_nothing_is_written(tmp_path: Path) -> None:
    answers = yaml.safe_load(yaml.safe_dump(CASES["catch-all-ingress"].answers))
    del answers["environments"][0]["host"]
    repo, answers_file = make_repo(CASES["catch-all-ingress"], tmp_path, answers)
    before = tree_bytes(tmp_path)
    result = apply(repo, answers_file)
    assert result.code == 1, result.describe()
    assert "catch-all-ingress" in result.text and "environments[0].host" in result.text
    assert tree_diff(before, tree_bytes(tmp_path)) == []
