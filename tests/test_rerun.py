"""Re-running the wizard on a migrated repo: add-env, remove-env and answer changes keep hand edits.

For every fixture repo (ours under tests/fixtures and each real repo under ../shared/fixtures/real):
staging + production are applied, a production overlay file and production's Flux object are edited by
hand, and then `add-env qa`, a conflicting answer change, `remove-env qa` and a no-op re-run each do
exactly what a user who edited the files would expect. Overlays are built with the real kustomize.
"""

from __future__ import annotations

import copy
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import ALL_CASES, Case, RunResult, made_once, make_repo, run_cli
from kube import SCHEMAS, build, tree_bytes, tree_diff, validate_crd

from wizard.core.kinds import image_name, is_infra_image
from wizard.core.layout import MIGRATION_FILE, STATE_FILE
from wizard.core.pipeline import facts

ANSWERS = ".k8s-wizard.yaml"
PROMOTE = ".github/workflows/k8s-wizard-promote.yaml"
COMMENT = "# ops: production stays on the hotfix until the incident review (INC-4711)\n"
ADDED_KEY = "metadata:\n  name: production-overlay  # for our inventory tool\n"
FLUX_COMMENT = "  # ops: prune stays on, we checked the inventory\n"


# --- helpers ------------------------------------------------------------------------------------------------------
def cli(*argv: str) -> RunResult:
    """Run the CLI in-process."""
    return run_cli(*argv)


def ok(result: RunResult) -> RunResult:
    """Assert exit 0."""
    assert result.code == 0, result.describe()
    return result


def saved(repo: Path) -> dict[str, Any]:
    """The answers saved in the repo."""
    data = yaml.safe_load((repo / ANSWERS).read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def env_order(repo: Path) -> list[str]:
    """Environment names in the saved answers' promotion order."""
    return [str(e["name"]) for e in saved(repo)["environments"]]


def flux_chain(repo: Path, output: str, app: str) -> dict[str, list[str]]:
    """{environment: the environments its Flux Kustomization dependsOn}, read from <output>/flux/<env>.yaml."""
    chain = {}
    for env in env_order(repo):
        doc = yaml.safe_load((repo / output / "flux" / f"{env}.yaml").read_text(encoding="utf-8"))
        assert doc["spec"]["path"] == f"./{output}/overlays/{env}"
        chain[env] = [str(d["name"]).removeprefix(f"{app}-") for d in doc["spec"].get("dependsOn") or []]
    return chain


def expected_chain(order: list[str]) -> dict[str, list[str]]:
    """Each environment depends on the one before it."""
    return {env: ([order[i - 1]] if i else []) for i, env in enumerate(order)}


def promote_pairs(repo: Path) -> list[str] | None:
    """The promotion workflow's `target) from=previous` lines, or None without the workflow."""
    path = repo / PROMOTE
    if not path.is_file():
        return None
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if ") from=" in line]


def expected_pairs(order: list[str]) -> list[str]:
    return [f"{env}) from={order[i - 1]} ;;" for i, env in enumerate(order) if i]


def chain_files(output: str) -> set[str]:
    """The files an environment added or removed may change besides its own: the Flux chain and list, the
    workflows, the plan, the answers and the record of generated files."""
    return {
        f"{output}/flux/production.yaml",
        f"{output}/flux/kustomization.yaml",
        MIGRATION_FILE,
        ANSWERS,
        STATE_FILE,
        PROMOTE,
        ".github/workflows/k8s-wizard-validate.yaml",
    }


def assert_builds(repo: Path, output: str, env: str) -> None:
    """The overlay builds with the real kustomize and prints nothing on stderr."""
    objects, stderr = build(repo / output / "overlays" / env)
    assert objects, f"overlays/{env} built no objects"
    assert stderr == "", f"kustomize warned on overlays/{env}:\n{stderr}"


