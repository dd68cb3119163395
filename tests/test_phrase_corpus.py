"""The phrase corpus: answers as people type them, each with the value it must give or the re-ask it must cause.

A misread is worse than a question: every phrase below either gives exactly the value written next to it
or is refused with a message (the interview asks again). The figures (understood / re-asked) are printed
by `test_corpus_figures` (run with -s).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from test_interview_engine import QUESTIONS, SHOP

from wizard.core.answers.parse import parse_answers
from wizard.interview.engine import Interview

ASK = object()
"""The phrase must be refused (asked again), not read as anything."""


@dataclass(frozen=True)
class Phrase:
    question: str
    text: str
    expected: Any
    current: str = "prod"
    """Which environment runs today (staging makes prod a new environment)."""
    environments: str = "staging, prod"
    hint: str = ""
    """For a re-ask: a word the message must contain (it says what to type)."""


def at(question: str, *, environments: str = "staging, prod", current: str = "prod") -> Interview:
    """An interview on the shop facts, at `question`, with everything that differs ticked."""
    interview = Interview(QUESTIONS, SHOP)
    while (ask := interview.current()) is not None and ask.id != question:
        value: Any = None
        if ask.id == "environments":
            value = environments
        elif ask.id == "current":
            value = current
        elif ask.id == "differs":
            value = ["replicas", "resources", "autoscaling", "config", "image_tag"]
        assert interview.answer(value) == [], ask.id
    assert interview.current() is not None, f"{question} is never asked"
    return interview


TODAY = {"vote": 2, "api": 3, "db": 1}
P = Phrase
CORPUS: list[Phrase] = [
    # -- environments: names kept as typed, synonyms only recognised -------------------------------------
    P("environments", "staging and prod", ["staging", "prod"]),
    P("environments", "dev, staging and prod", ["dev", "staging", "prod"]),
    P("environments", "Staging, Production", ["staging", "production"]),
    P("environments", "qa -> staging -> live", ["qa", "staging", "live"]),
    P("environments", "dev then stg then prd", ["dev", "stg", "prd"]),
    P("environments", "staging & prod environments", ["staging", "prod"]),
    P("environments", "just production", ["production"]),
    P("environments", "prod is where it runs", ASK, hint="sentence"),
    P("environments", "stagign, prod", ASK, hint="staging"),
    P("environments", "staging, prodution", ASK, hint="production"),
    P("environments", "devlopment and prod", ASK, hint="development"),
    P("environments", '"stagign", prod', ["stagign", "prod"]),
    P("environments", "staging, stage", ASK, hint="both mean"),
    P("environments", "staging, staging", ASK, hint="twice"),
    P("environments", "Prod_EU", ASK, hint="valid name"),
    P("environments", ", and ,", ASK, hint="at least one"),
    P("environments", "3 replicas in prod", ASK, hint="environments first"),
    # -- facts given early ------------------------------------------------------------------------------
    P("environments", "staging and prod, prod on shop.io with 3 replicas",
      {"environments": ["staging", "prod"], "host": {"staging": "staging.shop.example.com", "prod": "shop.io"},
       "replicas": {"staging": 1, "prod": 3}}),
    P("environments", "staging and prod, use sops", {"environments": ["staging", "prod"], "secrets_provider": "sops"}),
    P("environments", "dev, staging, prod; staging on staging.shop.io; prod on shop.io",
      {"environments": ["dev", "staging", "prod"],
       "host": {"dev": "dev.shop.example.com", "staging": "staging.shop.io", "prod": "shop.io"}}),
    P("environments", "staging and prod, prod in namespace shop-live",
      {"environments": ["staging", "prod"], "namespaces": {"staging": "shop-staging", "prod": "shop-live"}}),
    P("environments", "staging and prod, 3 replicas", ASK, hint="Which environment"),
    P("environments", "staging and prod, prod on shop.io with lots of replicas", ASK, hint="did not understand"),
    P("environments", "staging and prod, prod is fast", ASK, hint="sentence"),
    P("environments", "staging and prod, staging on shop.example.com", ASK, hint="each environment needs its own"),
    # -- which one runs today ---------------------------------------------------------------------------
    P("current", "prod", "prod"),
    P("current", "production", "prod"),
    P("current", "the staging one", "staging"),
    P("current", "live", "prod"),
    P("current", "both", ASK),
    P("current", "not prod", ASK),
    # -- replicas ---------------------------------------------------------------------------------------
    P("replicas", "3 in prod, 1 in staging", {"staging": 1, "prod": 3}),
    P("replicas", "3 replicas in prod, 1 in staging", {"staging": 1, "prod": 3}),
    P("replicas", "prod: 4, staging: 2", {"staging": 2, "prod": 4}),
    P("replicas", "prod 4 staging 2", {"staging": 2, "prod": 4}),
    P("replicas", "staging gets 2 and production gets 5", {"staging": 2, "prod": 5}),
    P("replicas", "two in staging, five in prod", {"staging": 2, "prod": 5}),
    P("replicas", "2", {"staging": 2, "prod": 2}),
    P("replicas", "3 for prod 1 for staging", {"staging": 1, "prod": 3}),
    P("replicas", "staging 2, prod 4 pods", {"staging": 2, "prod": 4}),
    P("replicas", "prod should have 3 and staging 1", {"staging": 1, "prod": 3}),
    P("replicas", "in prod 3, in staging 1", {"staging": 1, "prod": 3}),
    P("replicas", "one replica in staging and three in prod", {"staging": 1, "prod": 3}),
    P("replicas", "prod 3 and staging", ASK, hint="What does staging get"),
    P("replicas", "2 everywhere", {"staging": 2, "prod": 2}),
    P("replicas", "3 pods", {"staging": 3, "prod": 3}),
    P("replicas", "prod 4, staging half", {"staging": 2, "prod": 4}),
    P("replicas", "prod 3, staging half", ASK, hint="whole number"),
    P("replicas", "1 in staging", {"staging": 1, "prod": TODAY}),
    P("replicas", "1 in staging, the rest 3", ASK, hint="two ways"),
    P("replicas", "1 in staging, 3 in the rest", {"staging": 1, "prod": 3}),
    P("replicas", "3 in prod and 1 in staging for the api", ASK, hint="two ways"),
    P("replicas", "3 or 4", ASK, hint="whole number"),
    P("replicas", "lots", ASK, hint="whole number"),
    P("replicas", "staging: 1, prod", ASK, hint="What does"),
    P("replicas", "1 in qa", ASK),
    P("replicas", "api=3, web=2", ASK, hint="no workload"),
    P("replicas", "api=3, vote=1", {"staging": {"api": 3, "vote": 1}, "prod": {"api": 3, "vote": 1}}),
    P("replicas", "3 in prod, 1 in staging", {"staging": 1, "dev": 1, "prod": 3}, environments="dev, staging, prod"),
    P("replicas", "1 in dev and staging, 3 in prod", {"dev": 1, "staging": 1, "prod": 3},
      environments="dev, staging, prod"),
    P("replicas", "3 in production, 1 elsewhere", {"dev": 1, "staging": 1, "prod": 3},
      environments="dev, staging, prod"),
    # -- requests (CPU and memory) ----------------------------------------------------------------------
    P("requests", "prod gets 500m CPU and 1Gi, staging half",
      {"staging": {"cpu": "250m", "memory": "512Mi"}, "prod": {"cpu": "500m", "memory": "1Gi"}}),
    P("requests", "cpu=100m, memory=128Mi", {"staging": {"cpu": "100m", "memory": "128Mi"},
                                             "prod": {"cpu": "100m", "memory": "128Mi"}}),
    P("requests", "staging: cpu=100m, memory=128Mi; prod: cpu=1, memory=2Gi",
      {"staging": {"cpu": "100m", "memory": "128Mi"}, "prod": {"cpu": "1", "memory": "2Gi"}}),
    P("requests", "half a core and 2 GiB in prod, 250m and 256Mi in staging",
      {"staging": {"cpu": "250m", "memory": "256Mi"}, "prod": {"cpu": "0.5", "memory": "2Gi"}}),
    P("requests", "prod 1 cpu 1Gi, staging the same",
      {"staging": {"cpu": "1", "memory": "1Gi"}, "prod": {"cpu": "1", "memory": "1Gi"}}),
    P("requests", "128 MiB", {"staging": {"memory": "128Mi"}, "prod": {"memory": "128Mi"}}),
    P("requests", "prod 2 cpus and 4Gi of ram, staging a quarter",
      {"staging": {"cpu": "500m", "memory": "1Gi"}, "prod": {"cpu": "2", "memory": "4Gi"}}),
    P("requests", "1GB in prod", ASK, hint="Gi"),
    P("requests", "512 memory", ASK, hint="unit"),
    P("requests", "512", ASK, hint="CPU or memory"),
    P("requests", "lots of cpu", ASK),
    P("requests", "cpu=fast", ASK, hint="quantity"),
    P("requests", "gpu=1", ASK, hint="not a resource"),
    P("requests", "none", {"staging": {}, "prod": {}}),
    # -- limits -----------------------------------------------------------------------------------------
    P("limits", "memory 512Mi in staging, 1Gi in prod", {"staging": {"memory": "512Mi"}, "prod": {"memory": "1Gi"}}),
    P("limits", "512Mi in staging, 1Gi in prod", {"staging": {"memory": "512Mi"}, "prod": {"memory": "1Gi"}}),
    P("limits", "prod 2Gi, staging double", {"staging": {"memory": "4Gi"}, "prod": {"memory": "2Gi"}}),
    P("limits", "1Gi in prod and 512Mi of memory in staging but 2 cpus", ASK, hint="two ways"),
    P("limits", "64Mi", ASK, hint="below its request"),  # staging requests 128Mi
    # -- autoscaling ------------------------------------------------------------------------------------
    P("autoscaling", "prod 2-5 at 70%, staging off",
      {"staging": None, "prod": {"min": 2, "max": 5, "cpu": 70}}),
    P("autoscaling", "off", {"staging": None, "prod": None}),
    P("autoscaling", "min=2, max=6, cpu=75 in prod", {"staging": None, "prod": {"min": 2, "max": 6, "cpu": 75}}),
    P("autoscaling", "prod: min=2, max=6, cpu=75", {"staging": None, "prod": {"min": 2, "max": 6, "cpu": 75}}),
    P("autoscaling", "up to 10", ASK, hint="min and max"),
    # -- config -----------------------------------------------------------------------------------------
    P("config", "debug logging in staging, info in prod",
      {"staging": {"LOG_LEVEL": "debug"}, "prod": {"LOG_LEVEL": "info"}}),
    P("config", "LOG_LEVEL=debug, ENV=prod", {"staging": {"LOG_LEVEL": "debug", "ENV": "prod"},
                                              "prod": {"LOG_LEVEL": "debug", "ENV": "prod"}}),
    P("config", "staging: LOG_LEVEL=debug; prod: LOG_LEVEL=warn",
      {"staging": {"LOG_LEVEL": "debug"}, "prod": {"LOG_LEVEL": "warn"}}),
    P("config", "make it verbose", ASK),
    # -- image tags -------------------------------------------------------------------------------------
    P("image_tag", "1.4.0-rc.1 in staging, 1.3.2 in prod", {"staging": "1.4.0-rc.1", "prod": "1.3.2"}),
    P("image_tag", "tag v2.0", {"staging": "v2.0", "prod": "v2.0"}),
    P("image_tag", "staging gets 1.5.0-rc1 and prod stays on 1.4.2", {"staging": "1.5.0-rc1", "prod": "1.4.2"}),
    P("image_tag", "latest in staging, v1 for prod", {"staging": "latest", "prod": "v1"}),
    P("image_tag", "1.4 or 1.5", ASK),
    # -- hosts ------------------------------------------------------------------------------------------
    P("host", "staging.shop.io for staging, shop.io for prod", {"staging": "staging.shop.io", "prod": "shop.io"}),
    P("host", "prod: shop.io, staging: staging.shop.io", {"staging": "staging.shop.io", "prod": "shop.io"}),
    P("host", "shop.io in prod", {"staging": "staging.shop.example.com", "prod": "shop.io"}),
    P("host", "shop.io for prod and staging.shop.io for staging", {"staging": "staging.shop.io", "prod": "shop.io"}),
    P("host", "https://shop.io in prod", ASK, hint="URL"),
    P("host", "shop.io", ASK, hint="each environment needs its own"),
    P("host", "qa: qa.shop.io", ASK, hint="no environment"),
    # -- namespaces -------------------------------------------------------------------------------------
    P("namespaces", "shop-stg for staging and shop for prod", {"staging": "shop-stg", "prod": "shop"}),
    P("namespaces", "staging uses shop-staging, prod keeps shop", {"staging": "shop-staging", "prod": "shop"}),
    P("namespaces", "Shop_Staging in staging", ASK, hint="valid name"),
    # -- backing services (prod is new: staging runs today) ---------------------------------------------
    P("services", "postgres is RDS in prod", {"staging": {"db": "own", "REDIS_URL": "own"},
                                              "prod": {"db": "external", "REDIS_URL": "external"}},
      current="staging"),
    P("services", "prod: db=shared", {"staging": {"db": "own", "REDIS_URL": "own"},
                                      "prod": {"db": "shared", "REDIS_URL": "external"}}, current="staging"),
    P("services", "the database is managed and redis its own in prod",
      {"staging": {"db": "own", "REDIS_URL": "own"}, "prod": {"db": "external", "REDIS_URL": "own"}},
      current="staging"),
    P("services", "postgres shared", {"staging": {"db": "own", "REDIS_URL": "own"},
                                      "prod": {"db": "shared", "REDIS_URL": "external"}}, current="staging"),
    P("services", "postgres is RDS in prod", ASK, hint="runs today"),  # prod runs today: it keeps what it has
    P("services", "mongo is external in prod", ASK, current="staging"),
    P("services", "postgres is not shared in prod", ASK, current="staging"),
    P("services", "postgres is RDS or shared in prod", ASK, current="staging"),
    # -- choices ----------------------------------------------------------------------------------------
    P("secrets_provider", "use sops", "sops"),
    P("secrets_provider", "sealed secrets please", "sealed-secrets"),
    P("secrets_provider", "SOPS", "sops"),
    P("secrets_provider", "I'll create them by hand", "none"),
    P("secrets_provider", "not sops", ASK),
    P("secrets_provider", "sops or sealed secrets", ASK),
    P("secrets_provider", "vault", ASK),
    P("ci", "github actions", "github-actions"),
    P("ci", "by hand", "none"),
    P("ci", "jenkins", ASK),
    # -- yes/no, names and others -----------------------------------------------------------------------
    P("today", "yep", True),
    P("today", "nope", False),
    P("today", "sort of", ASK),
    P("app", "shop", "shop"),
    P("app", "My Shop", ASK, hint="valid name"),
    P("flux_url", "git@github.com:acme/shop.git", ASK, hint="ssh://"),
    P("flux_url", "https://github.com/acme/shop.git", "https://github.com/acme/shop.git"),
    P("flux_branch", "main", "main"),
    P("flux_branch", "my branch", ASK),
    P("differs", "replicas and image tags", ["replicas", "image_tag"]),
    P("differs", "cpu and memory, and autoscaling", ["resources", "autoscaling"]),
    P("differs", "nothing", []),
    P("differs", "colours", ASK),
]


def _value(interview: Interview, phrase: Phrase) -> Any:
    if isinstance(phrase.expected, dict) and "environments" in phrase.expected:
        return {qid: interview.value(qid) for qid in phrase.expected}
    return interview.value(phrase.question)


@pytest.mark.parametrize("phrase", CORPUS, ids=[f"{p.question}:{p.text}" for p in CORPUS])
def test_phrase(phrase: Phrase) -> None:
    interview = at(phrase.question, environments=phrase.environments, current=phrase.current)
    messages = interview.answer(phrase.text)
    if phrase.expected is ASK:
        assert messages, f"{phrase.text!r} was read as {interview.value(phrase.question)!r}: it must be asked again"
        assert interview.current() is not None and interview.current().id == phrase.question  # type: ignore[union-attr]
        assert phrase.hint.lower() in " ".join(messages).lower(), messages
        return
    assert messages == [], f"{phrase.text!r} was refused: {messages}"
    assert _value(interview, phrase) == phrase.expected
    while interview.current() is not None:
        assert interview.answer(None) == []
    parse_answers(interview.answers(), "corpus", today_namespace="shop")


def test_corpus_figures() -> None:
    understood = sum(1 for p in CORPUS if p.expected is not ASK)
    reasked = len(CORPUS) - understood
    assert len(CORPUS) >= 80 and understood >= 40 and reasked >= 30
    print(f"phrase corpus: {len(CORPUS)} phrases, {understood} understood, {reasked} asked again, 0 misread")
