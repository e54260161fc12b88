"""Canonical JSON: the exact bytes certsvc signs and hashes."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from certsvc.domain.canonical import canonical_json

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text() | st.floats(allow_nan=False, allow_infinity=False),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4),
    max_leaves=30,
)


@given(json_values)
def test_canonical_json_is_sorted_compact_utf8(value: Any) -> None:
    """Sorted keys, no whitespace, UTF-8 without \\u escapes: the spelling signatures depend on."""
    expected = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    assert canonical_json(value) == expected.encode("utf-8")


def test_canonical_json_spells_a_credential_subject_as_before() -> None:
    """A fixed example, byte for byte."""
    assert canonical_json({"name": "雷俊怡", "version": 1, "a": [True, None]}) == (
        '{"a":[true,null],"name":"雷俊怡","version":1}'.encode()
    )


@pytest.mark.parametrize("value", [float("nan"), float("inf"), {"x": [float("-inf")]}])
def test_canonical_json_refuses_non_json_numbers(value: Any) -> None:
    """NaN and infinities have no JSON spelling and are refused, not written as NaN."""
    with pytest.raises(ValueError):
        canonical_json(value)


def test_canonical_json_refuses_circular_values() -> None:
    """A value that contains itself is refused with ValueError, not a recursion crash."""
    loop: list[Any] = []
    loop.append(loop)
    with pytest.raises(ValueError):
        canonical_json(loop)