@dataclass(frozen=True)
class Lever:
    """The production answer whose line the user edits by hand: a workload's replicas, or an image's tag.

    Values: what the first apply generates, what the user writes by hand, what a later answer change asks.
    """

    workload: str | None = None  # replicas of this workload
    image: str | None = None  # else: production's image_tag for this image
    kind: str = "Deployment"  # the workload's kind

    @property
    def rel(self) -> str:
        """The file of overlays/production/ that carries the value: replica counts are in the kind's patch file."""
        return f"patches/{self.kind.lower()}.yaml" if self.workload else "kustomization.yaml"

    @property
    def values(self) -> tuple[str, str, str]:
        return ("3", "4", "5") if self.workload else ("1.0.0", "1.0.0-hotfix.1", "2.0.0")

    def line(self, value: str) -> str:
        """The generated line in overlays/production/<rel> that carries the value."""
        return f"replicas: {value}\n" if self.workload else f"newTag: {value}\n"

    def set(self, answers: dict[str, Any], value: str) -> dict[str, Any]:
        """The answers with production's value set."""
        out = copy.deepcopy(answers)
        for e in out["environments"]:
            if e["name"] == "production":
                if self.workload:
                    e["replicas"] = {self.workload: int(value)}
                else:
                    e["image_tag"] = {self.image: value}
        return out


_LEVERS: dict[str, Lever] = {}


def lever_for(case: Case, repo: Path) -> Lever:
    """Replicas of a scalable workload production does not autoscale, else the tag of the app's image.

    Found once per case: every repo of a case holds a copy of the same manifests (apply leaves them as they are),
    and finding it scans them."""
    if case.id not in _LEVERS:
        _LEVERS[case.id] = _find_lever(case, repo)
    return _LEVERS[case.id]


def _find_lever(case: Case, repo: Path) -> Lever:
    if not case.source:
        return Lever(image=image_name(str(case.answers["new_app"]["image"])))
    prod = next(e for e in case.envs if e["name"] == "production")
    scaling = prod.get("autoscaling") or {}
    workloads = facts(repo, case.source)["workloads"]
    if not set(scaling) & {"min", "max"}:
        for w in workloads:
            if w["kind"] in ("Deployment", "StatefulSet") and not w["autoscaled"] and w["name"] not in scaling:
                return Lever(workload=str(w["name"]), kind=str(w["kind"]))
    own = sorted(image_name(i) for w in workloads for i in w["images"] if not is_infra_image(i))
    assert own, f"{case.id}: no workload to scale and no image of the app's own to tag"
    return Lever(image=own[0])


def replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"expected exactly one {old!r} in:\n{text}"
    return text.replace(old, new)


@dataclass
class Edited:
    """A migrated repo with production's overlay and Flux object edited by hand, and a file of the user's."""

    case: Case
    root: Path
    repo: Path
    kustomization: str  # the edited text of overlays/production/kustomization.yaml
    flux: str  # the edited text of flux/production.yaml
    lever: Lever
    lever_text: str  # the edited text of overlays/production/<lever.rel>

    @property
    def output(self) -> str:
        return self.case.output

    @property
    def app(self) -> str:
        return str(self.case.answers["app"])

    @property
    def prod_kustomization(self) -> Path:
        return self.repo / self.output / "overlays" / "production" / "kustomization.yaml"

    @property
    def prod_flux(self) -> Path:
        return self.repo / self.output / "flux" / "production.yaml"


USER_FILES = {
    "notes/RUNBOOK.md": "# Runbook\nPage the on-call engineer.\n",
    "overlays/production/extra-configmap.yaml": "# mine, not referenced yet\napiVersion: v1\nkind: ConfigMap\n",
}


def _applied(case: Case, root: Path) -> None:
    """staging + production applied, with production's lever set."""
    repo, answers_file = make_repo(case, root)
    lever = lever_for(case, repo)
    answers_file.write_text(yaml.safe_dump(lever.set(case.answers, lever.values[0]), sort_keys=False), encoding="utf-8")
    ok(cli("apply", "--answers", str(answers_file), "--repo", str(repo), "--yes"))


