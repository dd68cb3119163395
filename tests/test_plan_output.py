"""Issue 9 item 12: `plan --output` outside the repository, the plan's file list, a read-only claim's new volume."""

from __future__ import annotations

from pathlib import Path

from conftest import ALL_CASES, make_repo, run_cli
from kube import tree_bytes, tree_diff

CASES = {c.id: c for c in ALL_CASES}


def test_plan_output_outside_the_repository_is_a_clean_exit_2(tmp_path: Path) -> None:
    repo, answers = make_repo(CASES["plain-folder"], tmp_path)
    before = tree_bytes(tmp_path)
    for outside in (str(tmp_path / "elsewhere" / "plan.md"), "/tmp/../plan-outside.md", str(repo.parent / "x.md")):
        result = run_cli("plan", "--repo", str(repo), "--answers", str(answers), "--output", outside)
        assert result.code == 2, result.describe()
        assert "Traceback" not in result.text and "outside the repository" in result.err
    assert tree_diff(before, tree_bytes(tmp_path)) == []
    inside = run_cli("plan", "--repo", str(repo), "--answers", str(answers), "--output", str(repo / "PLAN.md"))
    assert inside.code == 0 and (repo / "PLAN.md").is_file(), inside.describe()


def test_the_plans_file_changes_are_one_per_line(tmp_path: Path) -> None:
    repo, answers = make_repo(CASES["plain-folder"], tmp_path)
    result = run_cli("plan", "--repo", str(repo), "--answers", str(answers))
    assert result.code == 0, result.describe()
    section = result.out.split("## File changes", 1)[1].strip().splitlines()
    assert len(section) > 10 and all(line.startswith("- create `") for line in section), section[:3]


def test_a_read_only_claim_that_gets_a_new_volume_is_a_warning(tmp_path: Path) -> None:
    repo, answers = make_repo(CASES["readonly-volume"], tmp_path)
    result = run_cli("plan", "--repo", str(repo), "--answers", str(answers), "--format", "json")
    assert result.code == 0, result.describe()
    import json

    findings = [f for f in json.loads(result.out)["findings"] if f["code"] == "claim-new-volume"]
    assert [f["level"] for f in findings] == ["warning"] and "ReadOnlyMany" in findings[0]["message"]
