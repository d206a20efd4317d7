"""json_shape_problem: the depth and member count a parser would find, read without parsing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cpay._jsonshape import json_shape_problem

# Strings full of the characters the scan counts, so that a scan that looked inside strings would miscount.
tricky_text = st.text(st.sampled_from('[]{}:"\\, aü\n'), max_size=6)
documents = st.recursive(
    st.none() | st.booleans() | st.integers() | tricky_text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(tricky_text, inner, max_size=3),
    max_leaves=25,
)


def depth_of(document: Any) -> int:
    if isinstance(document, list):
        return 1 + max(map(depth_of, document), default=0)
    if isinstance(document, dict):
        return 1 + max(map(depth_of, document.values()), default=0)
    return 0


@given(documents, st.integers(min_value=0, max_value=8), st.booleans())
def test_the_scan_finds_the_depth_the_parser_would(document: Any, limit: int, ascii_only: bool) -> None:
    problem = json_shape_problem(json.dumps(document, ensure_ascii=ascii_only), max_depth=limit)
    assert (problem is None) == (depth_of(document) <= limit)
    if problem is not None:
        assert problem == f"is nested deeper than {limit} levels"


@given(st.dictionaries(tricky_text, documents, max_size=12), st.integers(min_value=0, max_value=12))
def test_the_scan_counts_only_the_members_of_the_top_level_object(document: dict[str, Any], limit: int) -> None:
    problem = json_shape_problem(json.dumps(document), max_depth=100, max_members=limit)
    assert (problem is None) == (len(document) <= limit)
    if problem is not None:
        assert problem == f"has more than {limit} fields"


def test_a_text_nested_far_too_deep_is_refused_at_its_first_excess_level() -> None:
    assert json_shape_problem("[" * 1_000_000, max_depth=64) == "is nested deeper than 64 levels"
    assert json_shape_problem('{"a":' * 100_000, max_depth=64) == "is nested deeper than 64 levels"


@pytest.mark.parametrize("text", ['["\\"[[["]', "not json at all [", '"' + "\\" * 10_000])
def test_a_malformed_text_is_left_to_the_parser(text: str) -> None:
    assert json_shape_problem(text, max_depth=1) is None