def migrate_and_edit(case: Case, root: Path, stores: Path | None = None) -> Edited:
    """staging + production applied (production's lever set), then hand edits and user files.

    With `stores` (the run's shared folder), the apply runs once per case in the whole run and each call copies
    its result (apply is deterministic: a copy is byte for byte what a second apply would write, which test_rules'
    rule 7 checks)."""
    if stores is not None:
        shutil.copytree(made_once(stores, f"rerun-{case.id}", lambda r: _applied(case, r)), root, symlinks=True)
    else:
        _applied(case, root)
    repo = root / "repo"
    lever = lever_for(case, repo)
    output = case.output

    # overlays/production/kustomization.yaml: change a value, add a comment, add a key.
    kpath = repo / output / "overlays" / "production" / "kustomization.yaml"
    lpath = kpath.parent / lever.rel
    lever_text = replace_once(lpath.read_text(encoding="utf-8"), lever.line(lever.values[0]), lever.line(lever.values[1]))
    lpath.write_text(lever_text, encoding="utf-8")
    text = kpath.read_text(encoding="utf-8")
    text = replace_once(text, "kind: Kustomization\n", "kind: Kustomization\n" + COMMENT + ADDED_KEY)
    kpath.write_text(text, encoding="utf-8")
    if lpath == kpath:
        lever_text = text

    # flux/production.yaml (add-env changes its dependsOn): change a value, add a comment.
    fpath = repo / output / "flux" / "production.yaml"
    flux = fpath.read_text(encoding="utf-8")
    flux = replace_once(flux, "  timeout: 5m\n", "  timeout: 15m\n")
    flux = replace_once(flux, "  prune: true\n", FLUX_COMMENT + "  prune: true\n")
    fpath.write_text(flux, encoding="utf-8")

    for rel, content in USER_FILES.items():
        (repo / output / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / output / rel).write_text(content, encoding="utf-8")
    return Edited(case, root, repo, text, flux, lever, lever_text)


def assert_user_files(e: Edited) -> None:
    for rel, content in USER_FILES.items():
        assert (e.repo / e.output / rel).read_text(encoding="utf-8") == content, f"{rel} was touched"


def assert_noop_rerun(repo: Path) -> None:
    """`apply` with the saved answers changes nothing: every file byte-identical."""
    before = tree_bytes(repo)
    result = ok(cli("apply", "--repo", str(repo), "--yes"))
    assert "0 to create, 0 to change, 0 to remove" in result.out, result.describe()
    assert "nothing to change" in result.out
    assert tree_diff(before, tree_bytes(repo)) == []


@pytest.fixture(params=ALL_CASES, ids=[c.id for c in ALL_CASES])
def edited(request: pytest.FixtureRequest, tmp_path: Path, session_stores: Path) -> Edited:
    """Every fixture repo, migrated to staging + production and edited by hand."""
    case: Case = request.param
    names = [e["name"] for e in case.envs]
    assert names == ["staging", "production"], f"{case.id}: these tests expect staging + production, got {names}"
    return migrate_and_edit(case, tmp_path / "case", session_stores)


def with_qa(e: Edited, stores: Path) -> None:
    """`add-env qa` on the edited repository: run once per case in the whole run, its result copied into `e.repo`
    (test_add_env_keeps_hand_edits_and_follows_the_order checks what add-env does to exactly this repository)."""

    def make(root: Path) -> None:
        migrate_and_edit(e.case, root, stores)
        ok(cli("add-env", "qa", "--repo", str(root / "repo"), "--yes"))

    added = made_once(stores, f"rerun-qa-{e.case.id}", make)
    shutil.rmtree(e.repo)
    shutil.copytree(added / "repo", e.repo, symlinks=True)


