"""Bad input is refused cleanly: exit 2, a message naming the file, key or line, no traceback, nothing written.

Every case here passed or crashed before (issue 10): alias bombs and absurd nesting, duplicate keys in
manifests and answers, the same object twice, a name that is a list, fields of the wrong shape, an
answers file that never ends (/dev/zero), environments named after generated files, outputs inside .git,
equal to or inside the source, or with a newline, `plan --output` over files the tool does not own, and
a source reached through a symlink that leads outside the repository.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
import yaml
from conftest import run_cli
from kube import FIXTURES

ANSWERS = yaml.safe_load((FIXTURES / "plain-folder" / "answers.yaml").read_text(encoding="utf-8"))
BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(9)
)


def repo_with(tmp_path: Path, answers: dict | str | None = None) -> tuple[Path, Path]:
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURES / "plain-folder" / "manifests", repo / "manifests")
    answers_file = tmp_path / "answers.yaml"
    text = answers if isinstance(answers, str) else yaml.safe_dump(answers or ANSWERS, sort_keys=False)
    answers_file.write_text(text, encoding="utf-8")
    return repo, answers_file


def tree(path: Path) -> dict[str, bytes]:
    return {p.relative_to(path).as_posix(): p.read_bytes() for p in path.rglob("*") if p.is_file()}


def refused(tmp_path: Path, repo: Path, answers: Path, *expected: str, extra: tuple[str, ...] = ()) -> str:
    """apply must exit 2 with every `expected` fragment, no traceback, and leave the tree as it was."""
    before = tree(tmp_path)
    start = time.monotonic()
    result = run_cli("apply", "--answers", str(answers), "--repo", str(repo), "--yes", *extra)
    assert time.monotonic() - start < 10, "refusing must be quick"
    assert result.code == 2, result.describe()
    for fragment in expected:
        assert fragment in result.err, result.describe()
    assert "Traceback" not in result.text and "internal error" not in result.text
    assert tree(tmp_path) == before, "nothing may be written"
    return result.err


MANIFEST_CASES = {
    "alias bomb": (BOMB, "manifests/bomb.yaml:7: expands to more than 1,000,000 nodes"),
    "ten levels of aliases": (BOMB + "k: &k [*j, *j, *j, *j, *j, *j, *j, *j, *j]\n", "expands to more than"),
    "recursive alias": ("a: &a [*a]\n", "manifests/bomb.yaml:1: an alias refers to a node that contains it"),
    "absurd nesting": ("a: " + "[" * 500 + "]" * 500 + "\n", "nested more than 200 levels deep"),
    "duplicate key": ("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata:\n  A: '1'\n  A: '2'\n",
                      "manifests/bomb.yaml:6: duplicate key 'A'"),
    "name is a list": ("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: [a, b]}\n", "metadata.name must be a name"),
    "kind is a number": ("apiVersion: v1\nkind: 7\nmetadata: {name: x}\n", "kind must be a non-empty string"),
    "data is a list": ("apiVersion: v1\nkind: Secret\nmetadata: {name: x}\ndata: [a]\n",
                       "Secret/x: data must be a mapping, got list"),
    "secret data with a number key": ("apiVersion: v1\nkind: Secret\nmetadata: {name: x}\ndata: {1: eA==}\n", None),
    "containers is a string": (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  selector: {matchLabels: {a: b}}\n"
        "  template:\n    metadata: {labels: {a: b}}\n    spec: {containers: nope}\n",
        "Deployment/d: spec.template.spec.containers must be a list of mappings, got str"),
    "impossible date": ("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: when}\ndata: {at: 2001-13-45}\n", None),
}


@pytest.mark.parametrize("case", sorted(MANIFEST_CASES))
def test_bad_manifests_are_refused_quickly_and_cleanly(tmp_path: Path, case: str) -> None:
    text, expected = MANIFEST_CASES[case]
    repo, answers = repo_with(tmp_path)
    (repo / "manifests" / "bomb.yaml").write_text(text, encoding="utf-8")
    if expected is None:  # odd but valid: must simply work
        result = run_cli("plan", "--answers", str(answers), "--repo", str(repo), "--format", "json")
        assert result.code in (0, 1), result.describe()
        return
    refused(tmp_path, repo, answers, expected)


def test_the_same_object_twice_is_refused(tmp_path: Path) -> None:
    repo, answers = repo_with(tmp_path)
    first = next(p for p in sorted((repo / "manifests").glob("*.yaml")) if "kind: Service\n" in p.read_text())
    shutil.copy(first, repo / "manifests" / "zz-copy.yaml")
    refused(tmp_path, repo, answers, "manifests/zz-copy.yaml: Service/", "is defined twice (also in manifests/")


def test_source_through_a_symlink_outside_is_refused_before_reading(tmp_path: Path) -> None:
    repo, answers = repo_with(tmp_path)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "secret.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: s}\ndata: {K: OUTSIDE-7}\n")
    (repo / "manifests" / "linked.yaml").symlink_to(outside / "secret.yaml")
    err = refused(tmp_path, repo, answers, "manifests/linked.yaml: a symlink that leads outside the repository")
    assert "OUTSIDE-7" not in err
    (repo / "manifests" / "linked.yaml").unlink()
    (repo / "other").symlink_to(outside, target_is_directory=True)
    refused(tmp_path, repo, repo_with_answers(tmp_path, source="other"), "source: 'other' leads outside the repository")


def repo_with_answers(tmp_path: Path, **changes: object) -> Path:
    path = tmp_path / "answers.yaml"
    path.write_text(yaml.safe_dump({**ANSWERS, **changes}, sort_keys=False), encoding="utf-8")
    return path


ANSWER_CASES = {
    "environment named source": ({"environments": [{"name": "source"}, ANSWERS["environments"][-1]]},
                                 "environments[0].name: 'source' is reserved"),
    "environment named kustomization": ({"environments": [ANSWERS["environments"][-1], {"name": "kustomization"}]},
                                        "environments[1].name: 'kustomization' is reserved"),
    "output in .git": ({"output": ".git/k8s"}, "output: must not be inside .git/"),
    "output is .k8s-wizard": ({"output": ".k8s-wizard"}, "output: must not be inside .k8s-wizard/"),
    "output is the source": ({"output": "manifests"}, "output: is the source folder"),
    "output inside the source": ({"output": "manifests/k8s"}, "output: is inside the source folder"),
    "output with a newline": ({"output": "k8s\nevil"}, "output: "),
    "source with a tab": ({"source": "manifests\t"}, "source: contains a control character"),
}


@pytest.mark.parametrize("case", sorted(ANSWER_CASES))
def test_answers_that_would_overwrite_or_misplace_files_are_refused(tmp_path: Path, case: str) -> None:
    changes, expected = ANSWER_CASES[case]
    repo, answers = repo_with(tmp_path, {**ANSWERS, **changes})
    refused(tmp_path, repo, answers, expected)


def test_duplicate_keys_in_answers_and_an_endless_answers_file(tmp_path: Path) -> None:
    text = yaml.safe_dump(ANSWERS, sort_keys=False) + "app: other\n"
    repo, answers = repo_with(tmp_path, text)
    line = len(text.splitlines())
    refused(tmp_path, repo, answers, f"answers.yaml:{line}: duplicate key 'app'")
    for endless in ("/dev/zero", "/dev/urandom"):
        refused(tmp_path, repo, Path(endless), f"{endless}: not a regular file")
    huge = tmp_path / "huge.yaml"
    with huge.open("wb") as fh:
        fh.truncate(64 * 1024 * 1024)
    refused(tmp_path, repo, huge, "larger than 1 MiB")
    huge.unlink()


def test_plan_output_writes_only_its_own_files(tmp_path: Path) -> None:
    repo, answers = repo_with(tmp_path)
    assert run_cli("apply", "--answers", str(answers), "--repo", str(repo), "--yes").code == 0
    (repo / ".git").mkdir()
    (repo / ".git" / "config").write_text("[core]\n", encoding="utf-8")
    protected = {".git/config": "inside .git/", "manifests/vote-deployment.yaml": "in the source folder",
                 ".k8s-wizard.yaml": "reads or generates", "MIGRATION.md": "reads or generates",
                 ".k8s-wizard/generated.json": "inside .k8s-wizard/", str(tmp_path / "out.md"): "outside the repository",
                 "/etc/hostname": "outside the repository"}
    for target, why in protected.items():
        before = tree(tmp_path)
        result = run_cli("plan", "--answers", str(answers), "--repo", str(repo), "--output", str(repo / target))
        assert result.code == 2 and why in result.err and "Traceback" not in result.text, result.describe()
        assert tree(tmp_path) == before
    notes = repo / "notes.md"
    notes.write_text("mine\n", encoding="utf-8")
    result = run_cli("plan", "--answers", str(answers), "--repo", str(repo), "--output", str(notes))
    assert result.code == 2 and "was not written by `plan --output`" in result.err
    assert notes.read_text() == "mine\n"
    for _ in range(2):  # a new file, then the same file again: both fine
        result = run_cli("plan", "--answers", str(answers), "--repo", str(repo), "--output", str(repo / "docs/plan.md"))
        assert result.code == 0, result.describe()
    (repo / "docs/plan.md").write_text("edited\n", encoding="utf-8")
    result = run_cli("plan", "--answers", str(answers), "--repo", str(repo), "--output", str(repo / "docs/plan.md"))
    assert result.code == 2 and "was edited since" in result.err
    assert (repo / "docs/plan.md").read_text() == "edited\n"


@pytest.mark.parametrize("key", ["source", "output"])
def test_a_folder_name_too_long_for_the_file_system_is_refused(tmp_path: Path, key: str) -> None:
    repo, answers = repo_with(tmp_path, {**ANSWERS, key: "x" * 300})
    refused(tmp_path, repo, answers, f"{key}: is too long for a folder")
