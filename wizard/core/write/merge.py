"""Line-based three-way merge with diff3 semantics, for re-generating files the user may have edited.

`base` is what the tool generated last time, `ours` is what is on disk now (the user's version) and
`theirs` is what the tool would generate now. The hunk pairing follows git's xdiff merge at the level
`git merge-file --diff3` uses: a change made on one side only is taken, the same change made on both
sides is taken once, and changes whose base ranges overlap *or touch* conflict (so two insertions at the
same point conflict unless identical, and so do edits of directly adjacent lines, exactly as in git).

Lines are compared with their line endings, so CRLF files and a missing final newline survive a merge.
The diffs use Myers' algorithm and git's placement of ambiguous hunks, so verdicts and merged text agree
with `git merge-file -p --diff3` (tests/test_merge.py cross-checks this).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass
from typing import Literal

from wizard.core.errors import InputError

__all__ = [
    "MARK_BASE",
    "MARK_OURS",
    "MARK_SEP",
    "MARK_THEIRS",
    "Conflict",
    "MergeResult",
    "merge3",
    "resolve",
    "with_markers",
]

MARK_OURS = "<<<<<<< yours (on disk)"
MARK_BASE = "||||||| generated last time"
MARK_SEP = "======="
MARK_THEIRS = ">>>>>>> k8s-wizard (new)"

_LINE = re.compile(r"[^\n]*\n|[^\n]+")


@dataclass(frozen=True)
class Conflict:
    """One conflicting region. The line tuples hold the region's lines without their line endings."""

    line: int
    ours: tuple[str, ...]
    theirs: tuple[str, ...]
    base: tuple[str, ...]


@dataclass(frozen=True)
class MergeResult:
    """The merged text (each conflict region holds the user's lines) and the conflicts found."""

    text: str
    conflicts: tuple[Conflict, ...]

    @property
    def clean(self) -> bool:
        """True when the merge needed no decision."""
        return not self.conflicts


@dataclass(frozen=True)
class _Region:
    """A stretch of the output: settled lines (`ours` only) or a conflict (all three sides)."""

    ours: tuple[str, ...]
    theirs: tuple[str, ...] = ()
    base: tuple[str, ...] = ()
    conflict: bool = False


@dataclass
class _Chunk:
    """A change in the merge list, in xdiff's coordinates: start/length in base, ours and theirs."""

    mode: int  # 0 conflict, 1 take ours, 2 take theirs
    i0: int
    chg0: int
    i1: int
    chg1: int
    i2: int
    chg2: int


_MAX_EDITS = 600  # beyond this many edits Myers' diff gets slow: split the stretch at unique lines first

_Hunk = tuple[int, int, int, int]  # base start, base length, side start, side length


def _split(text: str) -> list[str]:
    """Split into lines that keep their terminator ('\\n' or '\\r\\n'); the last one may have none."""
    return _LINE.findall(text)


def _unique_anchors(a: list[str], alo: int, ahi: int, b: list[str], blo: int, bhi: int) -> list[tuple[int, int]]:
    """Lines that occur exactly once in both slices, as the longest run of pairs in order (patience)."""
    count_a = Counter(a[alo:ahi])
    count_b = Counter(b[blo:bhi])
    where_b = {b[j]: j for j in range(blo, bhi) if count_b[b[j]] == 1 and count_a[b[j]] == 1}
    pairs = [(i, where_b[a[i]]) for i in range(alo, ahi) if count_a[a[i]] == 1 and a[i] in where_b]
    # longest increasing subsequence of the b positions, by patience sorting
    tops: list[int] = []  # b position at the top of each pile
    top_index: list[int] = []  # index into pairs of that top
    back: list[int] = [-1] * len(pairs)
    for n, (_, j) in enumerate(pairs):
        pile = bisect_left(tops, j)
        back[n] = top_index[pile - 1] if pile else -1
        if pile == len(tops):
            tops.append(j)
            top_index.append(n)
        else:
            tops[pile] = j
            top_index[pile] = n
    chain: list[tuple[int, int]] = []
    n = top_index[-1] if top_index else -1
    while n >= 0:
        chain.append(pairs[n])
        n = back[n]
    chain.reverse()
    return chain