# --- the full sequence --------------------------------------------------------------------------------------------
def test_add_env_keeps_hand_edits_and_follows_the_order(edited: Edited) -> None:
    e = edited
    before = tree_bytes(e.repo)
    result = ok(cli("add-env", "qa", "--repo", str(e.repo), "--yes"))
    assert "staging -> qa -> production" in result.out

    # The edits: the production overlay is untouched byte for byte; the Flux object keeps them around the new dependsOn.
    assert e.prod_kustomization.read_text(encoding="utf-8") == e.kustomization
    flux = e.prod_flux.read_text(encoding="utf-8")
    want = e.flux.replace(f"- name: {e.app}-staging\n", f"- name: {e.app}-qa\n").replace(
        "once staging is healthy", "once qa is healthy"
    )
    assert flux == want, f"flux/production.yaml:\n{flux}"
    assert "  timeout: 15m\n" in flux and FLUX_COMMENT in flux
    assert_user_files(e)

    # Order: answers, Flux dependsOn chain, promotion workflow.
    assert env_order(e.repo) == ["staging", "qa", "production"]
    assert flux_chain(e.repo, e.output, e.app) == expected_chain(["staging", "qa", "production"])
    if e.case.answers.get("ci", "github-actions") == "github-actions":
        assert promote_pairs(e.repo) == expected_pairs(["staging", "qa", "production"])
    flux_list = yaml.safe_load((e.repo / e.output / "flux" / "kustomization.yaml").read_text(encoding="utf-8"))
    assert "qa.yaml" in flux_list["resources"]

    # qa and every other overlay build with the real kustomize, without warnings; Flux objects match the CRDs.
    for env in ("staging", "qa", "production"):
        assert_builds(e.repo, e.output, env)
    if SCHEMAS.is_dir():
        for env in ("qa", "production"):
            validate_crd(yaml.safe_load((e.repo / e.output / "flux" / f"{env}.yaml").read_text(encoding="utf-8")))
    ok(cli("validate", "--repo", str(e.repo)))
    namespaces = {str(env["name"]): str(env["namespace"]) for env in saved(e.repo)["environments"]}
    assert len(set(namespaces.values())) == 3

    # Only qa's files are new; nothing outside the generated set changed.
    diff = tree_diff(before, tree_bytes(e.repo))
    added = [d.removeprefix("added ") for d in diff if d.startswith("added ")]
    changed = [d.removeprefix("changed ") for d in diff if d.startswith("changed ")]
    assert f"{e.output}/overlays/qa/kustomization.yaml" in added and f"{e.output}/flux/qa.yaml" in added
    assert all(p.startswith(f"{e.output}/overlays/qa/") or p == f"{e.output}/flux/qa.yaml" for p in added), added
    assert set(changed) <= chain_files(e.output), sorted(set(changed) - chain_files(e.output))
    assert not [d for d in diff if d.startswith("removed ")], diff
    assert_noop_rerun(e.repo)


