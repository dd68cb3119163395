"""yamlio.dump: what the emitter writes, once per document in a process (the memo must never answer wrongly)."""

from __future__ import annotations

import yaml
from ruamel.yaml.scalarstring import SingleQuotedScalarString

from wizard.core import yamlio


def test_values_that_compare_equal_but_read_back_differently_are_emitted_each_their_own_way() -> None:
    # True == 1 == 1.0 in Python and hash alike: a memo keyed on equality would hand one's text to the others.
    docs = [{"a": True}, {"a": 1}, {"a": 1.0}, {"a": "1"}, {"a": "yes"}, {"a": SingleQuotedScalarString("x")},
            {"a": "x"}, {"a": None}, {"a": [1]}, {"a": (1,)}, ["a"], {"b": 1, "a": 1}, {"a": 1, "b": 1}]
    for _ in range(2):  # the second round is served from the memo
        texts = [yamlio.dump(d) for d in docs]
        assert [yaml.safe_load(t) for t in texts[:5]] == [{"a": True}, {"a": 1}, {"a": 1.0}, {"a": "1"}, {"a": "yes"}]
        assert texts[5] == "a: 'x'\n" and texts[6] == "a: x\n"
        assert texts[7] == "a:\n"
        assert texts[8] == texts[9] == "a:\n  - 1\n"  # a tuple is written as a list
        assert texts[10] == "- a\n"
        assert texts[11] == "b: 1\na: 1\n" and texts[12] == "a: 1\nb: 1\n"  # key order is kept, not sorted


def test_a_document_changed_after_it_was_written_is_written_anew() -> None:
    doc = {"metadata": {"name": "web"}, "data": {"k": "v"}}
    first = yamlio.dump(doc)
    doc["data"]["k"] = "w"
    assert yamlio.dump(doc) == first.replace("k: v", "k: w")
    assert yamlio.dump(doc, header="generated") == "# generated\n" + yamlio.dump(doc)
