"""The correctness rules of issue 2, checked on every fixture repo after `k8s-wizard apply --yes`.

Every overlay is built with the real kustomize (tests/kube.py); Flux objects are validated against the CRD
schemas in ../shared/schemas. Cases: our repos in tests/fixtures and each real repo in ../shared/fixtures/real.
"""

from __future__ import annotations

import base64
import copy
import itertools
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import (
    ALL_CASES,
    CANARY,
    Case,
    Migrated,
    RunResult,
    apply,
    env_namespace,
    make_repo,
    run_cli,
    run_cli_process,
    run_cli_processes,
)
from kube import (
    CLUSTER_SCOPED,
    KUSTOMIZATION_FILES,
    POD_TEMPLATE_KINDS,
    SCALABLE_KINDS,
    SCHEMAS,
    build,
    by_key,
    find_kustomization,
    images,
    key,
    load_all,
    node_ports,
    tree_bytes,
    tree_diff,
    validate_crd,
    yaml_files,
)

DEPRECATED_KUSTOMIZE_KEYS = {"commonLabels", "patchesStrategicMerge", "patchesJson6902", "vars", "bases"}
CASES = {c.id: c for c in ALL_CASES}


def env_names(case: Case) -> list[str]:
    return [e["name"] for e in case.envs]


def generated_yaml(m: Migrated) -> list[tuple[Path, dict[str, Any]]]:
    """(file, object) for every YAML document the tool wrote under <output>."""
    return [
        (p, doc)
        for p in yaml_files(m.output)
        for doc in load_all(p.read_text(encoding="utf-8"))
        if isinstance(doc, dict)
    ]


def test_apply_writes_the_plan_and_the_normalized_answers(migrated: Migrated) -> None:
    plan = migrated.repo / "MIGRATION.md"
    assert plan.is_file() and plan.read_text(encoding="utf-8").strip(), "no MIGRATION.md at the repo root"
    saved = yaml.safe_load((migrated.repo / ".k8s-wizard.yaml").read_text(encoding="utf-8"))
    assert saved["version"] == 1 and saved["app"] == migrated.case.answers["app"]
    assert [e["name"] for e in saved["environments"]] == env_names(migrated.case)


# ---------------------------------------------------------------------------------------------------------------
# Rule 1: current APIs only, no warnings.


def test_rule1_every_overlay_builds_without_warnings(migrated: Migrated) -> None:
    for env in env_names(migrated.case):
        objects, stderr = migrated.raw_build(env)
        assert objects, f"overlay {env} built to nothing"
        assert stderr.strip() == "", f"kustomize printed on stderr for overlay {env}:\n{stderr}"


def test_rule1_no_deprecated_kustomize_fields(migrated: Migrated) -> None:
    found = []
    for path in sorted(p for p in migrated.output.rglob("*") if p.name in KUSTOMIZATION_FILES):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        found += [f"{path.relative_to(migrated.repo)}: {k}" for k in sorted(DEPRECATED_KUSTOMIZE_KEYS & doc.keys())]
    assert not found, "deprecated kustomize fields in generated kustomizations:\n" + "\n".join(found)


def test_rule1_no_removed_flux_api_versions(migrated: Migrated) -> None:
    old = [
        f"{p.relative_to(migrated.repo)}: {doc.get('kind')} {doc.get('apiVersion')}"
        for p, doc in generated_yaml(migrated)
        if "fluxcd.io/v1beta" in str(doc.get("apiVersion", "")) or "fluxcd.io/v2beta" in str(doc.get("apiVersion", ""))
    ]
    assert not old, "removed Flux API versions:\n" + "\n".join(old)


# ---------------------------------------------------------------------------------------------------------------
# Rule 2: zero downtime for the environment that runs today.


def test_rule2_current_env_keeps_every_object_of_today(migrated_source: Migrated) -> None:
    m = migrated_source
    current = m.case.current["name"]
    built = by_key(m.objects(current))
    today = [o for o in m.today() if o.get("kind") != "Secret"]
    missing = [key(o) for o in today if key(o) not in built]
    assert not missing, (
        f"the {current} build lost objects of today's build (kind, namespace, name): {missing}\n"
        f"it has: {sorted(built)}"
    )


def _selector(obj: dict[str, Any]) -> Any:
    return (obj.get("spec") or {}).get("selector")


