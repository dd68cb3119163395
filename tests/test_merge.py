"""Tests for the three-way merge used when re-generating files the user may have edited."""

from __future__ import annotations

import random
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from wizard.core.errors import InputError
from wizard.core.write.merge import (
    MARK_BASE,
    MARK_OURS,
    MARK_SEP,
    MARK_THEIRS,
    Conflict,
    MergeResult,
    merge3,
    resolve,
    with_markers,
)

BASE = "a\nb\nc\nd\ne\nf\ng\n"


def lines(*items: str) -> str:
    """Join items into newline-terminated text."""
    return "".join(f"{item}\n" for item in items)


# --- basic behaviour ---------------------------------------------------------------------------


def test_nothing_changed() -> None:
    result = merge3(BASE, BASE, BASE)
    assert result == MergeResult(BASE, ())
    assert result.clean


def test_only_ours_changed() -> None:
    ours = BASE.replace("c\n", "C\n")
    assert merge3(BASE, ours, BASE) == MergeResult(ours, ())


def test_only_theirs_changed() -> None:
    theirs = BASE.replace("c\n", "C\n") + "h\n"
    assert merge3(BASE, BASE, theirs) == MergeResult(theirs, ())


def test_both_changed_far_apart() -> None:
    ours = BASE.replace("b\n", "B\n")
    theirs = BASE.replace("f\n", "F\n")
    assert merge3(BASE, ours, theirs).text == lines("a", "B", "c", "d", "e", "F", "g")


def test_changes_separated_by_one_line_are_clean() -> None:
    ours = BASE.replace("b\n", "B\n")
    theirs = BASE.replace("d\n", "D\n")
    result = merge3(BASE, ours, theirs)
    assert result.clean
    assert result.text == lines("a", "B", "c", "D", "e", "f", "g")


def test_identical_change_on_both_sides_taken_once() -> None:
    both = BASE.replace("c\n", "C\nC2\n")
    result = merge3(BASE, both, both)
    assert result.clean
    assert result.text == both


def test_identical_insertion_taken_once() -> None:
    both = BASE.replace("c\n", "c\nnew\n")
    assert merge3(BASE, both, both) == MergeResult(both, ())


def test_both_deleted_same_line() -> None:
    both = BASE.replace("d\n", "")
    assert merge3(BASE, both, both) == MergeResult(both, ())


def test_overlapping_different_changes_conflict() -> None:
    ours = BASE.replace("c\n", "mine\n")
    theirs = BASE.replace("c\n", "new\n")
    result = merge3(BASE, ours, theirs)
    assert not result.clean
    assert result.text == ours
    assert result.conflicts == (Conflict(line=3, ours=("mine",), theirs=("new",), base=("c",)),)


def test_insertions_at_same_point_conflict_unless_identical() -> None:
    ours = BASE.replace("c\n", "c\nx\n")
    theirs = BASE.replace("c\n", "c\ny\n")
    result = merge3(BASE, ours, theirs)
    assert result.conflicts == (Conflict(line=4, ours=("x",), theirs=("y",), base=()),)
    assert result.text == ours


def test_insertion_at_start_and_end() -> None:
    ours = "top\n" + BASE
    theirs = BASE + "bottom\n"
    assert merge3(BASE, ours, theirs) == MergeResult("top\n" + BASE + "bottom\n", ())


def test_adjacent_line_edits_conflict_like_git() -> None:
    # git merge-file treats changes whose base ranges touch as one conflict; so do we.
    ours = BASE.replace("b\n", "B\n")
    theirs = BASE.replace("c\n", "C\n")
    result = merge3(BASE, ours, theirs)
    assert result.conflicts == (Conflict(line=2, ours=("B", "c"), theirs=("b", "C"), base=("b", "c")),)


def test_delete_versus_edit_conflicts() -> None:
    ours = BASE.replace("d\n", "")
    theirs = BASE.replace("d\n", "D\n")
    result = merge3(BASE, ours, theirs)
    assert result.conflicts == (Conflict(line=4, ours=(), theirs=("D",), base=("d",)),)
    assert result.text == ours


def test_conflict_line_numbers_follow_merged_output() -> None:
    base = lines(*"abcdefghij")
    ours = lines("new1", "new2", *"abc", "X", *"efghi", "Y")
    theirs = lines(*"abc", "Z", *"efghi", "W")
    result = merge3(base, ours, theirs)
    assert [c.line for c in result.conflicts] == [6, 12]
    assert result.text.splitlines()[5] == "X"
    assert result.text.splitlines()[11] == "Y"


