"""The core behind "What I know": draft answers resolved like `apply` resolves them, never raising, cheap per answer.

`DraftResolver.known(answers, settled)` is what both front-ends display; these tests read its result
directly (the Textual panel's tests are in test_tui_known.py).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import ALL_CASES, CANARY, PROJECT_ROOT, make_repo
from test_tui_support import shop_repo

from wizard.core.resolve import draft as draft_module
from wizard.core.resolve import known as k
from wizard.core.resolve.draft import DraftResolver
from wizard.interview.engine import Interview
from wizard.interview.model import load_questions
from wizard.tui.startup import start_facts

EVERY_TOPIC = k.EVERY_TOPIC
DESIGN = yaml.safe_load((PROJECT_ROOT / "tests" / "fixtures" / "design-example" / "answers.yaml").read_text(encoding="utf-8"))


def environment(known: k.Known, name: str) -> dict[str, str]:
    """One environment's lines as {what: value}."""
    env = next(e for e in known.environments if e.name == name)
    return dict(env.lines)


def test_the_design_example_resolves_to_its_answers_per_environment(tmp_path: Path) -> None:
    known = DraftResolver(tmp_path).known(DESIGN, EVERY_TOPIC)
    assert known.problem is None
    staging, production = environment(known, "staging"), environment(known, "production")
    assert staging["replicas"] == "my-service 2" and "HPA" not in staging
    assert production["HPA"] == "my-service 5–20 at 70% CPU" and "replicas" not in production
    assert staging["resources"] == "my-service 100m/128Mi–200m/256Mi"
    assert production["resources"] == "my-service 250m/512Mi–500m/1Gi"
    assert staging["image"] == "my-service:1.1.0-rc.2" and production["image"] == "my-service:v1.1.0"
    assert staging["host"] == "staging.my-service.example.com" and production["host"] == "my-service.example.com"
    assert staging["namespace"] == "my-service-staging" and production["namespace"] == "my-service"
    assert dict(known.app)["Secret my-service-secrets"] == "API_KEY, DATABASE_URL, JWT_SECRET"


def test_a_topic_shows_as_resolved_only_once_settled_and_as_the_scan_s_fact_before(tmp_path: Path) -> None:
    repo = shop_repo(tmp_path)
    answers = Interview(load_questions(), start_facts(repo)).answers()
    resolver = DraftResolver(repo)
    early = resolver.known(answers, {k.ENVIRONMENTS})
    assert "replicas today: postgres 1, shop-web 3" in early.found and "hosts today: shop.example.com" in early.found
    assert all(not env.lines for env in early.environments)
    late = resolver.known(answers, EVERY_TOPIC)
    assert not any(line.startswith(("replicas today", "hosts today", "namespace today")) for line in late.found)
    assert environment(late, "production")["host"] == "shop.example.com"


@pytest.mark.parametrize(
    ("edit", "where"),
    [
        (lambda a: a["environments"][0].update(replicas={"nope": 2}), "environments[0].replicas.nope"),
        (lambda a: a["environments"][0].update(host={"nowhere.example.com": "x.example.com"}), "environments[0].host"),
        (lambda a: a["environments"][0].update(replicas=2.5), "environments[0].replicas"),
        (lambda a: a.update(source="../elsewhere"), "source"),
        (lambda a: a.update(environments="staging"), "environments"),
        (lambda a: a.update(source="no-such-folder"), "no-such-folder"),
    ],
    ids=["no-such-workload", "no-such-host", "not-a-count", "source-outside", "not-a-list", "missing-folder"],
)
def test_a_refused_answer_is_a_message_never_an_exception(edit: Any, where: str, tmp_path: Path) -> None:
    repo = shop_repo(tmp_path)
    answers = copy.deepcopy(yaml.safe_load((PROJECT_ROOT / "tests" / "fixtures" / "plain-folder" / "answers.yaml").read_text()))
    edit(answers)
    known = DraftResolver(repo).known(answers, EVERY_TOPIC)
    assert known.problem is not None and where in known.problem
    assert known.environments == ()


def test_an_unexpected_failure_is_a_message_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: Any, **__: Any) -> Any:
        raise RuntimeError(f"bug holding {CANARY}")

    monkeypatch.setattr(draft_module, "resolve", broken)
    repo = shop_repo(tmp_path)
    answers = Interview(load_questions(), start_facts(repo)).answers()
    known = DraftResolver(repo).known(answers, EVERY_TOPIC)
    assert known.problem is not None and "RuntimeError" in known.problem and CANARY not in known.problem
    assert "7 objects in ./manifests" in known.found


def test_no_config_or_secret_value_is_shown(tmp_path: Path) -> None:
    answers = copy.deepcopy(DESIGN)
    answers["environments"][0]["config"] = {"LOG_LEVEL": CANARY}
    answers["new_app"]["config"]["APP_NAME"] = CANARY
    known = DraftResolver(tmp_path).known(answers, EVERY_TOPIC)
    assert known.problem is None
    assert not any(CANARY in line for line in known.lines())
    assert "LOG_LEVEL" in environment(known, "staging")["config"]


