"""Order ids: the document's 21-digit shape, unique, increasing within a second, stamped with the clock's second."""

from __future__ import annotations

import itertools

from cpay_emulator._ids import new_order_id, new_traceid

NOVEMBER_30_2026_NOON_MS = 1_796_040_000_000  # 2026-11-30 12:00:00 UTC


def test_order_ids_are_21_digits_unique_and_increase_within_a_second() -> None:
    ids = [new_order_id(NOVEMBER_30_2026_NOON_MS + n) for n in range(2000)]
    assert all(len(order_id) == 21 and order_id.isdigit() for order_id in ids)
    assert len(set(ids)) == len(ids)
    for earlier, later in itertools.pairwise(ids):
        if earlier[:12] == later[:12]:  # same yyMMddHHmmss
            assert later > earlier


def test_ids_begin_with_the_utc_second_they_are_given() -> None:
    assert new_order_id(NOVEMBER_30_2026_NOON_MS)[:12] == "261130120000"
    assert new_order_id(NOVEMBER_30_2026_NOON_MS + 61_000)[:12] == "261130120101"
    assert new_traceid(NOVEMBER_30_2026_NOON_MS)[:13] == "261130120000X"