def _myers(a: list[str], alo: int, ahi: int, b: list[str], blo: int, bhi: int) -> list[tuple[int, int, int]] | None:
    """Matching runs of a shortest edit script between two slices (Myers' O(ND) greedy algorithm).

    None when the script would need more than _MAX_EDITS edits (the cost grows with their square).
    """
    n, m = ahi - alo, bhi - blo
    limit = min(n + m, _MAX_EDITS)
    off = limit + 1
    v = [0] * (2 * limit + 3)
    trace: list[list[int]] = []
    for d in range(limit + 1):
        trace.append(v[off - d - 1 : off + d + 2])
        for k in range(-d, d + 1, 2):
            if k == -d or (k != d and v[off + k - 1] < v[off + k + 1]):
                x = v[off + k + 1]
            else:
                x = v[off + k - 1] + 1
            y = x - k
            while x < n and y < m and a[alo + x] == b[blo + y]:
                x += 1
                y += 1
            v[off + k] = x
            if x >= n and y >= m:
                return _myers_path(trace, d, n, m, alo, blo)
    return None


def _myers_path(trace: list[list[int]], d: int, x: int, y: int, alo: int, blo: int) -> list[tuple[int, int, int]]:
    """Walk the Myers trace back from (x, y) and return the diagonal runs as matching blocks."""
    blocks: list[tuple[int, int, int]] = []
    while d > 0:
        saved = trace[d]  # v before step d, indices shifted so that k maps to k + d + 1
        k = x - y
        if k == -d or (k != d and saved[k - 1 + d + 1] < saved[k + 1 + d + 1]):
            prev_k = k + 1
            prev_x = saved[prev_k + d + 1]
            start_x = prev_x
        else:
            prev_k = k - 1
            prev_x = saved[prev_k + d + 1]
            start_x = prev_x + 1
        if x > start_x:
            blocks.append((alo + start_x, blo + start_x - k, x - start_x))
        x, y = prev_x, prev_x - prev_k
        d -= 1
    if x > 0:
        blocks.append((alo, blo, x))
    blocks.reverse()
    return blocks


def _matching_blocks(a: list[str], b: list[str]) -> list[tuple[int, int, int]]:
    """Runs (i, j, size) with a[i:i+size] == b[j:j+size], in order.

    Myers' diff, like git's default. A stretch too different for it to be quick is first split at the
    lines that occur exactly once on both sides (patience diff); a stretch without such lines then
    counts as replaced wholesale.
    """
    blocks: list[tuple[int, int, int]] = []
    stack = [(0, len(a), 0, len(b))]
    while stack:
        alo, ahi, blo, bhi = stack.pop()
        n = 0
        while alo + n < ahi and blo + n < bhi and a[alo + n] == b[blo + n]:
            n += 1
        if n:
            blocks.append((alo, blo, n))
            alo, blo = alo + n, blo + n
        n = 0
        while ahi - n > alo and bhi - n > blo and a[ahi - n - 1] == b[bhi - n - 1]:
            n += 1
        if n:
            blocks.append((ahi - n, bhi - n, n))
            ahi, bhi = ahi - n, bhi - n
        if alo == ahi or blo == bhi:
            continue
        found = _myers(a, alo, ahi, b, blo, bhi)
        if found is not None:
            blocks.extend(found)
            continue
        anchors = _unique_anchors(a, alo, ahi, b, blo, bhi)
        if not anchors:
            continue
        for i, j in anchors:
            stack.append((alo, i, blo, j))
            blocks.append((i, j, 1))
            alo, blo = i + 1, j + 1
        stack.append((alo, ahi, blo, bhi))
    blocks.sort()
    return blocks