def test_rule2_current_env_keeps_selectors_and_immutable_fields(migrated_source: Migrated) -> None:
    m = migrated_source
    current = m.case.current["name"]
    built = by_key(m.objects(current))
    problems = []
    for old in m.today():
        new = built.get(key(old))
        if new is None or old["kind"] == "Secret":
            continue  # a lost object is the previous test's failure
        kind, name = old["kind"], key(old)
        if kind in SCALABLE_KINDS | {"DaemonSet", "ReplicaSet", "Service"} and _selector(new) != _selector(old):
            problems.append(f"{name}: spec.selector {_selector(old)} became {_selector(new)}")
        if kind == "StatefulSet":
            for field in ("serviceName", "volumeClaimTemplates"):
                if old["spec"].get(field) != new["spec"].get(field):
                    problems.append(
                        f"{name}: spec.{field} changed:\n  today: {old['spec'].get(field)}\n  now:   {new['spec'].get(field)}"
                    )
        if kind == "Job" and old["spec"].get("template") != new["spec"].get("template"):
            problems.append(
                f"{name}: the Job's pod template (immutable) changed:\n"
                f"  today: {old['spec']['template']}\n  now:   {new['spec']['template']}"
            )
        if kind in POD_TEMPLATE_KINDS and images(old) != images(new):
            problems.append(f"{name}: images {images(old)} became {images(new)}")
    assert not problems, f"the {current} build would not apply over today's objects without downtime:\n" + "\n".join(problems)


# ---------------------------------------------------------------------------------------------------------------
# Rule 3: environments share a cluster without touching each other.


def test_rule3_no_object_in_two_environments(migrated: Migrated) -> None:
    builds = {env: {key(o) for o in migrated.objects(env)} for env in env_names(migrated.case)}
    clashes = {
        f"{a} & {b}": sorted(builds[a] & builds[b]) for a, b in itertools.combinations(builds, 2) if builds[a] & builds[b]
    }
    assert not clashes, f"environments would overwrite each other's objects (kind, namespace, name): {clashes}"


def test_rule3_no_fixed_node_port_in_two_environments(migrated: Migrated) -> None:
    ports = {env: node_ports(migrated.objects(env)) for env in env_names(migrated.case)}
    clashes = {f"{a} & {b}": sorted(ports[a] & ports[b]) for a, b in itertools.combinations(ports, 2) if ports[a] & ports[b]}
    assert not clashes, f"two environments claim the same nodePort: {clashes}"


def test_rule3_cluster_scoped_and_foreign_objects_stay_in_current_env(migrated_source: Migrated) -> None:
    m = migrated_source
    home = env_namespace(m.case.current)
    pinned = [
        o for o in m.today()
        if o.get("kind") in CLUSTER_SCOPED or key(o)[1] not in ("", home)
    ]
    if not pinned:
        pytest.skip("today's manifests have no cluster-scoped object nor one pinned to another namespace")
    for env in env_names(m.case):
        if env == m.case.current["name"]:
            continue
        kinds_names = {key(o)[::2]: key(o) for o in m.objects(env)}
        copied = [f"{key(o)} -> {kinds_names[key(o)[::2]]}" for o in pinned if key(o)[::2] in kinds_names]
        assert not copied, f"{env} carries objects that must stay only in the current environment: {copied}"


def test_rule3_no_env_claims_a_volume_it_does_not_own(migrated: Migrated) -> None:
    """A PVC bound by volumeName to a PV that lives only in another environment stays Pending forever."""
    checked = 0
    for env in env_names(migrated.case):
        objects = migrated.objects(env)
        volumes = {key(o)[2] for o in objects if o["kind"] == "PersistentVolume"}
        for claim in (o for o in objects if o["kind"] == "PersistentVolumeClaim"):
            name = (claim.get("spec") or {}).get("volumeName")
            if name:
                checked += 1
                assert name in volumes, f"{env}: PVC {key(claim)} binds PersistentVolume {name}, which is not in its build"
    if not checked:
        pytest.skip("no PersistentVolumeClaim binds a volume by name")


