"""``generator/patterns.py``: a changed ``pattern`` is called wider only with a proof, narrower only with an example.

The pairs are the patterns of ``openapi.yaml`` and the widenings and narrowings a spec edit makes of them. Each
example string is checked here again with ``re``, so a wrong example cannot pass as a right one.
"""

from __future__ import annotations

import re

import pytest
from patterns import Relation, compare, covers

TWO_DECIMALS = r"^\d+(\.\d{1,2})?$"
EIGHT_DECIMALS = r"^\d+(\.\d{1,8})?$"
CRYPTO_AMOUNT = r"^(0|[1-9][0-9]{0,19})(\.[0-9]{1,8})?$"
CARD_AMOUNT = r"^(0|[1-9][0-9]{0,15})(\.[0-9]{1,2})?$"


def test_more_decimals_is_wider_and_fewer_is_narrower_with_a_value_that_shows_it() -> None:
    widened = compare(TWO_DECIMALS, EIGHT_DECIMALS)
    narrowed = compare(EIGHT_DECIMALS, TWO_DECIMALS)

    assert widened.relation is Relation.WIDER
    assert narrowed.relation is Relation.NARROWER
    assert narrowed.example is not None
    assert re.search(EIGHT_DECIMALS, narrowed.example)
    assert not re.search(TWO_DECIMALS, narrowed.example)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (CARD_AMOUNT, CRYPTO_AMOUNT),  # more integer digits and more decimals
        (CRYPTO_AMOUNT, CRYPTO_AMOUNT.replace("{1,8}", "{1,18}")),
        (r"^[A-Z0-9]{2,16}$", r"^[A-Z0-9]{2,32}$"),
        (r"^[A-Z]{2}$", r"^[A-Za-z]{2}$"),  # a larger class
        (r"^https://", r"^https?://"),  # an optional character
        (r"^[A-Z]{3}$", r"^[A-Z]{3}$|^[0-9]{3}$"),  # a new branch
        (r"^[0-9]{4,15}$", r"^[0-9]+$"),
        (r"^[1-9][0-9]{0,8}$", r"^[0-9]{1,9}$"),  # two parts absorbed by one quantifier
        (r"^ab$", r"^(ab){1,2}$"),
        (r"^[0-9]{2}$", r"^[0-9]{2}"),  # the end anchor dropped
    ],
)
def test_a_proven_superset_is_wider(old: str, new: str) -> None:
    change = compare(old, new)
    assert change.relation is Relation.WIDER
    assert covers(new, old)
    assert not covers(old, new)
    if change.example is not None:  # a value only the new pattern accepts
        assert re.search(new, change.example)
        assert not re.search(old, change.example)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (CRYPTO_AMOUNT, CARD_AMOUNT),
        (r"^[A-Z0-9]{2,16}$", r"^[A-Z]{2,16}$"),
        (r"^https?://", r"^https://"),
        (r"^[a-z]+$", r"^[a-y]+$"),
        (r"^(-?[0-9]+(\.[0-9]+)?)?$", r"^-?[0-9]+(\.[0-9]+)?$"),  # the empty value no longer allowed
        (r"^[0-9]{2}", r"^[0-9]{2}$"),  # an end anchor added
    ],
)
def test_a_narrowing_is_shown_by_a_value_the_old_pattern_accepts_and_the_new_refuses(old: str, new: str) -> None:
    change = compare(old, new)
    assert change.relation is Relation.NARROWER
    assert change.example is not None
    assert re.search(old, change.example)
    assert not re.search(new, change.example)


@pytest.mark.parametrize(
    ("old", "new"),
    [(r"^[0-9]{4,15}$", r"^\d{4,15}$"), (r"^\d\d$", r"^\d{2}$"), (r"^(?:ab|cd)$", r"^(cd|ab)$")],
)
def test_the_same_strings_written_differently_are_the_same(old: str, new: str) -> None:
    assert compare(old, new).relation is Relation.SAME


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (r"^a$", r"^(?=a)a$"),  # lookahead: not modeled
        (r"^(a)\1$", r"^aa$"),  # a backreference in the old pattern: no sample values to try
        (r"^[a-c]+$", r"^(a|b|c)+$"),  # the same strings, but no single branch covers the class: not proven
    ],
)
def test_what_is_neither_proven_nor_shown_is_unknown(old: str, new: str) -> None:
    change = compare(old, new)
    assert change.relation is Relation.UNKNOWN
    assert change.example is None


def test_a_class_that_only_looks_wider_is_not_called_wider() -> None:
    # ECMA-262's \w is [A-Za-z0-9_]: it does not hold "-", so this is no superset.
    assert not covers(r"^\w+$", r"^[a-z-]+$")
    assert compare(r"^[a-z-]+$", r"^\w+$").relation is Relation.NARROWER
