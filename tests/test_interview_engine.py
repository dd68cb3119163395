"""The interview engine on the question data alone: conditions, defaults from facts, going back, messages."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from wizard.core.answers.parse import parse_answers
from wizard.interview.engine import Interview
from wizard.interview.model import load_questions

QUESTIONS = load_questions()

SHOP: dict[str, Any] = {
    "source": "manifests",
    "object_count": 9,
    "files": 9,
    "namespace": "shop",
    "namespaces": ["shop"],
    "kinds": {"Deployment": 3, "StatefulSet": 1, "Service": 3, "Ingress": 1, "Secret": 1},
    "workloads": [
        {"kind": "Deployment", "name": "vote", "replicas": 2, "images": ["acme/vote:1.0"], "autoscaled": False},
        {"kind": "Deployment", "name": "api", "replicas": 3, "images": ["acme/api:1.0"], "autoscaled": False},
        {"kind": "StatefulSet", "name": "db", "replicas": 1, "images": ["postgres:16"], "autoscaled": False},
    ],
    "configmaps": ["shop-config"],
    "secrets": {"db-credentials": ["DATABASE_URL"]},
    "hosts": ["shop.example.com"],
    "backing_services": [
        {"name": "db", "kind": "StatefulSet", "evidence": "statefulset/db runs postgres:16"},
        {"name": "REDIS_URL", "kind": "env", "evidence": "REDIS_URL in deployment/api"},
    ],
    "git": {"url": "git@github.com:acme/shop.git", "branch": "trunk"},
    "has_kustomization": False,
    "app": "shop",
}


def facts(**changes: Any) -> dict[str, Any]:
    """SHOP with some facts changed."""
    out = copy.deepcopy(SHOP)
    out.update(changes)
    return out


def enter_everything(interview: Interview) -> list[str]:
    """Accept every proposed answer; the ids asked, in order."""
    asked = []
    while (ask := interview.current()) is not None:
        asked.append(ask.id)
        assert interview.answer(None) == [], ask.id
        assert len(asked) < 60, "the interview does not end"
    return asked


def answer_until(interview: Interview, question_id: str) -> None:
    """Accept defaults up to (not including) `question_id`."""
    while (ask := interview.current()) is not None and ask.id != question_id:
        assert interview.answer(None) == []
    assert interview.current() is not None, f"{question_id} was never asked"


def valid(answers: dict[str, Any], namespace: str | None = "shop") -> None:
    """The answers pass the answers-file validation the core pipeline uses."""
    parse_answers(answers, "interview", today_namespace=namespace)


def test_enter_on_everything_keeps_today_and_adds_staging() -> None:
    interview = Interview(QUESTIONS, SHOP)
    asked = enter_everything(interview)
    answers = interview.answers()
    valid(answers)
    envs = answers["environments"]
    assert [e["name"] for e in envs] == ["staging", "production"]
    production = envs[1]
    assert production["current"] is True and "current" not in envs[0]
    assert production["namespace"] == "shop"
    assert production["replicas"] == {"vote": 2, "api": 3, "db": 1}  # today's counts, untouched
    assert production["host"] == "shop.example.com"
    assert envs[0] == {
        "name": "staging",
        "namespace": "shop-staging",
        "replicas": 1,
        "host": "staging.shop.example.com",
        "services": {"db": "own", "REDIS_URL": "external"},
    }
    assert production["services"] == {"db": "own", "REDIS_URL": "own"}
    assert answers["source"] == "manifests" and answers["output"] == "k8s" and "new_app" not in answers
    assert answers["flux"] == {"url": "ssh://git@github.com/acme/shop.git", "branch": "trunk"}
    assert answers["ci"] == "github-actions"
    assert answers["secrets"] == {
        "provider": "sealed-secrets",
        "controller_name": "sealed-secrets-controller",
        "controller_namespace": "kube-system",
    }
    assert list(answers) == ["version", "app", "source", "output", "environments", "secrets", "flux", "ci"]
    assert "source" not in asked and "new_app_image" not in asked and "hosts" not in asked
    assert len(asked) <= 19  # 18, and since issue 14 "Do these environments share one cluster?"


def test_defaults_come_from_the_facts() -> None:
    interview = Interview(QUESTIONS, facts(app="bookshop", git={"url": "https://gitlab.com/acme/b.git", "branch": None}))
    first = interview.current()
    assert first is not None and first.id == "today"
    assert first.text == "I found **9 objects** in `./manifests`, all in namespace `shop`: one environment, right?"
    assert first.default is True
    interview.answer("yes")
    assert interview.current().default == "bookshop"  # type: ignore[union-attr]
    enter_everything(interview)
    answers = interview.answers()
    assert answers["app"] == "bookshop"
    assert answers["environments"][0]["namespace"] == "bookshop-staging"
    assert answers["flux"] == {"url": "https://gitlab.com/acme/b.git", "branch": "main"}
    assert answers["ci"] == "none"  # not on GitHub: no Actions workflow proposed


def test_without_manifests_it_starts_a_new_app() -> None:
    bare = {"source": None, "app": "hello", "git": {"url": None, "branch": None}}
    interview = Interview(QUESTIONS, bare)
    first = interview.current()
    assert first is not None and first.id == "source"
    assert "found no Kubernetes manifests" in first.text
    asked = enter_everything(interview)
    for skipped in ("today", "current", "keep_namespace", "host", "services", "sealed_controller_name"):
        assert skipped not in asked
    answers = interview.answers()
    assert "source" not in answers
    assert answers["new_app"] == {"image": "ghcr.io/example/hello:latest", "port": 8080}
    assert all("current" not in e for e in answers["environments"])
    assert [e["namespace"] for e in answers["environments"]] == ["hello-staging", "hello-production"]
    assert answers["secrets"] == {"provider": "none"}
    assert answers["flux"]["url"] == "https://github.com/example/hello.git"
    valid(answers, None)


def test_secret_key_names_for_a_new_app_and_no_values() -> None:
    interview = Interview(QUESTIONS, {"source": None, "app": "hello"})
    answer_until(interview, "new_app_secrets")
    assert interview.answer("DATABASE_URL and API_TOKEN") == []
    enter_everything(interview)
    assert interview.answers()["new_app"]["secrets"] == ["DATABASE_URL", "API_TOKEN"]


def test_conditions_follow_the_facts() -> None:
    several = Interview(QUESTIONS, facts(namespace=None, namespaces=["shop", "shop-db"]))
    ask = several.current()
    assert ask is not None and "in namespaces shop, shop-db: is that one environment?" in ask.text
    asked = enter_everything(several)
    assert "keep_namespace" not in asked
    assert [e["namespace"] for e in several.answers()["environments"]] == ["shop-staging", "shop-production"]

    no_ingress = Interview(QUESTIONS, facts(hosts=[], backing_services=[], secrets={}))
    asked = enter_everything(no_ingress)
    assert "host" not in asked and "hosts" not in asked and "services" not in asked
    answers = no_ingress.answers()
    assert all("host" not in e and "services" not in e for e in answers["environments"])
    assert answers["secrets"] == {"provider": "none"}

    two_hosts = Interview(QUESTIONS, facts(hosts=["api.example.com", "shop.example.com"]))
    asked = enter_everything(two_hosts)
    assert "hosts" in asked and "host" not in asked
    staging = two_hosts.answers()["environments"][0]
    assert staging["host"] == {"api.example.com": "staging.api.example.com", "shop.example.com": "staging.shop.example.com"}
    valid(two_hosts.answers())


def test_saying_no_to_today_asks_for_the_folder() -> None:
    interview = Interview(QUESTIONS, SHOP)
    assert interview.answer("nope") == []
    ask = interview.current()
    assert ask is not None and ask.id == "source" and ask.default == "manifests"
    assert interview.answer("../elsewhere") == ["'../elsewhere' leaves the repository: give a folder inside it."]
    assert interview.answer("deploy/prod") == []
    enter_everything(interview)
    assert interview.answers()["source"] == "deploy/prod"


def test_what_differs_opens_the_per_environment_questions() -> None:
    interview = Interview(QUESTIONS, facts(hosts=[]))
    answer_until(interview, "differs")
    assert interview.answer("replicas, resources, autoscaling, config and image tags") == []
    asked = enter_everything(interview)
    assert asked[:6] == ["replicas", "requests", "limits", "autoscaling", "config", "image_tag"]
    staging, production = interview.answers()["environments"]
    assert staging["resources"] == {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"memory": "256Mi"}}
    assert "resources" not in production and "autoscaling" not in production  # today's stays as it is
    valid(interview.answers())


def test_environments_free_text_and_current_choice() -> None:
    interview = Interview(QUESTIONS, SHOP)
    answer_until(interview, "environments")
    assert interview.answer("dev, stage and prod, plus qa") == []
    current = interview.current()
    assert current is not None and current.id == "current"
    assert [c.value for c in current.choices] == ["dev", "stage", "prod", "qa"]  # the names as typed
    assert current.default == "prod"  # prod plays production
    assert interview.answer("staging") == []  # the usual name of a role finds the environment
    assert interview.value("current") == "stage"
    enter_everything(interview)
    envs = interview.answers()["environments"]
    assert [e["name"] for e in envs] == ["dev", "stage", "prod", "qa"]
    assert [e.get("current", False) for e in envs] == [False, True, False, False]
    assert envs[1]["namespace"] == "shop" and envs[1]["replicas"] == {"vote": 2, "api": 3, "db": 1}
    assert envs[2]["replicas"] == {"vote": 2, "api": 3, "db": 1}  # production keeps today's size
    assert envs[0]["replicas"] == 1
    valid(interview.answers())


def test_current_defaults_to_the_last_environment_without_production() -> None:
    interview = Interview(QUESTIONS, SHOP)
    answer_until(interview, "environments")
    interview.answer(["dev", "live-eu"])
    ask = interview.current()
    assert ask is not None and ask.default == "live-eu"
    assert interview.answer("prod") == ["I did not recognise a choice in 'prod': pick one of dev, live-eu."]


def test_validation_messages() -> None:
    interview = Interview(QUESTIONS, SHOP)
    answer_until(interview, "app")
    assert interview.answer("Shop") == [
        "'Shop' is not a valid name (lower case only): use lower-case letters, digits and '-', "
        "starting and ending with a letter or digit."
    ]
    assert interview.answer("") == ["An answer is needed."]
    interview.answer("shop")
    assert interview.answer(["staging", "staging"]) == ["staging is listed twice."]
    assert interview.answer(["staging", "stage"]) == ["staging and stage both mean staging: name each environment once."]
    assert interview.answer("staging, Prod_EU") == [
        "'prod_eu' is not a valid name: use lower-case letters, digits and '-', starting and ending with a letter or digit."
    ]
    interview.answer("staging, production")
    assert interview.answer("maybe") == ["I did not recognise a choice in 'maybe': pick one of staging, production."]
    interview.answer("production")
    assert interview.answer("perhaps") == ["I read 'perhaps' as neither yes nor no."]
    interview.answer(True)
    assert interview.answer("staging: shop") == ["staging and production both have shop: each environment needs its own."]
    assert interview.answer("qa: shop-qa") == ["There is no environment 'qa' (the environments: staging, production)."]
    interview.answer(None)
    interview.answer(None)  # one cluster
    interview.answer(None)  # differs: replicas
    assert interview.answer("staging: lots") == ["staging: 'lots' is not a whole number (like 3, or 3 replicas)."]
    # the answers schema's replicaCount range (0..1000), the one `apply` checks too
    assert interview.answer("staging: 2000") == ["staging: 2000 is out of range: give a replica count from 0 to 1000."]
    assert interview.answer("staging: web=2") == ["staging: There is no workload 'web' (found: vote, api, db)."]
    assert interview.answer("staging: api=2, vote=1; prod: 4") == []
    assert interview.current().id == "host"  # type: ignore[union-attr]
    assert interview.answer("staging: https://staging.shop.example.com") == [
        "staging: 'https://staging.shop.example.com' is a URL: give the host name only, like shop.example.com."
    ]
    assert interview.answer("staging: shop.example.com") == [
        "staging and production both have shop.example.com: each environment needs its own."
    ]
    interview.answer(None)
    assert interview.answer("staging: db=copy") == ["staging: db: 'copy' is not one of: own, shared, external."]
    assert interview.answer("production: db=shared") == ["production: runs today and keeps what it has; it is not asked."]
    assert interview.answer("staging: db=shared") == []
    answer_until(interview, "flux_url")
    assert interview.answer("git@github.com:acme/shop.git") == [
        "Flux needs an ssh:// URL: write ssh://git@github.com/acme/shop.git instead of 'git@github.com:acme/shop.git'."
    ]
    interview.answer(None)
    assert interview.answer("feature..x") == ["'feature..x' is not a branch name git accepts."]
    envs = {e["name"]: e for e in interview.answers()["environments"]}
    assert envs["staging"]["replicas"] == {"api": 2, "vote": 1}
    assert envs["production"]["replicas"] == 4
    assert envs["staging"]["services"] == {"db": "shared", "REDIS_URL": "external"}


def test_check_does_not_answer() -> None:
    interview = Interview(QUESTIONS, SHOP)
    assert interview.check("maybe") == ["I read 'maybe' as neither yes nor no."]
    assert interview.check("y") == []
    assert interview.current().id == "today"  # type: ignore[union-attr]


def test_going_back_to_the_app_name_reasks_only_what_depends_on_it() -> None:
    interview = Interview(QUESTIONS, SHOP)
    answer_until(interview, "differs")
    interview.answer(["replicas", "config"])
    interview.answer("staging: 2")  # replicas
    interview.answer("staging: LOG_LEVEL=debug")  # config
    enter_everything(interview)
    before = interview.answers()

    ask = interview.goto("app")
    assert ask.answered and ask.default == "shop"
    assert interview.answer("store") == []
    assert not interview.done
    reasked = enter_everything(interview)
    # The namespaces and the fallback git URL propose names built from the app name; nothing else does.
    assert reasked == ["namespaces", "flux_url"]
    after = interview.answers()
    assert after["app"] == "store"
    assert [e["namespace"] for e in after["environments"]] == ["store-staging", "shop"]
    assert after["environments"][0]["replicas"] == 2
    assert after["environments"][0]["config"] == {"LOG_LEVEL": "debug"}
    assert {k: v for k, v in after.items() if k not in ("app", "environments")} == {
        k: v for k, v in before.items() if k not in ("app", "environments")
    }
    # The wording of later questions follows the new name without asking them again.
    assert "**store**" in next(e.text for e in interview.transcript() if e.question.id == "environments")


def test_changing_the_environments_reasks_the_per_environment_questions() -> None:
    interview = Interview(QUESTIONS, SHOP)
    enter_everything(interview)
    interview.goto("environments")
    interview.answer("staging, production, qa")
    reasked = enter_everything(interview)
    assert reasked == ["current", "namespaces", "one_cluster", "replicas", "host", "services"]
    assert [e["name"] for e in interview.answers()["environments"]] == ["staging", "production", "qa"]


def test_an_unchanged_answer_reasks_nothing() -> None:
    interview = Interview(QUESTIONS, SHOP)
    enter_everything(interview)
    interview.goto("environments")
    assert interview.answer("staging and production") == []
    assert interview.done


def test_a_question_that_stops_applying_takes_its_dependents_along() -> None:
    interview = Interview(QUESTIONS, SHOP)
    enter_everything(interview)
    interview.goto("secrets_provider")
    interview.answer("none")
    assert interview.done
    assert interview.answers()["secrets"] == {"provider": "none"}
    interview.goto("secrets_provider")
    interview.answer("sealed-secrets")
    assert enter_everything(interview) == ["sealed_controller_name", "sealed_controller_namespace", "sealed_cert"]


def test_back_steps_to_the_previous_answer_and_returns() -> None:
    interview = Interview(QUESTIONS, SHOP)
    answer_until(interview, "keep_namespace")
    assert interview.back()
    ask = interview.current()
    assert ask is not None and ask.id == "current" and ask.default == "production"
    assert interview.back()
    assert interview.current().id == "environments"  # type: ignore[union-attr]
    interview.resume()
    assert interview.current().id == "keep_namespace"  # type: ignore[union-attr]
    interview.back()
    assert interview.answer(None) == []  # same answer: carry on where we were
    assert interview.current().id == "keep_namespace"  # type: ignore[union-attr]
    fresh = Interview(QUESTIONS, SHOP)
    assert not fresh.back()


def test_goto_refuses_questions_that_do_not_apply() -> None:
    interview = Interview(QUESTIONS, SHOP)
    with pytest.raises(ValueError, match="new_app_image"):
        interview.goto("new_app_image")
    with pytest.raises(KeyError):
        interview.goto("nonsense")


def test_transcript_and_summary() -> None:
    interview = Interview(QUESTIONS, SHOP)
    answer_until(interview, "namespaces")
    transcript = interview.transcript()
    assert [(e.question.id, e.answer) for e in transcript] == [
        ("today", "yes"),
        ("app", "shop"),
        ("environments", "staging, production"),
        ("current", "production"),
        ("keep_namespace", "yes"),
    ]
    assert interview.summary()[2] == ("Environments", "staging, production")
    interview.answer(None)
    assert interview.transcript()[-1].answer == "staging: shop-staging; production: shop"


def test_draft_resumes_where_it_stopped_and_holds_only_answers() -> None:
    interview = Interview(QUESTIONS, SHOP)
    answer_until(interview, "differs")
    interview.answer(["replicas", "config"])
    interview.answer("staging: 2")
    draft = json.loads(json.dumps(interview.draft()))
    assert set(draft) == {"version", "answers", "editing", "proposed"}
    assert "db-credentials" not in json.dumps(draft)  # facts are not part of a draft
    resumed = Interview.from_draft(QUESTIONS, SHOP, draft)
    assert resumed.current().id == "config"  # type: ignore[union-attr]
    assert resumed.transcript() == interview.transcript()


def test_draft_answers_that_no_longer_fit_are_asked_again() -> None:
    interview = Interview(QUESTIONS, SHOP)
    enter_everything(interview)
    draft = interview.draft()
    draft["answers"]["namespaces"] = {"staging": "Not A Name", "production": "shop"}
    resumed = Interview.from_draft(QUESTIONS, SHOP, draft)
    assert resumed.current().id == "namespaces"  # type: ignore[union-attr]
    with pytest.raises(ValueError):
        Interview.from_draft(QUESTIONS, SHOP, {"version": 99})


def test_answers_midway_use_the_defaults() -> None:
    interview = Interview(QUESTIONS, SHOP)
    partial = interview.answers()
    enter_everything(interview)
    assert partial == interview.answers()


def test_unnamespaced_manifests_keep_running_where_kubectl_put_them() -> None:
    interview = Interview(QUESTIONS, facts(namespace=None, namespaces=[]))
    enter_everything(interview)
    envs = {e["name"]: e for e in interview.answers()["environments"]}
    # `kubectl apply` without -n used `default`: proposing a new namespace would start a second copy.
    assert envs["production"]["namespace"] == "default"
    assert envs["staging"]["namespace"] != "default"