def test_conflicting_answer_change(edited: Edited, session_stores: Path) -> None:
    e = edited
    with_qa(e, session_stores)
    _, hotfix, wanted = e.lever.values
    changed = e.lever.set(saved(e.repo), wanted)
    answers_file = e.root / "changed.yaml"
    answers_file.write_text(yaml.safe_dump(changed, sort_keys=False), encoding="utf-8")
    rel = f"{e.output}/overlays/production/{e.lever.rel}"
    in_kustomization = e.lever.rel == "kustomization.yaml"

    # --yes without a choice: exit 1, the conflicting file named, nothing written.
    before = tree_bytes(e.repo)
    result = cli("apply", "--answers", str(answers_file), "--repo", str(e.repo), "--yes")
    assert result.code == 1, result.describe()
    assert f"CONFLICT  {rel}" in result.out
    assert rel in result.err or rel in result.out
    assert "Nothing written" in result.text
    assert tree_diff(before, tree_bytes(e.repo)) == []
    # The preview shows both sides.
    assert e.lever.line(hotfix) in result.out and e.lever.line(wanted) in result.out

    copies = {}
    for choice in ("mine", "new", "markers"):
        copies[choice] = e.root / f"repo-{choice}"
        shutil.copytree(e.repo, copies[choice], symlinks=True)
        ok(cli("apply", "--answers", str(answers_file), "--repo", str(copies[choice]), "--yes", "--conflicts", choice))
        assert saved(copies[choice]) == yaml.safe_load(yaml.safe_dump(changed)), "the changed answers are saved"

    mine = (copies["mine"] / rel).read_text(encoding="utf-8")
    assert mine == e.lever_text
    new = (copies["new"] / rel).read_text(encoding="utf-8")
    assert new == e.lever_text.replace(e.lever.line(hotfix), e.lever.line(wanted))
    assert not in_kustomization or (COMMENT in new and ADDED_KEY in new)
    markers = (copies["markers"] / rel).read_text(encoding="utf-8")
    assert "<<<<<<< " in markers and "=======\n" in markers and ">>>>>>> " in markers
    assert e.lever.line(hotfix) in markers and e.lever.line(wanted) in markers
    assert not in_kustomization or (COMMENT in markers and ADDED_KEY in markers)

    for choice in ("mine", "new"):
        assert_builds(copies[choice], e.output, "production")
        assert_user_files(Edited(e.case, e.root, copies[choice], e.kustomization, e.flux, e.lever, e.lever_text))
        assert_noop_rerun(copies[choice])  # settled: the next run has nothing to do


def test_remove_env_removes_only_its_files(edited: Edited, session_stores: Path) -> None:
    e = edited
    before_add = tree_bytes(e.repo)
    with_qa(e, session_stores)
    before = tree_bytes(e.repo)
    result = ok(cli("remove-env", "qa", "--repo", str(e.repo), "--yes"))
    assert "staging -> production" in result.out
    after = tree_bytes(e.repo)

    diff = tree_diff(before, after)
    removed = [d.removeprefix("removed ") for d in diff if d.startswith("removed ")]
    changed = [d.removeprefix("changed ") for d in diff if d.startswith("changed ")]
    assert f"{e.output}/flux/qa.yaml" in removed
    assert f"{e.output}/overlays/qa/kustomization.yaml" in removed
    assert not (e.repo / e.output / "overlays" / "qa").exists()
    assert all(p.startswith(f"{e.output}/overlays/qa/") or p == f"{e.output}/flux/qa.yaml" for p in removed), removed
    assert set(changed) <= chain_files(e.output), sorted(set(changed) - chain_files(e.output))
    assert not [d for d in diff if d.startswith("added ")], diff

    # Back where it was before qa: edits, user files, chain and workflow as they were, byte for byte.
    assert tree_diff(before_add, after) == []
    assert flux_chain(e.repo, e.output, e.app) == expected_chain(["staging", "production"])
    assert e.prod_kustomization.read_text(encoding="utf-8") == e.kustomization
    assert e.prod_flux.read_text(encoding="utf-8") == e.flux
    assert_user_files(e)
    assert_noop_rerun(e.repo)


def test_deleted_generated_file_is_reported_not_recreated(edited: Edited) -> None:
    e = edited
    deleted = e.repo / MIGRATION_FILE
    deleted.unlink()
    result = ok(cli("add-env", "qa", "--repo", str(e.repo), "--yes"))
    assert f"{MIGRATION_FILE}  (you deleted it; not recreated)" in result.out, result.describe()
    assert not deleted.exists()
    assert_noop_rerun(e.repo)
    assert not deleted.exists()


# --- options and refusals (one fixture is enough) -----------------------------------------------------------------
def _first_case() -> Case:
    # Named, not "the first that runs today": new fixtures (a catch-all Ingress, say) must not change the subject.
    return next(c for c in ALL_CASES if c.id == "kustomization-adopt")


