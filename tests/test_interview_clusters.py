"""The interview's cluster questions: "Do these environments share one cluster?" and, only when not, the names."""

from __future__ import annotations

from test_interview_engine import QUESTIONS, SHOP, answer_until, enter_everything, valid

from wizard.core.answers.parse import parse_answers
from wizard.interview.engine import Interview
from wizard.interview.saved import answer_values


def test_enter_keeps_one_cluster() -> None:
    interview = Interview(QUESTIONS, SHOP)
    asked = enter_everything(interview)
    assert "one_cluster" in asked and "clusters" not in asked
    answers = interview.answers()
    assert all("cluster" not in e for e in answers["environments"])
    valid(answers)


def test_separate_clusters_are_named_per_environment() -> None:
    interview = Interview(QUESTIONS, SHOP)
    answer_until(interview, "one_cluster")
    assert interview.answer("no") == []
    ask = interview.current()
    assert ask is not None and ask.id == "clusters"
    assert [ask.shown_default_for(env) for env in ("staging", "production")] == ["staging", "production"]
    assert interview.answer({"staging": "east", "production": "west"}) == []
    enter_everything(interview)
    answers = interview.answers()
    assert [(e["name"], e["cluster"]) for e in answers["environments"]] == [("staging", "east"), ("production", "west")]
    parsed = parse_answers(answers, "interview", today_namespace="shop")
    assert parsed.multi_cluster and parsed.clusters == ("east", "west")


def test_a_bad_cluster_name_is_refused() -> None:
    interview = Interview(QUESTIONS, SHOP)
    answer_until(interview, "one_cluster")
    interview.answer("no")
    assert interview.answer({"staging": "Non Prod", "production": "prod"}) != []


def test_saved_clusters_start_the_interview() -> None:
    saved = {
        "version": 1, "app": "shop", "source": "manifests",
        "environments": [{"name": "staging", "namespace": "shop-staging", "cluster": "nonprod"},
                         {"name": "production", "namespace": "shop", "current": True, "cluster": "prod"}],
    }
    values = answer_values(QUESTIONS, SHOP, saved)
    assert values["one_cluster"] is False
    assert values["clusters"] == {"staging": "nonprod", "production": "prod"}
    saved_one = {**saved, "environments": [{k: v for k, v in e.items() if k != "cluster"} for e in saved["environments"]]}
    assert answer_values(QUESTIONS, SHOP, saved_one)["one_cluster"] is True