def test_every_env_lands_in_its_namespace(migrated: Migrated) -> None:
    case = migrated.case
    current = case.current["name"] if case.current else None
    for env in case.envs:
        if env["name"] == current:
            continue
        objects = migrated.objects(env["name"])
        wrong = [key(o) for o in objects if o["kind"] not in CLUSTER_SCOPED and key(o)[1] != env_namespace(env)]
        assert not wrong, f"{env['name']}: namespaced objects outside {env_namespace(env)}: {wrong}"
        namespaces = {key(o)[2] for o in objects + migrated.flux_objects() if o.get("kind") == "Namespace"}
        assert env_namespace(env) in namespaces, (
            f"nothing creates namespace {env_namespace(env)} for {env['name']} (kustomize and Flux never do)"
        )


# ---------------------------------------------------------------------------------------------------------------
# Rule 4: an autoscaled workload's replicas belong to its HPA.


def _replicas_ignored(ks: dict[str, Any] | None, obj: dict[str, Any]) -> bool:
    """True when the Flux Kustomization leaves /spec/replicas of obj to the cluster (Flux >= 2.9 `.spec.ignore`)."""
    for rule in ((ks or {}).get("spec") or {}).get("ignore") or []:
        target = rule.get("target") or {}
        if "/spec/replicas" in (rule.get("paths") or []) and target.get("kind", obj["kind"]) == obj["kind"] and (
            target.get("name", key(obj)[2]) == key(obj)[2]
        ):
            return True
    return False


def _autoscaled(env: dict[str, Any], workloads: list[str]) -> list[str]:
    spec = env.get("autoscaling")
    if not spec:
        return []
    return workloads if {"min", "max"} & spec.keys() else sorted(spec)


def test_rule4_autoscaled_workloads_do_not_set_replicas(migrated: Migrated) -> None:
    case = migrated.case
    checked = 0
    for env in case.envs:
        objects = migrated.objects(env["name"])
        ks = migrated.flux_kustomization(env["name"])
        workloads = {key(o)[2]: o for o in objects if o["kind"] in SCALABLE_KINDS}
        hpa_targets = {
            (h["spec"]["scaleTargetRef"]["kind"], h["spec"]["scaleTargetRef"]["name"])
            for h in objects if h["kind"] == "HorizontalPodAutoscaler"
        }
        for name in _autoscaled(env, [n for n, o in workloads.items() if o["kind"] == "Deployment"]):
            assert name in workloads, f"{env['name']}: autoscaled workload {name} is not in the build"
            obj = workloads[name]
            assert (obj["kind"], name) in hpa_targets, f"{env['name']}: no HPA targets {obj['kind']} {name}"
        for kind, name in hpa_targets:
            obj = workloads.get(name)
            if obj is None or obj["kind"] != kind:
                continue
            checked += 1
            assert "replicas" not in obj["spec"] or _replicas_ignored(ks, obj), (
                f"{env['name']}: {kind} {name} has an HPA and spec.replicas={obj['spec']['replicas']} "
                "(Flux would reset the count on every reconcile) and Flux does not ignore /spec/replicas"
            )
    if not checked:
        pytest.skip(f"{case.id}: no environment autoscales a workload")


# ---------------------------------------------------------------------------------------------------------------
# Flux objects.


@pytest.fixture
def schemas() -> None:
    if not SCHEMAS.is_dir():
        pytest.skip(f"CRD schemas not present at {SCHEMAS}")


@pytest.mark.usefixtures("schemas")
def test_flux_objects_validate_against_their_crds(migrated: Migrated) -> None:
    objects = migrated.flux_objects()
    flux = [o for o in objects if ".fluxcd.io/" in str(o.get("apiVersion", ""))]
    repos = [o for o in flux if o["kind"] == "GitRepository"]
    assert [o["apiVersion"] for o in repos] == ["source.toolkit.fluxcd.io/v1"], f"want one GitRepository: {repos}"
    for obj in flux:
        validate_crd(obj)
    sealed = [doc for _, doc in generated_yaml(migrated) if str(doc.get("apiVersion", "")).startswith("bitnami.com/")]
    for obj in sealed:
        validate_crd(obj)