@pytest.fixture
def plain(tmp_path: Path) -> Edited:
    return migrate_and_edit(_first_case(), tmp_path / "case")


def test_add_env_after_and_from(plain: Edited) -> None:
    e = plain
    ok(cli("add-env", "canary", "--repo", str(e.repo), "--after", "production", "--from", "staging", "--yes"))
    order = ["staging", "production", "canary"]
    assert env_order(e.repo) == order
    assert flux_chain(e.repo, e.output, e.app) == expected_chain(order)
    if e.case.answers.get("ci", "github-actions") == "github-actions":
        assert promote_pairs(e.repo) == expected_pairs(order)
    envs = {str(x["name"]): x for x in saved(e.repo)["environments"]}
    for key in ("replicas", "resources", "config", "autoscaling", "image_tag", "services"):
        assert envs["canary"].get(key) == envs["staging"].get(key), key
    assert "host" not in envs["canary"] and not envs["canary"].get("current")
    assert envs["canary"]["namespace"] not in {envs["staging"]["namespace"], envs["production"]["namespace"]}
    assert_builds(e.repo, e.output, "canary")
    assert e.prod_kustomization.read_text(encoding="utf-8") == e.kustomization
    assert "  timeout: 15m\n" in e.prod_flux.read_text(encoding="utf-8")
    assert_noop_rerun(e.repo)


def test_add_env_namespace_flag(plain: Edited) -> None:
    ok(cli("add-env", "qa", "--repo", str(plain.repo), "--namespace", "team-qa", "--yes"))
    envs = {str(x["name"]): x for x in saved(plain.repo)["environments"]}
    assert envs["qa"]["namespace"] == "team-qa"
    assert "namespace: team-qa" in (plain.repo / plain.output / "overlays" / "qa" / "kustomization.yaml").read_text()


@pytest.mark.parametrize(
    "argv",
    [
        ("add-env", "staging"),  # exists
        ("add-env", "QA"),  # not a DNS label
        ("add-env", "qa", "--after", "nope"),
        ("add-env", "qa", "--from", "nope"),
        ("add-env", "qa", "--namespace", "shop_qa"),
        ("remove-env", "production"),  # runs today
        ("remove-env", "nope"),
    ],
)
def test_bad_requests_exit_2_and_write_nothing(plain: Edited, argv: tuple[str, ...]) -> None:
    before = tree_bytes(plain.repo)
    result = cli(*argv, "--repo", str(plain.repo), "--yes")
    assert result.code == 2, result.describe()
    assert result.err.startswith("error: ")
    assert tree_diff(before, tree_bytes(plain.repo)) == []


def test_namespace_clash_is_bad_input(plain: Edited) -> None:
    staging_ns = next(str(x["namespace"]) for x in saved(plain.repo)["environments"] if x["name"] == "staging")
    before = tree_bytes(plain.repo)
    result = cli("add-env", "qa", "--repo", str(plain.repo), "--namespace", staging_ns, "--yes")
    assert result.code == 2, result.describe()
    assert "namespace" in result.err
    assert tree_diff(before, tree_bytes(plain.repo)) == []


def test_dry_run_and_no_terminal_write_nothing(plain: Edited) -> None:
    before = tree_bytes(plain.repo)
    result = ok(cli("add-env", "qa", "--repo", str(plain.repo), "--dry-run"))
    assert f"create    {plain.output}/overlays/qa/kustomization.yaml" in result.out
    assert "dry run: nothing written" in result.out
    result = cli("remove-env", "staging", "--repo", str(plain.repo))  # stdin is not a terminal, no --yes
    assert result.code == 1
    assert tree_diff(before, tree_bytes(plain.repo)) == []


def test_without_saved_answers(tmp_path: Path) -> None:
    result = cli("add-env", "qa", "--repo", str(tmp_path), "--yes")
    assert result.code == 2
    assert ".k8s-wizard.yaml" in result.err and "apply" in result.err
    assert list(tmp_path.iterdir()) == []