def test_several_conflicts_and_clean_hunks() -> None:
    base = lines(*"abcdefghijklmn")
    ours = lines("a", "B1", *"cdefg", "H1", *"ijklmn")
    theirs = lines("a", "B2", *"cdefgh", "i", "j", "K", "l", "m", "n")
    result = merge3(base, ours, theirs)
    assert len(result.conflicts) == 1
    assert result.conflicts[0].ours == ("B1",)
    assert "K\n" in result.text and "H1\n" in result.text


# --- line endings --------------------------------------------------------------------------------


def test_missing_final_newline_preserved() -> None:
    base = "a\nb\nc"
    ours = "A\nb\nc"
    theirs = "a\nb\nC"
    assert merge3(base, ours, theirs) == MergeResult("A\nb\nC", ())


def test_missing_final_newline_kept_from_ours() -> None:
    base = "a\nb\nc\n"
    ours = "a\nb\nc"  # the user's editor dropped the final newline
    theirs = "A\nb\nc\n"
    assert merge3(base, ours, theirs).text == "A\nb\nc"


def test_adding_final_newline_counts_as_a_change() -> None:
    assert merge3("a\nb", "a\nb\n", "a\nb").text == "a\nb\n"


def test_crlf_preserved() -> None:
    base = "a\r\nb\r\nc\r\nd\r\n"
    ours = "A\r\nb\r\nc\r\nd\r\n"
    theirs = "a\r\nb\r\nc\r\nD\r\n"
    assert merge3(base, ours, theirs) == MergeResult("A\r\nb\r\nc\r\nD\r\n", ())


def test_crlf_markers_and_stripped_conflict_lines() -> None:
    base = "a\r\nb\r\nc\r\n"
    ours = "a\r\nX\r\nc\r\n"
    theirs = "a\r\nY\r\nc\r\n"
    result = merge3(base, ours, theirs)
    assert result.conflicts == (Conflict(line=2, ours=("X",), theirs=("Y",), base=("b",)),)
    marked = with_markers(base, ours, theirs)
    assert f"{MARK_OURS}\r\nX\r\n{MARK_BASE}\r\nb\r\n{MARK_SEP}\r\nY\r\n{MARK_THEIRS}\r\n" in marked


def test_lone_carriage_return_is_not_a_line_break() -> None:
    base = "a\rb\nc\n"
    ours = "a\rb\nC\n"
    assert merge3(base, ours, base).text == ours


def test_empty_inputs() -> None:
    assert merge3("", "", "") == MergeResult("", ())
    assert merge3("", "", "new\n") == MergeResult("new\n", ())
    assert merge3("", "mine\n", "") == MergeResult("mine\n", ())
    result = merge3("", "mine\n", "new\n")
    assert result.conflicts == (Conflict(line=1, ours=("mine",), theirs=("new",), base=()),)


def test_markers_add_newline_to_unterminated_last_line() -> None:
    marked = with_markers("a\nb", "a\nX", "a\nY")
    assert marked == f"a\n{MARK_OURS}\nX\n{MARK_BASE}\nb\n{MARK_SEP}\nY\n{MARK_THEIRS}\n"


# --- markers and resolve ---------------------------------------------------------------------------


def test_with_markers_layout() -> None:
    ours = BASE.replace("c\n", "mine\n").replace("g\n", "G\n")
    theirs = BASE.replace("c\n", "new\n")
    marked = with_markers(BASE, ours, theirs)
    assert marked == (
        "a\nb\n"
        "<<<<<<< yours (on disk)\nmine\n"
        "||||||| generated last time\nc\n"
        "=======\nnew\n"
        ">>>>>>> k8s-wizard (new)\n"
        "d\ne\nf\nG\n"
    )


def test_with_markers_clean_merge_has_no_markers() -> None:
    ours = BASE.replace("b\n", "B\n")
    theirs = BASE.replace("f\n", "F\n")
    assert with_markers(BASE, ours, theirs) == merge3(BASE, ours, theirs).text


def test_resolve_choices() -> None:
    ours = BASE.replace("c\n", "mine\n").replace("a\n", "A\n")
    theirs = BASE.replace("c\n", "new\n").replace("g\n", "G\n")
    assert resolve(BASE, ours, theirs, "mine") == lines("A", "b", "mine", "d", "e", "f", "G")
    assert resolve(BASE, ours, theirs, "new") == lines("A", "b", "new", "d", "e", "f", "G")
    assert resolve(BASE, ours, theirs, "markers") == with_markers(BASE, ours, theirs)
    assert resolve(BASE, ours, theirs, "mine") == merge3(BASE, ours, theirs).text


def test_resolve_rejects_unknown_choice() -> None:
    with pytest.raises(InputError, match="theirs"):
        resolve(BASE, BASE, BASE, "theirs")  # type: ignore[arg-type]


