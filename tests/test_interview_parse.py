"""Free-text understanding, the validators and the expression language."""

from __future__ import annotations

import pytest

from wizard.interview import parse, sentences, validators
from wizard.interview.expr import ExpressionError, Scope, check_expression, condition, evaluate, render
from wizard.interview.facts import derive, flux_url


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("staging and prod, plus qa", ["staging", "prod", "qa"]),
        ("dev, stage, prod", ["dev", "stage", "prod"]),
        ("Test & Live", ["test", "live"]),
        ("staging -> production", ["staging", "production"]),
        ("we have staging and prod", ["staging", "prod"]),
        ("uat then prod-eu", ["uat", "prod-eu"]),
    ],
)
def test_environment_lists(text: str, expected: list[str]) -> None:
    assert parse.parse_environments(text) == expected


def test_an_empty_environment_list_says_what_to_type() -> None:
    with pytest.raises(parse.ParseError, match="at least one environment"):
        parse.parse_environments(" and , ")


@pytest.mark.parametrize(("text", "expected"), [("Yes", True), ("y", True), ("right", True), ("nope", False), ("N", False)])
def test_yes_no(text: str, expected: bool) -> None:
    assert parse.parse_yes_no(text) is expected


def test_numbers_replicas_quantities_mappings() -> None:
    assert parse.parse_int("3 replicas") == 3
    assert parse.parse_int("three") == 3
    assert parse.parse_replicas("3") == 3
    assert parse.parse_replicas("api=3, web: 2") == {"api": 3, "web": 2}
    assert parse.parse_quantity("128 MiB") == "128Mi"
    assert parse.parse_quantity("0.5") == "0.5"
    assert parse.parse_mapping("LOG_LEVEL=debug, URL=http://x:8080/a=b") == {"LOG_LEVEL": "debug", "URL": "http://x:8080/a=b"}
    assert parse.parse_mapping("none") == {}
    assert parse.parse_autoscaling("2-5 at 70%") == {"min": 2, "max": 5, "cpu": 70}
    assert parse.parse_autoscaling("min=1, max=3") == {"min": 1, "max": 3, "cpu": 80}
    assert parse.parse_autoscaling("off") is None
    with pytest.raises(parse.ParseError):
        parse.parse_int("lots")


def test_per_environment_splitting() -> None:
    envs = ["staging", "production"]
    assert sentences.split("staging: 1, prod: 3", envs) == {"staging": "1", "production": "3"}
    assert sentences.split("staging: cpu=1, memory=1Gi; production: cpu=2", envs) == {
        "staging": "cpu=1, memory=1Gi",
        "production": "cpu=2",
    }
    assert sentences.split("3 in prod, 1 in staging", envs) == {"production": "3", "staging": "1"}
    assert not sentences.names_environments("2", envs) and not sentences.names_environments("db=own", envs)
    assert not sentences.names_environments("staging.shop.io, shop-production", envs)
    with pytest.raises(parse.ParseError, match="two ways"):
        sentences.split("3 in prod, staging 1", envs)


def test_show_reads_back() -> None:
    for value in ({"api": 3, "web": 2}, ["staging", "production"]):
        text = parse.show(value)
        assert (parse.parse_replicas(text) if isinstance(value, dict) else parse.parse_environments(text)) == value
    assert parse.show(True) == "yes"


@pytest.mark.parametrize(
    ("name", "value", "ok"),
    [
        ("dns_label", "shop-staging", True),
        ("dns_label", "-shop", False),
        ("dns_label", "a" * 64, False),
        ("host", "*.example.com", True),
        ("host", "shop.example.com:443", False),
        ("quantity", "128Mi", True),
        ("quantity", "128MB", False),
        ("quantity", "100m", True),
        ("git_url", "https://github.com/acme/shop.git", True),
        ("git_url", "ssh://git@github.com/acme/shop.git", True),
        ("git_url", "git@github.com:acme/shop.git", False),
        ("git_ref", "release/1.2", True),
        ("git_ref", "bad branch", False),
        ("path", "k8s/apps", True),
        ("path", "/etc", False),
        ("image", "ghcr.io/acme/shop:1.2.3", True),
        ("image", "Shop Image", False),
        ("image_tag", "v1.2.3", True),
        ("config_key", "LOG_LEVEL", True),
        ("config_key", "LOG LEVEL", False),
    ],
)
def test_validators(name: str, value: str, ok: bool) -> None:
    result, message = validators.validator(name)(value)
    assert result is ok
    assert (message == "") is ok


def test_int_range_and_bad_specs() -> None:
    check = validators.validator({"int_range": [1, 10]})
    assert check("10") == (True, "")
    assert check("11") == (False, "11 is out of range: give a number from 1 to 10.")
    with pytest.raises(ValueError, match="needs arguments"):
        validators.validator("int_range")
    with pytest.raises(ValueError, match="unknown validator"):
        validators.validator("shiny")


def test_expressions() -> None:
    scope = Scope(derive({"hosts": ["a.example.com"], "app": "shop"}), {"environments": ["staging", "production"]})
    assert evaluate({"from": "facts.namespace", "default": {"format": "{app}-ns"}}, scope) == "shop-ns"
    assert evaluate({"from": "answers.environments", "pick": "last"}, scope) == "production"
    assert evaluate({"from": "answers.environments", "each": {"format": "{item}!"}}, scope) == ["staging!", "production!"]
    env = scope.with_env({"name": "staging", "current": False})
    assert evaluate({"from": "facts.hosts", "to_map": {"format": "{env.name}.{item}"}}, env) == {
        "a.example.com": "staging.a.example.com"
    }
    assert condition({"contains": ["answers.environments", "production"]}, scope)
    assert condition({"all": ["facts.host", {"not": "facts.multi_host"}]}, scope)
    assert not condition({"equals": ["env.name", "production"]}, env)
    assert render("{environments} for {facts.app}", scope) == "staging, production for shop"
    with pytest.raises(ExpressionError):
        check_expression({"from": "os.system"})


def test_git_remotes_become_urls_flux_reads() -> None:
    assert flux_url("git@github.com:acme/shop.git") == "ssh://git@github.com/acme/shop.git"
    assert flux_url("https://github.com/acme/shop.git") == "https://github.com/acme/shop.git"
    assert derive({"workloads": [{"name": "a", "replicas": 2}, {"name": "b", "replicas": 2}]})["replicas_today"] == 2