def test_flux_kustomizations_chain_in_environment_order(migrated: Migrated) -> None:
    case = migrated.case
    repo_names = {o["metadata"]["name"] for o in migrated.flux_objects() if o.get("kind") == "GitRepository"}
    previous = None
    for env in env_names(case):
        ks = migrated.flux_kustomization(env)
        assert ks is not None, f"no Flux Kustomization has path ./{migrated.overlay(env).relative_to(migrated.repo)}"
        assert ks["apiVersion"] == "kustomize.toolkit.fluxcd.io/v1"
        spec = ks["spec"]
        for field in ("interval", "prune", "sourceRef"):
            assert field in spec, f"{env}: Flux Kustomization has no spec.{field}"
        assert spec["sourceRef"].get("kind", "GitRepository") == "GitRepository" and spec["sourceRef"]["name"] in repo_names
        assert (migrated.repo / spec["path"] / "kustomization.yaml").is_file(), f"{env}: path {spec['path']} has no kustomization"
        depends = [d["name"] for d in spec.get("dependsOn") or []]
        if previous is None:
            assert not depends, f"{env} is first in the chain but dependsOn {depends}"
        else:
            assert previous["metadata"]["name"] in depends, f"{env} must dependsOn {previous['metadata']['name']}, has {depends}"
        previous = ks


def test_git_repository_points_at_the_answers_url(migrated: Migrated) -> None:
    git = next(o for o in migrated.flux_objects() if o.get("kind") == "GitRepository")
    flux = migrated.case.answers["flux"]
    assert git["spec"]["url"] == flux["url"] and git["spec"]["ref"] == {"branch": flux["branch"]}


# ---------------------------------------------------------------------------------------------------------------
# Rule 5: no secret value is ever written.

CANARY_B64 = base64.b64encode(CANARY.encode()).decode()
CANARY_SECRET = {
    "apiVersion": "v1",
    "kind": "Secret",
    "metadata": {"name": "zz-canary"},
    "type": "Opaque",
    "stringData": {"CANARY_TOKEN": CANARY},
    "data": {"CANARY_B64": CANARY_B64},
}
SOURCE_CASES = [c for c in ALL_CASES if c.source]


def plant_canary(repo: Path, case: Case) -> Path:
    """Make sure the source holds a plaintext Secret with the canary; return that file."""
    source = repo / case.source
    for path in yaml_files(source):
        if CANARY in path.read_text(encoding="utf-8"):
            return path
    path = source / "zz-canary-secret.yaml"
    path.write_text(yaml.safe_dump(CANARY_SECRET, sort_keys=False), encoding="utf-8")
    kust = find_kustomization(source)
    if kust is not None:
        doc = yaml.safe_load(kust.read_text(encoding="utf-8"))
        doc.setdefault("resources", []).append(path.name)
        kust.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


CANARY_IN_A_PROCESS = "plaintext-secret"
"""The case whose commands run as a program (everything the process prints, tracebacks and warnings at exit
included); the others run in the test's process, their output captured (tests/test_secret_canary.py runs every
command as a program on its own repository)."""
assert CANARY_IN_A_PROCESS in {c.id for c in SOURCE_CASES}, "the canary must still run as a program on one case"


@pytest.mark.parametrize("canary_case", SOURCE_CASES, ids=[c.id for c in SOURCE_CASES])
def test_rule5_canary_secret_value_is_never_written(canary_case: Case, tmp_path: Path) -> None:
    repo, answers_file = make_repo(canary_case, tmp_path)
    original = plant_canary(repo, canary_case)
    commands = (
        ["apply", "--answers", str(answers_file), "--repo", str(repo), "--yes"],
        ["plan", "--answers", str(answers_file), "--repo", str(repo), "--format", "markdown"],
        ["validate", "--repo", str(repo)],
    )
    if canary_case.id == CANARY_IN_A_PROCESS:
        runs = run_cli_processes(*commands)  # one process for the three
    else:
        runs = [run_cli(*argv) for argv in commands]
    assert len(runs) == 3 and runs[0].code == 0, f"apply failed: {runs[0].describe()}"
    leaks = [
        f"{rel}: {'value' if CANARY.encode() in data else 'base64'}"
        for rel, data in tree_bytes(tmp_path).items()
        if (tmp_path / rel) != original and (CANARY.encode() in data or CANARY_B64.encode() in data)
    ]
    assert not leaks, f"the secret value leaked into written files: {leaks}"
    for name, run in zip(("apply", "plan", "validate"), runs, strict=True):
        assert CANARY not in run.text and CANARY_B64 not in run.text, f"the secret value leaked into {name}'s output"