# --- the realistic case -----------------------------------------------------------------------------

KUSTOMIZATION_BASE = """\
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: shop-staging
resources:
  - ../../base
images:
  - name: ghcr.io/acme/shop
    newTag: "1.4.2"
patches:
  - path: replicas.yaml
    target:
      kind: Deployment
      name: shop
configMapGenerator:
  - name: shop-config
    literals:
      - LOG_LEVEL=info
      - ENVIRONMENT=staging
"""


def test_user_edits_and_tool_additions_merge_cleanly(tmp_path: Path) -> None:
    ours = (
        KUSTOMIZATION_BASE.replace('newTag: "1.4.2"', 'newTag: "1.5.0"')
        .replace("patches:\n", "# replicas are tuned by hand, see OPS-123\npatches:\n")
        .replace("      name: shop\n", "      name: shop\n  - path: resources.yaml\n")
    )
    theirs = KUSTOMIZATION_BASE.replace(
        "      - ENVIRONMENT=staging\n", "      - ENVIRONMENT=staging\n      - REGION=eu-west-1\n"
    )
    result = merge3(KUSTOMIZATION_BASE, ours, theirs)
    assert result.clean
    assert 'newTag: "1.5.0"' in result.text
    assert "# replicas are tuned by hand, see OPS-123\npatches:\n" in result.text
    assert "  - path: resources.yaml\n" in result.text
    assert result.text.endswith("      - ENVIRONMENT=staging\n      - REGION=eu-west-1\n")
    assert result.text == ours + "      - REGION=eu-west-1\n"
    if shutil.which("git"):
        assert git_merge(KUSTOMIZATION_BASE, ours, theirs, tmp_path) == (result.text, 0)


def test_patch_file_user_value_and_tool_value_conflict() -> None:
    base = "spec:\n  replicas: 2\n  template:\n    spec:\n      containers: []\n"
    ours = base.replace("replicas: 2", "replicas: 5")
    theirs = base.replace("replicas: 2", "replicas: 3")
    result = merge3(base, ours, theirs)
    assert result.conflicts == (Conflict(line=2, ours=("  replicas: 5",), theirs=("  replicas: 3",), base=("  replicas: 2",)),)
    assert resolve(base, ours, theirs, "new") == theirs


# --- speed -------------------------------------------------------------------------------------------


def test_large_files_are_fast() -> None:
    rng = random.Random(7)
    base_lines = [f"  key{i}: value-{rng.randrange(10**6)}" if i % 5 else "  labels:" for i in range(5000)]
    ours_lines = list(base_lines)
    theirs_lines = list(base_lines)
    for i in range(0, 5000, 97):
        ours_lines[i] = ours_lines[i] + " # mine"
    for i in range(40, 5000, 89):
        theirs_lines.insert(i, f"  added{i}: true")
    base = lines(*base_lines)
    start = time.perf_counter()
    result = merge3(base, lines(*ours_lines), lines(*theirs_lines))
    assert time.perf_counter() - start < 5
    assert result.text.count(" # mine") + sum(len(c.ours) for c in result.conflicts) >= 50


def test_heavily_edited_large_file_still_merges_exactly() -> None:
    rng = random.Random(11)
    base_lines = [f"  key{i}: {rng.randrange(10**6)}" if i % 4 else "  labels:" for i in range(5000)]
    ours_lines = [line + " #" if rng.random() < 0.4 else line for line in base_lines]
    base, ours = lines(*base_lines), lines(*ours_lines)
    theirs = base.replace("  key1:", "  key1-renamed:")
    start = time.perf_counter()
    assert merge3(base, ours, base) == MergeResult(ours, ())
    assert merge3(base, base, ours) == MergeResult(ours, ())
    result = merge3(base, ours, theirs)
    assert time.perf_counter() - start < 5
    assert len(result.text) >= len(ours) - 10


def test_one_sided_changes_are_always_taken_verbatim() -> None:
    rng = random.Random(3)
    for _ in range(300):
        base = "".join(rng.choice(["a\n", "b\n", "c\r\n", "\n", "d"]) for _ in range(rng.randint(0, 12)))
        other = "".join(rng.choice(["a\n", "b\n", "x\n", "\n", "c\r\n"]) for _ in range(rng.randint(0, 12)))
        assert merge3(base, other, base) == MergeResult(other, ())
        assert merge3(base, base, other) == MergeResult(other, ())
        assert merge3(base, other, other) == MergeResult(other, ())


# --- cross-check against git merge-file ------------------------------------------------------------

_COUNTER = [0]