def test_replicas_conflict_on_a_small_repo(tmp_path: Path) -> None:
    """The issue's own example: production's replicas line edited by hand, then changed in the answers."""
    repo = _web_repo(tmp_path)
    answers = {
        "version": 1,
        "app": "web",
        "source": "manifests",
        "environments": [
            {"name": "staging", "namespace": "web-staging", "replicas": 1},
            {"name": "production", "namespace": "web", "current": True, "replicas": 3},
        ],
        "flux": {"url": "https://github.com/acme/web.git", "branch": "main"},
    }
    answers_file = tmp_path / "answers.yaml"
    answers_file.write_text(yaml.safe_dump(answers, sort_keys=False), encoding="utf-8")
    ok(cli("apply", "--answers", str(answers_file), "--repo", str(repo), "--yes"))
    # Replica counts live in the kind's patch file (one multi-document file per kind: cheaper to build).
    kpath = repo / "k8s" / "overlays" / "production" / "patches" / "deployment.yaml"
    kpath.write_text(replace_once(kpath.read_text(encoding="utf-8"), "replicas: 3\n", "replicas: 4  # load test\n"))
    ok(cli("add-env", "qa", "--repo", str(repo), "--yes"))
    assert "replicas: 4  # load test\n" in kpath.read_text(encoding="utf-8")

    changed = saved(repo)
    changed["environments"][-1]["replicas"] = 5
    answers_file.write_text(yaml.safe_dump(changed, sort_keys=False), encoding="utf-8")
    before = tree_bytes(repo)
    result = cli("apply", "--answers", str(answers_file), "--repo", str(repo), "--yes")
    assert result.code == 1 and "k8s/overlays/production/patches/deployment.yaml" in result.err, result.describe()
    assert tree_diff(before, tree_bytes(repo)) == []
    ok(cli("apply", "--answers", str(answers_file), "--repo", str(repo), "--yes", "--conflicts", "new"))
    assert "replicas: 5\n" in kpath.read_text(encoding="utf-8")
    assert_builds(repo, "k8s", "production")


# --- the answers file is an input too: the user's comments and formatting there are edits to keep ----------------
HAND_WRITTEN = """\
# Our shop. Ask #platform before changing the namespaces.
version: 1
app: shop
source: manifests
environments:
  - name: staging
    namespace: shop-staging
    replicas: 1  # enough for the smoke tests
    resources:
      requests: {cpu: 100m, memory: 128Mi}
  - name: production
    current: true
    namespace: shop
flux: {url: "https://github.com/acme/shop.git", branch: main}
"""


def _web_repo(root: Path) -> Path:
    repo = root / "repo"
    (repo / "manifests").mkdir(parents=True)
    (repo / "manifests" / "web.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 2\n"
        "  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n"
        "    spec:\n      containers:\n        - name: web\n          image: ghcr.io/acme/web:1.2.3\n",
        encoding="utf-8",
    )
    return repo


def test_hand_written_answers_file_in_the_repo(tmp_path: Path) -> None:
    """`apply` with the default answers (<repo>/.k8s-wizard.yaml) keeps the file as written; add-env and
    remove-env change only the environments in it, keeping the comments; the tree follows the answers."""
    repo = _web_repo(tmp_path)
    answers = repo / ANSWERS
    answers.write_text(HAND_WRITTEN, encoding="utf-8")
    result = ok(cli("apply", "--repo", str(repo), "--yes"))
    assert "CONFLICT" not in result.out
    assert answers.read_text(encoding="utf-8") == HAND_WRITTEN
    assert_noop_rerun(repo)

    ok(cli("add-env", "qa", "--repo", str(repo), "--yes"))
    text = answers.read_text(encoding="utf-8")
    assert "# Our shop. Ask #platform before changing the namespaces.\n" in text
    assert "replicas: 1  # enough for the smoke tests\n" in text
    assert env_order(repo) == ["staging", "qa", "production"]
    assert flux_chain(repo, "k8s", "shop") == expected_chain(["staging", "qa", "production"])
    assert_builds(repo, "k8s", "qa")
    assert_noop_rerun(repo)

    ok(cli("remove-env", "qa", "--repo", str(repo), "--yes"))
    text = answers.read_text(encoding="utf-8")
    assert "replicas: 1  # enough for the smoke tests\n" in text and "qa" not in text
    assert yaml.safe_load(text) == yaml.safe_load(HAND_WRITTEN) | {"environments": yaml.safe_load(text)["environments"]}
    assert env_order(repo) == ["staging", "production"]
    assert not (repo / "k8s" / "overlays" / "qa").exists()
    assert_noop_rerun(repo)


