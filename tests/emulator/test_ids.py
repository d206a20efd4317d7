"""Order ids: the document's 21-digit shape, unique, and increasing within a second (appended to the B-tree)."""

from __future__ import annotations

import itertools

from cpay_emulator._ids import new_order_id


def test_order_ids_are_21_digits_unique_and_increase_within_a_second() -> None:
    ids = [new_order_id() for _ in range(2000)]
    assert all(len(order_id) == 21 and order_id.isdigit() for order_id in ids)
    assert len(set(ids)) == len(ids)
    for earlier, later in itertools.pairwise(ids):
        if earlier[:12] == later[:12]:  # same yyMMddHHmmss
            assert later > earlier