def git_merge(base: str, ours: str, theirs: str, tmp: Path) -> tuple[str, int]:
    """Run `git merge-file -p --diff3` with our marker labels; return its output and conflict count."""
    _COUNTER[0] += 1
    paths = []
    for name, text in (("ours", ours), ("base", base), ("theirs", theirs)):
        path = tmp / f"{_COUNTER[0]}-{name}"
        path.write_bytes(text.encode())
        paths.append(str(path))
    proc = subprocess.run(
        [
            "git",
            "merge-file",
            "-p",
            "--diff3",
            "-L",
            "yours (on disk)",
            "-L",
            "generated last time",
            "-L",
            "k8s-wizard (new)",
            *paths,
        ],
        capture_output=True,
        check=False,
    )
    assert proc.returncode >= 0 and proc.returncode < 127, proc.stderr
    return proc.stdout.decode(), proc.returncode


REPEATED = ("---", "metadata:", "  labels:", "    app: web", "spec:", "  - name: web", "")


def yaml_doc(rng: random.Random, n: int, repeats: bool) -> list[str]:
    """A YAML-like document of about n lines; with `repeats`, structural lines recur (as in real YAML)."""
    out = []
    for i in range(n):
        indent = "  " * rng.randrange(4)
        if repeats and rng.random() < 0.35:
            out.append(rng.choice(REPEATED))
        elif rng.random() < 0.15:
            out.append(f"{indent}- item-{i}-{rng.randrange(1000)}")
        else:
            out.append(f"{indent}key{i}: {rng.choice(['true', 'false', str(rng.randrange(100)), 'web'])}")
    return out


def edit(rng: random.Random, doc: list[str], tag: str, repeats: bool) -> list[str]:
    """Apply one to three random edits (change, delete, insert) to a copy of doc."""
    doc = list(doc)
    for k in range(rng.randint(1, 3)):
        op = rng.choice(["change", "delete", "insert", "insert2", "change2"])
        at = rng.randrange(len(doc) + 1)
        if op == "insert":
            new = rng.choice(REPEATED) if repeats and rng.random() < 0.5 else f"  {tag}-added-{k}: {k}"
            doc.insert(at, new)
        elif op == "insert2":
            doc[at:at] = [f"  {tag}-block-{k}:", f"    {tag}-inner-{k}: {rng.randrange(5)}"]
        elif doc and at < len(doc):
            if op == "delete":
                del doc[at]
            elif op == "change":
                doc[at] = doc[at] + f"  # {tag} {k}"
            else:
                doc[at : at + 2] = [f"{tag}-rewrite-{k}-{j}: x" for j in range(rng.randint(1, 3))]
    return doc


def render(doc: list[str], rng: random.Random) -> str:
    """Join lines; now and then leave off the final newline."""
    text = lines(*doc)
    return text[:-1] if text and rng.random() < 0.1 else text


def same_edit_both_sides(rng: random.Random, base: list[str], repeats: bool) -> tuple[list[str], list[str]]:
    """Both sides make one identical edit; each also makes its own edits."""
    shared = edit(rng, base, "both", repeats)
    return edit(rng, shared, "ours", repeats), edit(rng, shared, "theirs", repeats)


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
@pytest.mark.parametrize("repeats", [False, True], ids=["distinct-lines", "repeated-lines"])
def test_agrees_with_git_merge_file(tmp_path: Path, repeats: bool) -> None:
    """50 random cases each: the conflicts merge3 reads from git's markers match git's count, its text the
    merge git settles for the user's side, its markers git's own (a regression net for the marker parsing)."""
    rng = random.Random(20240611 + repeats)
    verdicts = {"clean": 0, "conflict": 0}
    for case in range(50):
        base_doc = yaml_doc(rng, rng.randint(3, 30), repeats)
        if case % 4 == 3:
            ours_doc, theirs_doc = same_edit_both_sides(rng, base_doc, repeats)
        else:
            ours_doc, theirs_doc = edit(rng, base_doc, "ours", repeats), edit(rng, base_doc, "theirs", repeats)
        base, ours, theirs = render(base_doc, rng), render(ours_doc, rng), render(theirs_doc, rng)
        git_text, git_conflicts = git_merge(base, ours, theirs, tmp_path)
        result = merge3(base, ours, theirs)
        context = f"case {case}:\nBASE\n{base}\nOURS\n{ours}\nTHEIRS\n{theirs}\nGIT\n{git_text}"
        assert result.clean == (git_conflicts == 0), context
        assert len(result.conflicts) == git_conflicts, context
        if result.clean:
            assert result.text == git_text, context
        assert with_markers(base, ours, theirs) == git_text, context
        verdicts["clean" if result.clean else "conflict"] += 1
    # the generator must exercise both outcomes well
    assert verdicts["clean"] >= 10 and verdicts["conflict"] >= 10, verdicts