def test_plaintext_secret_is_not_copied_and_keys_feed_sealing(migrate) -> None:
    m = migrate(CASES["plaintext-secret"])
    for env in env_names(m.case):
        secrets = [key(o) for o in m.objects(env) if o["kind"] == "Secret"]
        assert not secrets, f"{env} build carries a plain Secret: {secrets}"
    written = "\n".join(
        data.decode("utf-8", "replace") for rel, data in tree_bytes(m.repo).items() if not rel.startswith(m.case.source + "/")
    )
    for secret_key in ("PAYMENT_API_TOKEN", "DB_PASSWORD"):
        assert secret_key in written, f"the sealing steps do not name the secret key {secret_key}"
    assert "--from-literal" not in written, "sealing steps must never take a value on the command line"


# ---------------------------------------------------------------------------------------------------------------
# Rule 7: deterministic, and a second apply is a no-op.


def test_rule7_second_apply_changes_nothing_and_copies_agree(repo_case: Case, tmp_path: Path) -> None:
    case = repo_case
    repo_a, answers_a = make_repo(case, tmp_path / "a")
    first = apply(repo_a, answers_a)
    assert first.code == 0, first.describe()
    after_first = tree_bytes(repo_a)
    second = apply(repo_a, answers_a)
    assert second.code == 0, second.describe()
    assert tree_diff(after_first, tree_bytes(repo_a)) == [], "the second apply changed files"
    repo_b, answers_b = make_repo(case, tmp_path / "b")
    assert apply(repo_b, answers_b).code == 0
    assert tree_diff(after_first, tree_bytes(repo_b)) == [], "two fresh copies gave different trees"


def test_apply_keeps_todays_manifests_untouched(migrated_source: Migrated) -> None:
    m = migrated_source
    original = {k: v for k, v in tree_bytes(m.case.manifests).items() if k != "SOURCE.txt"}
    assert tree_diff(original, tree_bytes(m.repo / m.case.source)) == [], "apply changed or removed today's manifests"


def test_dry_run_writes_nothing(tmp_path: Path) -> None:
    repo, answers_file = make_repo(CASES["plain-folder"], tmp_path)
    before = tree_bytes(tmp_path)
    result = run_cli("apply", "--answers", str(answers_file), "--repo", str(repo), "--dry-run")
    assert result.code == 0, result.describe()
    assert tree_diff(before, tree_bytes(tmp_path)) == [], "--dry-run wrote files"
    assert "overlays/staging/kustomization.yaml" in result.text, "the preview does not list the files it would create"


def test_a_dry_run_builds_only_when_asked(tmp_path: Path) -> None:
    """`--dry-run` previews without kustomize (no kubectl on PATH); `--dry-run --build` builds every overlay."""
    repo, answers_file = make_repo(CASES["plain-folder"], tmp_path)
    before = tree_bytes(tmp_path)
    quick = run_cli_process("apply", "--answers", str(answers_file), "--repo", str(repo), "--dry-run", path=str(tmp_path))
    assert quick.code == 0, quick.describe()
    assert "build check skipped in a dry run" in quick.out and "dry run: nothing written" in quick.out
    built = run_cli("apply", "--answers", str(answers_file), "--repo", str(repo), "--dry-run", "--build")
    assert built.code == 0, built.describe()
    envs = [e["name"] for e in CASES["plain-folder"].envs]
    assert all(f"builds  k8s/overlays/{env} (" in built.out for env in envs), built.out
    assert tree_diff(before, tree_bytes(tmp_path)) == [], "a dry run wrote files"


def test_apply_without_terminal_or_yes_writes_nothing(tmp_path: Path) -> None:
    repo, answers_file = make_repo(CASES["plain-folder"], tmp_path)
    before = tree_bytes(tmp_path)
    result = run_cli_process("apply", "--answers", str(answers_file), "--repo", str(repo))
    assert result.code != 0, f"apply without a terminal and without --yes must not succeed: {result.describe()}"
    assert tree_diff(before, tree_bytes(tmp_path)) == [], "apply without --yes and without a terminal wrote files"


# ---------------------------------------------------------------------------------------------------------------
# Bad input: exit 2, the key named, nothing written.