def test_comment_on_an_answer_is_not_a_conflict(tmp_path: Path) -> None:
    """After a normal apply, the user changes an answer in .k8s-wizard.yaml and comments it: re-runs merge."""
    repo = _web_repo(tmp_path)
    answers_file = tmp_path / "answers.yaml"
    answers_file.write_text(HAND_WRITTEN, encoding="utf-8")
    ok(cli("apply", "--answers", str(answers_file), "--repo", str(repo), "--yes"))
    saved_file = repo / ANSWERS
    edited = replace_once(saved_file.read_text(encoding="utf-8"), "    replicas: 1\n", "    replicas: 2  # load test\n")
    saved_file.write_text(edited, encoding="utf-8")

    result = ok(cli("apply", "--repo", str(repo), "--yes"))  # the changed answer is applied
    assert "CONFLICT" not in result.out
    assert saved_file.read_text(encoding="utf-8") == edited
    assert "replicas: 2\n" in (repo / "k8s" / "overlays" / "staging" / "patches" / "deployment.yaml").read_text(encoding="utf-8")
    ok(cli("add-env", "qa", "--repo", str(repo), "--from", "staging", "--yes"))
    text = saved_file.read_text(encoding="utf-8")
    assert "    replicas: 2  # load test\n" in text
    assert "replicas: 2\n" in (repo / "k8s" / "overlays" / "qa" / "patches" / "deployment.yaml").read_text(encoding="utf-8")
    assert_noop_rerun(repo)


def test_remove_env_leaves_the_users_files_and_stops_on_edited_ones(plain: Edited) -> None:
    e = plain
    ok(cli("add-env", "qa", "--repo", str(e.repo), "--yes"))
    qa = e.repo / e.output / "overlays" / "qa"
    mine = qa / "secrets" / "api.sealedsecret.yaml"
    mine.parent.mkdir(parents=True)
    mine.write_text("# sealed by hand\n", encoding="utf-8")

    # An edited qa file: removing it would lose the edit, so --yes stops (exit 1, nothing written).
    kustomization = qa / "kustomization.yaml"
    original = kustomization.read_text(encoding="utf-8")
    kustomization.write_text(original + "# tuned for the load test\n", encoding="utf-8")
    before = tree_bytes(e.repo)
    result = cli("remove-env", "qa", "--repo", str(e.repo), "--yes")
    assert result.code == 1, result.describe()
    assert f"CONFLICT  {e.output}/overlays/qa/kustomization.yaml  (no longer generated, but you edited it)" in result.out
    assert tree_diff(before, tree_bytes(e.repo)) == []

    kustomization.write_text(original, encoding="utf-8")
    result = ok(cli("remove-env", "qa", "--repo", str(e.repo), "--yes"))
    assert f"  {e.output}/overlays/qa/secrets/api.sealedsecret.yaml" in result.out
    assert mine.read_text(encoding="utf-8") == "# sealed by hand\n"
    assert not kustomization.exists() and not (e.repo / e.output / "flux" / "qa.yaml").exists()
    assert_noop_rerun(e.repo)