def _compact(recs: list[str], rchg: list[bool], orchg: list[bool]) -> None:
    """Slide groups of changed lines to git's canonical place (xdiff's xdl_change_compact, no heuristics).

    A group that could sit at several places (an inserted line repeating its neighbour) goes as far down
    as it can, unless it can line up with a change in the other file. `rchg` flags the changed lines of
    `recs`; `orchg` those of the other file. Both files have the same number of unchanged lines, so
    groups (runs of changed lines, possibly empty, between unchanged ones) pair up one to one.
    """
    n, on = len(recs), len(orchg)

    def run_end(flags: list[bool], start: int, size: int) -> int:
        end = start
        while end < size and flags[end]:
            end += 1
        return end

    def run_start(flags: list[bool], end: int) -> int:
        start = end
        while start > 0 and flags[start - 1]:
            start -= 1
        return start

    start, end = 0, run_end(rchg, 0, n)
    ostart, oend = 0, run_end(orchg, 0, on)
    while True:
        if end != start:
            while True:
                size = end - start
                end_matching_other = -1
                while start > 0 and recs[start - 1] == recs[end - 1]:  # slide up
                    start, end = start - 1, end - 1
                    rchg[start], rchg[end] = True, False
                    start = run_start(rchg, start)
                    oend = ostart - 1
                    ostart = run_start(orchg, oend)
                earliest_end = end
                if oend > ostart:
                    end_matching_other = end
                while end < n and recs[start] == recs[end]:  # slide down
                    rchg[start], rchg[end] = False, True
                    start, end = start + 1, run_end(rchg, end + 1, n)
                    ostart = oend + 1
                    oend = run_end(orchg, ostart, on)
                    if oend > ostart:
                        end_matching_other = end
                if size == end - start:
                    break
            if end != earliest_end and end_matching_other != -1:
                while oend == ostart:  # back up to line up with the other file's last change
                    start, end = start - 1, end - 1
                    rchg[start], rchg[end] = True, False
                    start = run_start(rchg, start)
                    oend = ostart - 1
                    ostart = run_start(orchg, oend)
        if end == n:
            break
        start = end + 1
        end = run_end(rchg, start, n)
        ostart = oend + 1
        oend = run_end(orchg, ostart, on)


def _hunks(a: list[str], b: list[str]) -> list[_Hunk]:
    """The changes that turn `a` into `b`, as maximal hunks (base start, length, side start, length)."""
    changed_a, changed_b = [True] * len(a), [True] * len(b)
    for i, j, size in _matching_blocks(a, b):
        changed_a[i : i + size] = [False] * size
        changed_b[j : j + size] = [False] * size
    _compact(a, changed_a, changed_b)
    _compact(b, changed_b, changed_a)
    hunks: list[_Hunk] = []
    i = j = 0
    while i < len(a) or j < len(b):
        if (i < len(a) and changed_a[i]) or (j < len(b) and changed_b[j]):
            si, sj = i, j
            while i < len(a) and changed_a[i]:
                i += 1
            while j < len(b) and changed_b[j]:
                j += 1
            hunks.append((si, i - si, sj, j - sj))
        else:
            i, j = i + 1, j + 1
    return hunks


def _append(chunks: list[_Chunk], new: _Chunk) -> None:
    """Add a change, folding it into the previous one when they touch (xdl_append_merge)."""
    if chunks:
        m = chunks[-1]
        if new.i1 <= m.i1 + m.chg1 or new.i2 <= m.i2 + m.chg2:
            if new.mode != m.mode:
                m.mode = 0
            m.chg0 = new.i0 + new.chg0 - m.i0
            m.chg1 = new.i1 + new.chg1 - m.i1
            m.chg2 = new.i2 + new.chg2 - m.i2
            return
    chunks.append(new)


def _chunks(base: list[str], ours: list[str], theirs: list[str]) -> list[_Chunk]:
    """Pair the two diffs against base into a merge list, following git's xdl_do_merge (EAGER level)."""
    h1, h2 = _hunks(base, ours), _hunks(base, theirs)
    chunks: list[_Chunk] = []
    p1 = p2 = 0
    while p1 < len(h1) and p2 < len(h2):
        b1, c1, s1, d1 = h1[p1]
        b2, c2, s2, d2 = h2[p2]
        if b1 + c1 < b2:
            _append(chunks, _Chunk(1, b1, c1, s1, d1, s2 - b2 + b1, c1))
            p1 += 1
            continue
        if b2 + c2 < b1:
            _append(chunks, _Chunk(2, b2, c2, s1 - b1 + b2, c2, s2, d2))
            p2 += 1
            continue
        if b1 != b2 or c1 != c2 or d1 != d2 or ours[s1 : s1 + d1] != theirs[s2 : s2 + d2]:
            off = b1 - b2
            ffo = off + c1 - c2
            i0, i1, i2 = b1, s1, s2
            if off > 0:
                i0 -= off
                i1 -= off
            else:
                i2 += off
            chg0 = b1 + c1 - i0
            chg1 = s1 + d1 - i1
            chg2 = s2 + d2 - i2
            if ffo < 0:
                chg0 -= ffo
                chg1 -= ffo
            else:
                chg2 += ffo
            _append(chunks, _Chunk(0, i0, chg0, i1, chg1, i2, chg2))
        end1, end2 = b1 + c1, b2 + c2
        if end1 >= end2:
            p2 += 1
        if end2 >= end1:
            p1 += 1
    for b1, c1, s1, d1 in h1[p1:]:
        _append(chunks, _Chunk(1, b1, c1, s1, d1, b1 + len(theirs) - len(base), c1))
    for b2, c2, s2, d2 in h2[p2:]:
        _append(chunks, _Chunk(2, b2, c2, b2 + len(ours) - len(base), c2, s2, d2))
    return chunks