def _set(doc: dict[str, Any], path: tuple[Any, ...], value: Any) -> None:
    for part in path[:-1]:
        doc = doc[part]
    doc[path[-1]] = value


BAD_INPUTS = {
    "unknown-key": ((("colour",), "blue"), ["colour"]),
    "bad-dns-name": ((("environments", 0, "name"), "Staging_EU"), ["environments[0].name"]),
    "bad-app-name": ((("app",), "Shop.App"), ["app"]),
    "bad-quantity": ((("environments", 0, "resources", "requests", "cpu"), "100x"), ["environments[0].resources.requests.cpu"]),
    "duplicate-env": ((("environments", 1, "name"), "staging"), ["environments[1].name", "staging"]),
    "two-current": ((("environments", 0, "current"), True), ["current", "environments"]),
}


@pytest.mark.parametrize("bad", sorted(BAD_INPUTS))
def test_bad_input_exits_2_names_the_key_and_writes_nothing(bad: str, tmp_path: Path) -> None:
    case = CASES["plain-folder"]
    (path, value), must_name = BAD_INPUTS[bad]
    answers = copy.deepcopy(case.answers)
    _set(answers, path, value)
    repo, answers_file = make_repo(case, tmp_path, answers)
    before = tree_bytes(tmp_path)
    result = apply(repo, answers_file)
    assert result.code == 2, f"{bad}: want exit 2, got {result.describe()}"
    for needle in must_name:
        # the key as a word of its own: "app" must not be found inside "apply"
        named = re.search(rf"(?<![A-Za-z0-9_-]){re.escape(needle)}(?![A-Za-z0-9_-])", result.text)
        assert named, f"{bad}: the message does not name {needle!r}: {result.text!r}"
    assert tree_diff(before, tree_bytes(tmp_path)) == [], f"{bad}: files were written"


# ---------------------------------------------------------------------------------------------------------------
# Rule 9: values reach YAML through a YAML library, exactly.

TRICKY = {
    "MODE": "0700",
    "ENABLED": "yes",
    "SWITCH": "on",
    "NOTHING": "null",
    "VERSION": "1.10",
    "EXPR": "a: b # c",
    "QUOTES": "it's \"quoted\"",
    "BANNER": "line one\nline two\n",
    "LEADING": "- dash {brace} [x] *star &amp",
}


def test_rule9_config_values_survive_exactly(tmp_path: Path) -> None:
    case = CASES["plain-folder"]
    answers = copy.deepcopy(case.answers)
    answers["environments"][0]["config"] = {"shop-config": dict(TRICKY)}
    repo, answers_file = make_repo(case, tmp_path, answers)
    result = apply(repo, answers_file)
    assert result.code == 0, result.describe()
    objects, _ = build(repo / case.output / "overlays" / "staging")
    config = [o for o in objects if o["kind"] == "ConfigMap" and key(o)[2].startswith("shop-config")]
    assert len(config) == 1, f"want one shop-config ConfigMap in staging, got {[key(o) for o in config]}"
    data = config[0]["data"]
    wrong = {k: (v, data.get(k)) for k, v in TRICKY.items() if data.get(k) != v}
    assert not wrong, f"values changed on the way to the ConfigMap (given, built): {wrong}"
    assert data["LOG_LEVEL"] == "info", "keys the environment does not override keep today's value"
    # The normalized answers the tool wrote must reproduce the same output when used on their own.
    before = tree_bytes(repo)
    again = run_cli("apply", "--repo", str(repo), "--yes")
    assert again.code == 0, again.describe()
    assert tree_diff(before, tree_bytes(repo)) == [], "re-applying the normalized .k8s-wizard.yaml changed files"


# ---------------------------------------------------------------------------------------------------------------
# The answers reach the environments.


