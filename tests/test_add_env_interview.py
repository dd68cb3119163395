"""`add-env` in a terminal asks the new environment's questions, and only those (scripted prompts, real kustomize)."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import applied_copy, own_cases, run_cli
from kube import build, tree_bytes, tree_diff

from wizard.cli import main
from wizard.commands import envs
from wizard.core.answers.environments import add_environment
from wizard.core.answers.parse import ANSWERS_FILE
from wizard.core.pipeline import facts
from wizard.interview.newenv import NewEnvironment, new_environment_questions
from wizard.plain import HELP, PromptRequest

PER_ENVIRONMENT = {"namespaces", "replicas", "requests", "limits", "autoscaling", "config", "image_tag", "host", "services"}
"""plain-folder's saved answers make every one of these apply (hosts: it has one Ingress host, not several)."""


class Terminal(io.StringIO):
    """Standard input that says it is a terminal; what it holds answers the final confirmation."""

    def isatty(self) -> bool:
        return True


class Script:
    """A prompt function answering by question id; unscripted questions keep the proposal."""

    def __init__(self, answers: dict[str, Any] | None = None) -> None:
        self.answers = {k: list(v) if isinstance(v, tuple) else [v] for k, v in (answers or {}).items()}
        self.seen: list[PromptRequest] = []

    def __call__(self, request: PromptRequest) -> Any:
        self.seen.append(request)
        queue = self.answers.get(request.id)
        return queue.pop(0) if queue else request.default


def never(request: PromptRequest) -> Any:
    raise AssertionError(f"asked {request.id} although add-env was not to interview")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """plain-folder migrated: staging and production (the one running today)."""
    case = next(c for c in own_cases() if c.id == "plain-folder")
    return applied_copy(case, tmp_path)[0]  # applied once in the run, copied for each test


def saved(root: Path) -> dict[str, Any]:
    return yaml.safe_load((root / ANSWERS_FILE).read_text(encoding="utf-8"))


def add_env(root: Path, *argv: str, prompt: Any, stdin: io.StringIO | None = None) -> tuple[int, str]:
    """`k8s-wizard add-env ...` through the real argument parser, with `prompt` as the questionary prompts."""
    out = io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(envs, "QuestionaryPrompt", lambda: prompt)
        with contextlib.redirect_stderr(out):
            code = main(["add-env", *argv, "--repo", str(root)], stdin=stdin or Terminal("y\n"), stdout=out)
    return code, out.getvalue()


