"""Order ids: the document's 21-digit shape, unique, increasing within a second, stamped with the clock's second;
drawn from the emulator's own ``IdSource``, the same for the same seed and different without one."""

from __future__ import annotations

import itertools

from cpay_emulator.backends.ids import IdSource
from cpay_emulator.backends.networks import network_named

NOVEMBER_30_2026_NOON_MS = 1_796_040_000_000  # 2026-11-30 12:00:00 UTC


def draws(ids: IdSource) -> list[str]:
    """Order ids, trace ids and a transaction hash, interleaved as requests interleave them."""
    drawn = []
    for n in range(50):
        drawn.append(ids.order_id(NOVEMBER_30_2026_NOON_MS + n * 100))
        drawn.append(ids.traceid(NOVEMBER_30_2026_NOON_MS + n * 100))
    drawn.append(network_named("TRON(TRC-20)").transaction_hash(ids.transaction_digest()))
    return drawn


def test_order_ids_are_21_digits_unique_and_increase_within_a_second() -> None:
    source = IdSource()
    ids = [source.order_id(NOVEMBER_30_2026_NOON_MS + n) for n in range(2000)]
    assert all(len(order_id) == 21 and order_id.isdigit() for order_id in ids)
    assert len(set(ids)) == len(ids)
    for earlier, later in itertools.pairwise(ids):
        if earlier[:12] == later[:12]:  # same yyMMddHHmmss
            assert later > earlier


def test_ids_begin_with_the_utc_second_they_are_given() -> None:
    source = IdSource()
    assert source.order_id(NOVEMBER_30_2026_NOON_MS)[:12] == "261130120000"
    assert source.order_id(NOVEMBER_30_2026_NOON_MS + 61_000)[:12] == "261130120101"
    assert source.traceid(NOVEMBER_30_2026_NOON_MS)[:13] == "261130120000X"


def test_the_same_seed_gives_the_same_ids_and_other_seeds_or_none_do_not() -> None:
    assert draws(IdSource("start:1796040000")) == draws(IdSource("start:1796040000"))
    assert draws(IdSource("start:1796040000")) != draws(IdSource("start:1796040001"))
    assert draws(IdSource()) != draws(IdSource())


def test_a_kind_of_id_does_not_shift_the_others() -> None:
    quiet, busy = IdSource(7), IdSource(7)
    for _ in range(25):
        busy.traceid(NOVEMBER_30_2026_NOON_MS)  # requests that create nothing
    busy.transaction_digest()
    assert [quiet.order_id(NOVEMBER_30_2026_NOON_MS) for _ in range(5)] == [
        busy.order_id(NOVEMBER_30_2026_NOON_MS) for _ in range(5)
    ]


def test_two_sources_in_one_process_keep_their_own_second() -> None:
    first, second = IdSource(7), IdSource(7)
    first.order_id(NOVEMBER_30_2026_NOON_MS)
    first.order_id(NOVEMBER_30_2026_NOON_MS)  # the first source's counter moves on within the second
    assert second.order_id(NOVEMBER_30_2026_NOON_MS) == IdSource(7).order_id(NOVEMBER_30_2026_NOON_MS)