def _regions(base_text: str, ours_text: str, theirs_text: str) -> list[_Region]:
    """The merge as a sequence of settled stretches and conflicts."""
    base, ours, theirs = _split(base_text), _split(ours_text), _split(theirs_text)
    regions: list[_Region] = []
    pos = 0  # position in ours
    for m in _chunks(base, ours, theirs):
        if m.i1 > pos:
            regions.append(_Region(tuple(ours[pos : m.i1])))
        if m.mode == 0:
            regions.append(
                _Region(
                    ours=tuple(ours[m.i1 : m.i1 + m.chg1]),
                    theirs=tuple(theirs[m.i2 : m.i2 + m.chg2]),
                    base=tuple(base[m.i0 : m.i0 + m.chg0]),
                    conflict=True,
                )
            )
        elif m.mode == 1:
            regions.append(_Region(tuple(ours[m.i1 : m.i1 + m.chg1])))
        else:
            regions.append(_Region(tuple(theirs[m.i2 : m.i2 + m.chg2])))
        pos = m.i1 + m.chg1
    if pos < len(ours):
        regions.append(_Region(tuple(ours[pos:])))
    return regions


def _strip(lines: tuple[str, ...]) -> tuple[str, ...]:
    """Lines without their terminators."""
    return tuple(line.removesuffix("\n").removesuffix("\r") for line in lines)


def merge3(base: str, ours: str, theirs: str) -> MergeResult:
    """Three-way merge; conflict regions keep the user's (`ours`) lines and are listed in `conflicts`."""
    out: list[str] = []
    conflicts: list[Conflict] = []
    for region in _regions(base, ours, theirs):
        if region.conflict:
            conflicts.append(
                Conflict(
                    line=len(out) + 1,
                    ours=_strip(region.ours),
                    theirs=_strip(region.theirs),
                    base=_strip(region.base),
                )
            )
        out.extend(region.ours)
    return MergeResult(text="".join(out), conflicts=tuple(conflicts))


def _newline(*texts: str) -> str:
    """The line ending to use for conflict markers: CRLF when the first line of a text uses it."""
    for text in texts:
        first = text.find("\n")
        if first >= 0:
            return "\r\n" if first > 0 and text[first - 1] == "\r" else "\n"
    return "\n"


def _terminated(lines: tuple[str, ...], nl: str) -> list[str]:
    """The lines, with a line ending added to the last one if it has none (it precedes a marker)."""
    out = list(lines)
    if out and not out[-1].endswith("\n"):
        out[-1] += nl
    return out


def with_markers(base: str, ours: str, theirs: str) -> str:
    """The merge with git-style (diff3) conflict markers around every conflict."""
    nl = _newline(ours, theirs, base)
    out: list[str] = []
    for region in _regions(base, ours, theirs):
        if not region.conflict:
            out.extend(region.ours)
            continue
        out.append(MARK_OURS + nl)
        out.extend(_terminated(region.ours, nl))
        out.append(MARK_BASE + nl)
        out.extend(_terminated(region.base, nl))
        out.append(MARK_SEP + nl)
        out.extend(_terminated(region.theirs, nl))
        out.append(MARK_THEIRS + nl)
    return "".join(out)


def resolve(base: str, ours: str, theirs: str, choice: Literal["mine", "new", "markers"]) -> str:
    """The merge with every conflict settled the same way: the user's lines, the new lines, or markers."""
    if choice == "markers":
        return with_markers(base, ours, theirs)
    if choice not in ("mine", "new"):
        raise InputError(f"unknown conflict resolution {choice!r}: expected 'mine', 'new' or 'markers'")
    out: list[str] = []
    for region in _regions(base, ours, theirs):
        out.extend(region.theirs if region.conflict and choice == "new" else region.ours)
    return "".join(out)