def test_only_the_new_environments_questions_are_asked(repo: Path) -> None:
    before = saved(repo)
    script = Script({
        "namespaces": "shop-qa",
        "replicas": "2",
        "requests": "cpu=50m, memory=64Mi",
        "limits": "memory=128Mi",
        "config": "LOG_LEVEL=info",
        "image_tag": "1.5.0-rc.2",
        "host": "qa.shop.example.com",
        "services": "postgres=shared",
    })
    code, out = add_env(repo, "qa", prompt=script)
    assert code == 0, out

    assert {r.id for r in script.seen} == PER_ENVIRONMENT
    assert len(script.seen) == len(PER_ENVIRONMENT)  # each once: every answer was accepted
    for request in script.seen:
        assert request.environment == "qa"
        shown = " ".join([request.message, request.text, str(request.default)])
        assert "staging" not in shown and "production" not in shown, (request.id, shown)

    after = saved(repo)
    by_name = {e["name"]: e for e in after["environments"]}
    assert list(by_name) == ["staging", "qa", "production"]
    assert by_name["staging"] == {e["name"]: e for e in before["environments"]}["staging"]
    assert by_name["production"] == {e["name"]: e for e in before["environments"]}["production"]
    assert by_name["qa"] == {
        "name": "qa",
        "namespace": "shop-qa",
        "replicas": 2,
        "resources": {"requests": {"cpu": "50m", "memory": "64Mi"}, "limits": {"memory": "128Mi"}},
        "config": {"LOG_LEVEL": "info"},
        "image_tag": "1.5.0-rc.2",
        "host": "qa.shop.example.com",
        "services": {"postgres": "shared"},
    }

    objects, stderr = build(repo / "k8s" / "overlays" / "qa")
    assert stderr.strip() == ""
    namespaced = [o for o in objects if o["kind"] != "Namespace"]
    assert namespaced and {o["metadata"].get("namespace") for o in namespaced} == {"shop-qa"}
    web = next(o for o in objects if o["kind"] == "Deployment" and o["metadata"]["name"] == "shop-web")
    assert web["spec"]["replicas"] == 2
    assert web["spec"]["template"]["spec"]["containers"][0]["image"].endswith(":1.5.0-rc.2")
    assert web["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]["memory"] == "128Mi"
    config = next(o for o in objects if o["kind"] == "ConfigMap")
    assert config["data"]["LOG_LEVEL"] == "info"
    ingress = next(o for o in objects if o["kind"] == "Ingress")
    assert [r["host"] for r in ingress["spec"]["rules"]] == ["qa.shop.example.com"]
    flux = yaml.safe_load((repo / "k8s" / "flux" / "qa.yaml").read_text(encoding="utf-8"))
    assert flux["spec"]["dependsOn"] == [{"name": "shop-staging"}]
    production = yaml.safe_load((repo / "k8s" / "flux" / "production.yaml").read_text(encoding="utf-8"))
    assert production["spec"]["dependsOn"] == [{"name": "shop-qa"}]


def test_accepting_every_proposal_gives_a_working_environment(repo: Path) -> None:
    script = Script()
    code, out = add_env(repo, "qa", prompt=script)
    assert code == 0, out
    qa = next(e for e in saved(repo)["environments"] if e["name"] == "qa")
    assert qa["namespace"] == "shop-qa" and qa["host"] == "qa.shop.example.com"
    assert qa["replicas"] == 1 and qa["services"] == {"postgres": "own"}
    objects, stderr = build(repo / "k8s" / "overlays" / "qa")
    assert stderr.strip() == "" and any(o["kind"] == "StatefulSet" for o in objects)
    assert run_cli("validate", "--repo", str(repo)).code == 0


def test_a_rejected_answer_is_asked_again_with_the_engines_message(repo: Path) -> None:
    script = Script({
        "namespaces": ("shop-staging", "shop-qa"),  # staging's namespace: refused
        "replicas": ("lots", "3"),
        "host": ("not a host", "qa.shop.example.com"),
        "image_tag": (HELP, ""),
    })
    code, out = add_env(repo, "qa", prompt=script)
    assert code == 0, out
    asked = [r.id for r in script.seen]
    assert asked.count("namespaces") == 2 and asked.count("replicas") == 2 and asked.count("host") == 2
    assert "staging and qa both have shop-staging: each environment needs its own." in out
    assert "qa: 'lots' is not a whole number (like 3, or 3 replicas)." in out
    assert "Pinning a tag per environment" in out  # the help of image_tag, asked for with ?
    request = next(r for r in script.seen if r.id == "replicas")
    assert request.validate("lots") == ["qa: 'lots' is not a whole number (like 3, or 3 replicas)."]
    assert request.validate("2") == []
    qa = next(e for e in saved(repo)["environments"] if e["name"] == "qa")
    assert qa["namespace"] == "shop-qa" and qa["replicas"] == 3 and "image_tag" not in qa


@pytest.mark.parametrize("flags", [["--yes"], ["--namespace", "team-qa", "--yes"], ["--from", "staging", "--yes"]])
def test_flags_mean_no_questions(repo: Path, flags: list[str]) -> None:
    code, out = add_env(repo, "qa", *flags, prompt=never)
    assert code == 0, out
    assert "qa" in [e["name"] for e in saved(repo)["environments"]]


@pytest.mark.parametrize("flags", [["--namespace", "team-qa"], ["--from", "staging"]])
def test_namespace_or_from_in_a_terminal_skip_the_questions_but_confirm(repo: Path, flags: list[str]) -> None:
    code, out = add_env(repo, "qa", *flags, prompt=never, stdin=Terminal("y\n"))
    assert code == 0, out
    assert "[y/N]" in out


def test_no_terminal_no_questions(repo: Path) -> None:
    before = tree_bytes(repo)
    code, out = add_env(repo, "qa", prompt=never, stdin=io.StringIO(""))
    assert code == 1 and "no terminal to confirm on" in out
    assert tree_diff(before, tree_bytes(repo)) == []


def test_cancelling_writes_nothing(repo: Path) -> None:
    before = tree_bytes(repo)
    code, out = add_env(repo, "qa", prompt=lambda r: None if r.id == "replicas" else r.default)
    assert code == 130, out
    assert tree_diff(before, tree_bytes(repo)) == []


def test_declining_the_write_writes_nothing(repo: Path) -> None:
    before = tree_bytes(repo)
    code, out = add_env(repo, "qa", prompt=Script(), stdin=Terminal("n\n"))
    assert code == 1, out
    assert tree_diff(before, tree_bytes(repo)) == []


def test_defaults_come_from_the_copied_environment(repo: Path) -> None:
    """The pure questions: with --from, the proposals are what was copied; identity and host are the new one's."""
    data = add_environment(saved(repo), "qa", from_env="staging")
    questions = {q.id: q for q in new_environment_questions(data, "qa", facts(repo, "manifests"))}
    assert questions["image_tag"].default == "1.5.0-rc.1"
    assert questions["replicas"].default == "1"
    assert questions["requests"].default == "cpu=100m, memory=128Mi"
    assert questions["namespaces"].default == "shop-qa"
    assert questions["host"].default == "qa.shop.example.com"
    assert "config" not in questions  # staging's per-ConfigMap form was copied as it is, not asked again
    assert {q.environment for q in questions.values()} == {"qa"}


def test_a_new_environment_with_nothing_that_differs_is_asked_only_what_it_must(repo: Path) -> None:
    """Nothing differs between the saved environments: only the namespace, host and backing services."""
    data = saved(repo)
    for env in data["environments"]:
        for key in ("replicas", "resources", "config", "image_tag", "autoscaling"):
            env.pop(key, None)
    session = NewEnvironment(add_environment(data, "qa"), "qa", facts(repo, "manifests"))
    assert {q.id for q in session.questions()} == {"namespaces", "host", "services"}
    assert session.answer("namespaces", "shop") == ["qa and production both have shop: each environment needs its own."]
    with pytest.raises(KeyError):
        session.answer("replicas", "2")
    assert session.answer("namespaces", "qa-ns") == []
    qa = next(e for e in session.answers()["environments"] if e["name"] == "qa")
    assert qa == {"name": "qa", "namespace": "qa-ns"}
