"""add_environment / remove_environment: pure transformations of the raw answers."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from wizard.core.answers.environments import COPIED_KEYS, add_environment, default_namespace, remove_environment
from wizard.core.answers.parse import answers_to_dict, parse_answers
from wizard.core.errors import InputError


def answers() -> dict[str, Any]:
    return {
        "version": 1,
        "app": "shop",
        "source": "manifests",
        "environments": [
            {
                "name": "staging",
                "namespace": "shop-staging",
                "replicas": {"web": 1},
                "host": "staging.shop.example.com",
                "config": {"shop-config": {"LOG_LEVEL": "debug"}},
                "image_tag": "1.5.0-rc.1",
                "resources": {"requests": {"cpu": "100m"}},
                "autoscaling": {"api": {"min": 1, "max": 2, "cpu": 80}},
                "services": {"postgres": "shared"},
            },
            {"name": "production", "namespace": "shop", "current": True},
        ],
        "flux": {"url": "https://github.com/acme/shop.git", "branch": "main"},
    }


def names(data: dict[str, Any]) -> list[str]:
    return [e["name"] for e in data["environments"]]


def test_default_position_is_before_the_current_environment() -> None:
    out = add_environment(answers(), "qa")
    assert names(out) == ["staging", "qa", "production"]
    assert out["environments"][1] == {"name": "qa", "namespace": "shop-qa"}


def test_input_is_not_changed() -> None:
    data = answers()
    snapshot = copy.deepcopy(data)
    add_environment(data, "qa", from_env="staging")
    remove_environment(data, "staging")
    assert data == snapshot


def test_after() -> None:
    assert names(add_environment(answers(), "canary", after="production")) == ["staging", "production", "canary"]
    assert names(add_environment(answers(), "dev", after="staging")) == ["staging", "dev", "production"]


def test_new_app_without_current_goes_before_the_last() -> None:
    data = answers()
    data["environments"][1].pop("current")
    assert names(add_environment(data, "qa")) == ["staging", "qa", "production"]


def test_from_copies_differences_not_identity_or_host() -> None:
    out = add_environment(answers(), "qa", from_env="staging")
    qa, staging = out["environments"][1], out["environments"][0]
    for key in COPIED_KEYS:
        assert qa.get(key) == staging.get(key)  # "values" only for a Helm app
    assert qa["name"] == "qa" and qa["namespace"] == "shop-qa"
    assert "host" not in qa and "current" not in qa
    qa["config"]["shop-config"]["LOG_LEVEL"] = "info"  # a deep copy: staging is not affected
    assert staging["config"]["shop-config"]["LOG_LEVEL"] == "debug"


def test_from_the_current_environment_does_not_copy_current() -> None:
    out = add_environment(answers(), "qa", from_env="production")
    assert out["environments"][1] == {"name": "qa", "namespace": "shop-qa"}


def test_namespace_flag_and_default_patterns() -> None:
    assert add_environment(answers(), "qa", namespace="team-qa")["environments"][1]["namespace"] == "team-qa"
    envs = [{"name": "staging", "namespace": "staging"}, {"name": "production", "namespace": "shop", "current": True}]
    assert default_namespace(envs, "qa") == "qa"
    envs = [{"name": "staging", "namespace": "staging-shop"}, {"name": "production", "namespace": "shop", "current": True}]
    assert default_namespace(envs, "qa") == "qa-shop"
    envs = [{"name": "staging"}, {"name": "production", "namespace": "prod-shop"}]
    assert default_namespace(envs, "qa") == "qa"  # 'production' does not occur in 'prod-shop'
    envs = [{"name": "dev", "namespace": "shop-dev"}, {"name": "production", "namespace": "shop-qa", "current": True}]
    assert default_namespace(envs, "qa") == "qa"  # shop-qa is taken


def test_the_result_validates_and_round_trips() -> None:
    out = add_environment(answers(), "qa", from_env="staging")
    parsed = parse_answers(out, "test")
    assert [e.name for e in parsed.environments] == ["staging", "qa", "production"]
    assert names(remove_environment(answers_to_dict(parsed), "qa")) == ["staging", "production"]


def test_remove() -> None:
    out = remove_environment(answers(), "staging")
    assert names(out) == ["production"]
    assert out["flux"] == answers()["flux"]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda d: add_environment(d, "staging"), "already exists"),
        (lambda d: add_environment(d, "Q_A"), "DNS-1123"),
        (lambda d: add_environment(d, "x" * 64), "DNS-1123"),
        (lambda d: add_environment(d, "qa", after="nope"), "no environment 'nope'"),
        (lambda d: add_environment(d, "qa", from_env="nope"), "no environment 'nope'"),
        (lambda d: add_environment(d, "qa", namespace="Bad NS"), "--namespace"),
        (lambda d: remove_environment(d, "production"), "runs today"),
        (lambda d: remove_environment(d, "nope"), "no environment 'nope' (environments: staging, production)"),
    ],
)
def test_bad_requests(call: Any, message: str) -> None:
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        call(answers())


def test_the_last_environment_cannot_go() -> None:
    data = {"environments": [{"name": "production", "namespace": "shop"}]}
    with pytest.raises(InputError, match="only environment"):
        remove_environment(data, "production")


@pytest.mark.parametrize("data", [None, [], {"environments": "staging"}, {"environments": [{"namespace": "x"}]}])
def test_malformed_answers(data: Any) -> None:
    with pytest.raises(InputError):
        add_environment(data, "qa")
    with pytest.raises(InputError):
        remove_environment(data, "qa")
