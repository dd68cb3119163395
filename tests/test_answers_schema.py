"""Answers schema version 1 is one definition: the core, the interview, editors and the README agree on it.

The schema is `wizard/core/answers/schema.json`. An editor validates with the file alone (plain jsonschema
here, as a YAML language server would); `apply` refuses what it refuses, naming the key path (exit 2); the
interview's validators take their patterns and ranges from it; `k8s-wizard schema` prints it; the written
answers file points editors at a copy written beside it.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from conftest import ALL_CASES, CANARY, PROJECT_ROOT, applied_copy, apply, make_repo, run_cli
from test_interview_engine import QUESTIONS, SHOP, answer_until

from wizard.core.answers import schema
from wizard.core.answers.parse import ANSWERS_FILE, parse_answers
from wizard.core.errors import InputError
from wizard.interview import validators
from wizard.interview.engine import Interview

SCHEMA_PATH = PROJECT_ROOT / "wizard" / "core" / "answers" / "schema.json"
CASES = {c.id: c for c in ALL_CASES}
LONG_LABEL = "a" * 70
LONG_HOST = f"{LONG_LABEL}.example.com"


def editor_validator() -> jsonschema.Draft7Validator:
    """The schema file as an editor reads it: the file alone, standard draft-07."""
    return jsonschema.Draft7Validator(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))


def test_the_schema_file_is_a_draft7_schema() -> None:
    jsonschema.Draft7Validator.check_schema(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))


@pytest.mark.parametrize("case_id", sorted(CASES))
def test_every_fixture_answers_file_is_valid_for_an_editor_and_for_the_core(case_id: str) -> None:
    answers = CASES[case_id].answers
    errors = [e.message for e in editor_validator().iter_errors(answers)]
    assert errors == [], f"{case_id}: the schema refuses answers apply accepts: {errors}"
    schema.check(answers, case_id)


def _answers_with_host(host: Any) -> dict[str, Any]:
    answers = copy.deepcopy(CASES["plain-folder"].answers)
    answers["environments"][0]["host"] = host
    return answers


@pytest.mark.parametrize("host", [LONG_HOST, {"shop.example.com": LONG_HOST}], ids=["string", "mapping"])
def test_a_70_character_host_label_fails_in_the_core_for_editors_and_in_the_interview(host: Any, tmp_path: Path) -> None:
    answers = _answers_with_host(host)
    where = "environments[0].host" + (".shop.example.com" if isinstance(host, dict) else "")
    # the core, through the real command: exit 2, the key path named, nothing written
    repo, answers_file = make_repo(CASES["plain-folder"], tmp_path, answers)
    result = apply(repo, answers_file)
    assert result.code == 2, result.describe()
    assert f"{where}: " in result.err and "at most 63" in result.err, result.err
    assert not (repo / "k8s").exists() and not (repo / ANSWERS_FILE).exists()
    # an editor, with the schema file alone
    assert list(editor_validator().iter_errors(answers)), "the schema file accepts a 70-character host label"
    # the interview's validator, and the interview itself at the host question
    ok, message = validators.host(LONG_HOST)
    assert not ok and "70 characters" in message
    interview = Interview(QUESTIONS, SHOP)
    answer_until(interview, "host")
    errors = interview.answer(f"staging: {LONG_HOST}")
    assert errors and "70 characters" in errors[0], errors
    assert interview.answer("staging: staging.example.com") == []  # a 63-character-or-less label passes


# (interview validator, schema definition, values): the interview accepts a value exactly when the schema does.
AGREEMENT = [
    ("dns_label", "dnsLabel", ["shop", "a" * 63, "a" * 64, "Shop", "shop-", "-shop", "s", "shop_eu", "1shop"]),
    ("host", "hostName", ["shop.example.com", "*.example.com", LONG_HOST, f"{'a' * 63}.io", "Shop.example.com",
                          "shop..example.com", "shop.example.com.", "a-.example.com", "x"]),
    ("quantity", "quantity", ["100m", "0.5", "128Mi", "1Gi", "1e3", "100x", "128MB", "Mi", ""]),
    ("image_tag", "imageTag", ["1.4.0", "v1.4.0-rc.1", "latest", "_x", ".x", "-x", "a" * 128, "a" * 129, "a b"]),
    ("config_key", "configKey", ["LOG_LEVEL", "app.properties", "a-b", "a b", "a/b", ""]),
    ("image", "imageReference", ["ghcr.io/acme/api:1.0.0", "nginx", "localhost:5000/app", "Acme/App", "a b", "x@sha256:12"]),
    ("git_url", "gitUrl", ["https://github.com/acme/shop.git", "ssh://git@github.com/acme/shop.git", "http://h",
                           "git@github.com:acme/shop.git", "ftp://h/x", "https://"]),
    ("git_ref", "gitBranch", ["main", "release/1.2", "feature..x", "-x", "x/", "x.lock", "a b", "a+b", "x//y", "a@{b"]),
    ("path", "relativePath", ["k8s", "deploy/k8s", "/abs", "../up", "a/../b", "a\\b", "C:/x", ""]),
]


@pytest.mark.parametrize(("name", "definition", "values"), AGREEMENT, ids=[a[0] for a in AGREEMENT])
def test_the_interview_accepts_exactly_what_the_schema_accepts(name: str, definition: str, values: list[str]) -> None:
    check = validators.validator(name)
    for value in values:
        interview_ok = check(value)[0]
        schema_ok = schema.refusal(definition, value) is None
        assert interview_ok == schema_ok, f"{name}({value!r}): interview {interview_ok}, schema {schema_ok}"
    assert any(check(v)[0] for v in values) and not all(check(v)[0] for v in values), "the table tests nothing"


@pytest.mark.parametrize(("name", "definition"), [("replicas", "replicaCount"), ("port", "port")])
def test_interview_ranges_are_the_schema_ranges(name: str, definition: str) -> None:
    low, high = schema.limits(definition)
    check = validators.validator(name)
    assert check(str(low))[0] and check(str(high))[0]
    assert not check(str(low - 1))[0] and not check(str(high + 1))[0]


def test_the_core_answers_error_names_the_key_path_and_never_a_secret_value() -> None:
    answers = copy.deepcopy(CASES["new-app"].answers)
    answers["new_app"]["secrets"] = {"API_KEY": CANARY}
    with pytest.raises(InputError) as raised:
        parse_answers(answers, "answers.yaml")
    assert "new_app.secrets" in str(raised.value) and "key names only" in str(raised.value)
    assert CANARY not in str(raised.value)
    answers = copy.deepcopy(CASES["plain-folder"].answers)
    answers["flux"]["url"] = f"https://deploy:{CANARY}@github.com/acme shop.git"
    with pytest.raises(InputError) as raised:
        parse_answers(answers, "answers.yaml")
    assert "flux.url" in str(raised.value) and CANARY not in str(raised.value)


@pytest.mark.parametrize(
    ("edit", "where"),
    [
        (lambda a: a["environments"][0].update(replicas=2.5), "environments[0].replicas"),
        (lambda a: a["environments"][0]["resources"]["requests"].update(cpu="1 core"), "environments[0].resources.requests.cpu"),
        (lambda a: a["environments"][1]["autoscaling"]["shop-web"].pop("max"), "environments[1].autoscaling.shop-web.max"),
        (lambda a: a["environments"][0]["config"]["shop-config"].update(LIST=[1, 2]), "environments[0].config.shop-config.LIST"),
        (lambda a: a["secrets"].update(colour="blue"), "secrets.colour"),
        (lambda a: a.update(version=2), "version"),
    ],
    ids=["float-replicas", "bad-quantity", "missing-max", "list-config-value", "unknown-nested-key", "version"],
)
def test_schema_errors_exit_2_with_the_key_path(edit: Any, where: str, tmp_path: Path) -> None:
    answers = copy.deepcopy(CASES["plain-folder"].answers)
    edit(answers)
    repo, answers_file = make_repo(CASES["plain-folder"], tmp_path, answers)
    result = run_cli("plan", "--answers", str(answers_file), "--repo", str(repo))
    assert result.code == 2, result.describe()
    assert f"{where}: " in result.err, result.err
    assert list(editor_validator().iter_errors(answers)), f"an editor would accept what apply refuses at {where}"


def test_the_schema_command_prints_the_shipped_schema() -> None:
    result = run_cli("schema")
    assert result.code == 0, result.describe()
    assert result.out == SCHEMA_PATH.read_text(encoding="utf-8")
    assert json.loads(result.out)["title"].startswith("k8s-wizard answers")


def test_the_written_answers_point_editors_at_a_schema_written_beside_them(tmp_path: Path) -> None:
    repo, _, result = applied_copy(CASES["plain-folder"], tmp_path)
    text = (repo / ANSWERS_FILE).read_text(encoding="utf-8")
    first = text.splitlines()[0]
    match = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", first)
    assert match, f"the answers file does not start with a yaml-language-server modeline: {first!r}"
    written = (repo / ANSWERS_FILE).parent / match.group(1)  # relative to the answers file: works offline
    assert written.is_file(), f"{match.group(1)} is not next to the answers file"
    assert written.read_text(encoding="utf-8") == run_cli("schema").out
    data = yaml.safe_load(text)
    errors = [e.message for e in jsonschema.Draft7Validator(json.loads(written.read_text(encoding="utf-8"))).iter_errors(data)]
    assert errors == []
    listed = re.search(r"^\s*create\s+\.k8s-wizard/schema\.json", result.out, re.MULTILINE)
    assert listed is None, "the schema copy is bookkeeping, like the generated-files record, not one of the files"


def _readme_answers_section() -> str:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("## The answers file")
    return readme[start:readme.index("\n## ", start + 3)]


def _keys(node: Any, found: set[str], skip: frozenset[str] = frozenset()) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key not in skip:
                found.add(str(key))
                # keys under these are the user's own names (ConfigMaps, hosts, services, resources), not schema keys
                named = key in ("config", "services", "host", "requests", "limits")
                _keys(value, found, frozenset(value or {}) if named else frozenset())
    elif isinstance(node, list):
        for item in node:
            _keys(item, found, skip)


def _schema_keys(node: Any, found: set[str]) -> None:
    if isinstance(node, dict):
        for key, value in (node.get("properties") or {}).items():
            found.add(key)
            _schema_keys(value, found)
        for value in node.values():
            if isinstance(value, dict | list):
                _schema_keys(value, found)
    elif isinstance(node, list):
        for item in node:
            _schema_keys(item, found)


def test_the_readme_documents_the_schema_keys_and_no_other() -> None:
    section = _readme_answers_section()
    example = yaml.safe_load(section.split("```yaml", 1)[1].split("```", 1)[0])
    documented: set[str] = set()
    _keys(example, documented)
    in_schema: set[str] = set()
    _schema_keys(schema.schema(), in_schema)
    assert documented - in_schema == set(), "the README documents keys the schema does not have"
    missing = {k for k in in_schema if not re.search(rf"(?<![\w-]){re.escape(k)}(?![\w-])", section)}
    assert missing == set(), f"the README's answers section does not mention {sorted(missing)}"
    assert "k8s-wizard schema" in section


SCHEMA_PATTERNS_OWN_RULES = {
    # kubeseal's own name rules (a layer below the answers: `secrets` may not import `answers`).
    "wizard/core/secrets/sealing.py",
}


def _schema_patterns(node: Any) -> set[str]:
    """Every `pattern` the schema declares, in definitions or inline."""
    found: set[str] = set()
    if isinstance(node, dict):
        if isinstance(node.get("pattern"), str):
            found.add(node["pattern"])
        for value in node.values():
            found |= _schema_patterns(value)
    elif isinstance(node, list):
        for value in node:
            found |= _schema_patterns(value)
    return found


def test_schema_patterns_are_declared_once_in_the_schema_and_read_by_name() -> None:
    """No module writes out a schema pattern again, and only wizard.core.answers.patterns compiles them."""
    literals = _schema_patterns(schema.schema())
    assert len(literals) > 10
    offenders = []
    for path in sorted((PROJECT_ROOT / "wizard").rglob("*.py")):
        relative = path.relative_to(PROJECT_ROOT).as_posix()
        text = path.read_text(encoding="utf-8")
        if relative not in ("wizard/core/answers/patterns.py", "wizard/core/answers/schema.py") and "schema.pattern(" in text:
            offenders.append(f"{relative}: schema.pattern( outside patterns.py")
        if relative in SCHEMA_PATTERNS_OWN_RULES:
            continue
        offenders += [f"{relative}: {p}" for p in literals if f'r"{p}"' in text or f"r'{p}'" in text]
    assert offenders == []


def test_helm_secret_names_and_keys_follow_the_schema_definitions() -> None:
    """helm.secrets names and keys are the schema's secretName/secretKey, for an editor and for the core."""
    data = {"version": 1, "app": "shop", "helm": {"chart": "./chart", "release": "shop",
                                                   "secrets": {"Web_Auth": ["password"]}},
            "environments": [{"name": "staging"}, {"name": "production", "current": True}]}
    assert any(e.validator == "pattern" for e in editor_validator().iter_errors(data) for e in [e, *e.context])
    with pytest.raises(InputError, match="helm.secrets"):
        parse_answers(data, "answers")
    data["helm"]["secrets"] = {"web-auth": ["pass word"]}
    with pytest.raises(InputError, match=r"helm.secrets.web-auth\[0\]"):
        parse_answers(data, "answers")