def _only(objects: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    found = [o for o in objects if o["kind"] == kind and key(o)[2] == name]
    assert len(found) == 1, f"want one {kind} {name}, got {len(found)}"
    return found[0]


def test_plain_folder_staging_gets_its_differences(migrate) -> None:
    m = migrate(CASES["plain-folder"])
    staging = m.objects("staging")
    web = _only(staging, "Deployment", "shop-web")
    assert web["spec"].get("replicas") == 1
    assert images(web) == [("web", "ghcr.io/acme/shop-web:1.5.0-rc.1")]
    assert web["spec"]["template"]["spec"]["containers"][0]["resources"] == {
        "requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"memory": "256Mi"},
    }
    assert _only(staging, "StatefulSet", "postgres")["spec"].get("replicas") == 1
    hosts = [r["host"] for r in _only(staging, "Ingress", "shop-web")["spec"]["rules"]]
    assert hosts == ["staging.shop.example.com"]
    config = [o for o in staging if o["kind"] == "ConfigMap" and key(o)[2].startswith("shop-config")]
    assert [c["data"]["LOG_LEVEL"] for c in config] == ["debug"]
    production = m.objects("production")
    assert [r["host"] for r in _only(production, "Ingress", "shop-web")["spec"]["rules"]] == ["shop.example.com"]


def test_new_app_gets_a_workload_in_every_environment(migrate) -> None:
    m = migrate(CASES["new-app"])
    for env in m.case.envs:
        objects = m.objects(env["name"])
        deployments = [o for o in objects if o["kind"] == "Deployment"]
        assert len(deployments) == 1, f"{env['name']}: want one Deployment, got {[key(o) for o in deployments]}"
        container = deployments[0]["spec"]["template"]["spec"]["containers"][0]
        assert container["image"].startswith("ghcr.io/acme/notes-api:")
        assert [p["containerPort"] for p in container["ports"]] == [3000]
        assert container["livenessProbe"]["httpGet"]["path"] == "/health"
        assert container["readinessProbe"]["httpGet"]["path"] == "/ready"
        services = [o for o in objects if o["kind"] == "Service"]
        assert services and all(_selector(s) for s in services)
        hosts = [r["host"] for o in objects if o["kind"] == "Ingress" for r in o["spec"]["rules"]]
        assert hosts == [env["host"]], f"{env['name']}: ingress hosts {hosts}"
        text = yaml.safe_dump(container)
        refs_secret = all(k in text for k in ("DATABASE_URL", "API_KEY")) or "secretRef" in text
        assert refs_secret, f"{env['name']}: the container does not get the secrets DATABASE_URL and API_KEY"


# ---------------------------------------------------------------------------------------------------------------
# validate.


def test_validate_passes_on_what_apply_wrote(migrated: Migrated) -> None:
    result = run_cli("validate", "--repo", str(migrated.repo))
    assert result.code == 0, result.describe()


def test_validate_fails_on_a_broken_overlay(migrate, tmp_path: Path) -> None:
    m = migrate(CASES["plain-folder"])
    repo = tmp_path / "repo"
    shutil.copytree(m.repo, repo)
    overlay = repo / m.case.output / "overlays" / "staging" / "kustomization.yaml"
    doc = yaml.safe_load(overlay.read_text(encoding="utf-8"))
    doc.setdefault("resources", []).append("does-not-exist.yaml")
    overlay.write_text(yaml.safe_dump(doc), encoding="utf-8")
    result: RunResult = run_cli("validate", "--repo", str(repo))
    assert result.code == 1, f"validate must report a broken overlay: {result.describe()}"
    assert "staging" in result.text


def test_validate_without_kustomize_is_a_clear_error(migrate, tmp_path: Path) -> None:
    m = migrate(CASES["plain-folder"])
    empty_bin = tmp_path / "bin"
    empty_bin.mkdir()
    result = run_cli_process("validate", "--repo", str(m.repo), path=str(empty_bin))
    assert result.code != 0, f"validate passed without any kustomize on PATH: {result.describe()}"
    assert "kustomize" in result.text and "kubectl" in result.text, f"the error must say what to install: {result.text!r}"


# ---------------------------------------------------------------------------------------------------------------
# Rule 8: never write outside the repo.


def test_rule8_no_write_through_a_symlink_out_of_the_repo(tmp_path: Path) -> None:
    case = CASES["plain-folder"]
    repo, answers_file = make_repo(case, tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    (repo / case.output).symlink_to(outside, target_is_directory=True)
    before = tree_bytes(tmp_path)
    result = apply(repo, answers_file)
    assert result.code != 0, f"apply wrote through {case.output} -> {outside}: {result.describe()}"
    assert list(outside.iterdir()) == [], "apply wrote outside the repo"
    assert tree_diff(before, tree_bytes(tmp_path)) == [], "a failed apply must write nothing"
