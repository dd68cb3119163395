"""The bounded loader checks an alias-free text with one cheap walk (issue 12): the same refusals, the same places."""

from __future__ import annotations

import pytest
import yaml

from wizard.core import yamlio


def refusal(text: str) -> str:
    with pytest.raises(yaml.YAMLError) as caught:
        yamlio.load_all(text)
    return yamlio.error_message(caught.value)


@pytest.mark.parametrize("text", [
    "a:\n  b: [1, 2, {c: [3, 4]}]\n  d: {e: f, g: [h, i, j, k]}\nl: m\n",
    "- [1, 2, 3]\n- {a: b, c: d}\n- x\n- y\n- z\n",
])
def test_too_many_nodes_is_refused_alike_with_and_without_an_anchor(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr(yamlio, "MAX_NODES", 8)
    plain = refusal(text)
    anchored = refusal(text + "---\n&unused x\n")  # a `&` in the text: the full walk
    assert plain == anchored and "expands to more than 8 nodes" in plain


def test_nesting_is_refused_alike_with_and_without_an_anchor() -> None:
    deep = "a: " + "[" * 201 + "]" * 201 + "\n"
    assert refusal(deep) == refusal(deep + "---\n&unused x\n") == ":1: nested more than 200 levels deep: refused"
    assert yamlio.load_all("a: " + "[" * 198 + "]" * 198 + "\n")  # 200 levels: read


def test_a_string_key_twice_is_refused_with_its_line() -> None:
    assert refusal("a: 1\nb: 2\n'a': 3\n") == ":3: duplicate key 'a' (a mapping may set each key once)"
    assert yamlio.load_all("1: a\n'1': b\n") == [{1: "a", "1": "b"}]  # an int and a string: two keys