@pytest.mark.parametrize("case", ALL_CASES, ids=lambda c: c.id)
def test_every_fixture_and_real_repo_resolves_without_a_problem(case: Any, tmp_path: Path) -> None:
    repo, _ = make_repo(case, tmp_path)
    known = DraftResolver(repo).known(case.answers, EVERY_TOPIC)
    assert known.problem is None, known.problem
    assert [e.name for e in known.environments] == [e["name"] for e in case.answers["environments"]]


def test_the_scan_is_read_once_per_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    scans: list[str | None] = []
    real_scan = draft_module.scan
    monkeypatch.setattr(draft_module, "scan", lambda repo, source: scans.append(source) or real_scan(repo, source))
    repo = shop_repo(tmp_path)
    interview = Interview(load_questions(), start_facts(repo))
    resolver = DraftResolver(repo)
    while interview.current() is not None:
        resolver.known(interview.answers(), interview.settled())
        assert interview.answer(None) == []
    assert scans == ["manifests"]


def test_a_new_app_without_a_tag_answer_runs_the_base_s_image_not_today_s(tmp_path: Path) -> None:
    answers = copy.deepcopy(DESIGN)
    del answers["environments"][0]["image_tag"]
    known = DraftResolver(tmp_path).known(answers, EVERY_TOPIC)
    assert environment(known, "staging")["image"] == "the base's: my-service:1.0.0"
    assert known.found == ("a new app: 4 objects to create",)


def test_no_kustomize_build_and_no_write_for_the_panel(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import subprocess

    from wizard.core import kustomize

    def no_build(*_: Any, **__: Any) -> Any:
        raise AssertionError("the panel ran kustomize")

    monkeypatch.setattr(kustomize, "kustomize_command", no_build)
    monkeypatch.setattr(kustomize, "build_dir", no_build)
    repo = shop_repo(tmp_path)
    before = sorted(p.relative_to(repo).as_posix() for p in repo.rglob("*") if ".git" not in p.parts)
    interview = Interview(load_questions(), start_facts(repo))
    resolver = DraftResolver(repo)
    real_run = subprocess.run
    commands: list[str] = []
    monkeypatch.setattr(subprocess, "run", lambda cmd, *a, **kw: commands.append(str(cmd[0])) or real_run(cmd, *a, **kw))
    while interview.current() is not None:
        assert resolver.known(interview.answers(), interview.settled()).problem is None
        assert interview.answer(None) == []
    assert set(commands) <= {"git"}  # the remote and branch, read once
    assert sorted(p.relative_to(repo).as_posix() for p in repo.rglob("*") if ".git" not in p.parts) == before


def test_a_refused_proposal_of_a_question_not_asked_yet_says_so(tmp_path: Path) -> None:
    """Manifests at the repository's root: the proposed output folder is inside the source folder."""
    repo = shop_repo(tmp_path)
    for path in (repo / "manifests").iterdir():
        path.rename(repo / path.name)
    facts = start_facts(repo)
    assert facts["source"] == "."
    interview = Interview(load_questions(), facts)
    known = DraftResolver(repo).known(interview.answers(), interview.settled())
    assert known.problem is not None and known.problem.startswith("not asked yet, but the proposal for output would be refused")
    assert "7 objects in ./." in known.found
    answered = DraftResolver(repo).known(interview.answers(), {"output"})
    assert answered.problem is not None and answered.problem.startswith("your answers: output: ")


def test_today_s_hpa_kept_in_an_environment_shows_as_its_hpa_on_a_real_repo(tmp_path: Path) -> None:
    case = next((c for c in ALL_CASES if c.id == "real-podinfo-kustomize"), None)
    if case is None:
        pytest.skip("../shared/fixtures/real is absent")
    repo, _ = make_repo(case, tmp_path)
    known = DraftResolver(repo).known(case.answers, EVERY_TOPIC)
    assert environment(known, "staging")["HPA"] == "podinfo 2–4 (today's)"
    assert "replicas" not in environment(known, "staging")


@pytest.mark.parametrize(("url", "shown"), [
    ("ssh://git@github.com/acme/shop.git", "ssh://git@github.com/acme/shop.git"),
    ("ssh://deploy:hunter2@git.example.com/shop.git", "ssh://***@git.example.com/shop.git"),
    ("https://ghp_token123@github.com/acme/shop.git", "***@github.com/acme/shop.git"),
    ("https://user:pass@github.com/acme/shop.git", "***@github.com/acme/shop.git"),
    ("https://github.com/acme/shop.git", "github.com/acme/shop.git"),
])
def test_the_panel_hides_credentials_but_not_an_ssh_login_name(url: str, shown: str) -> None:
    assert k.masked(url) == shown
