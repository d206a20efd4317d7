"""Deposit addresses: realistic per chain, deterministic per (merchant, user, network), checksums that hold."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from cpay_emulator.backends.networks import NETWORKS, address_for, network_named

TRON, BSC, ETHEREUM, BITCOIN = (network_named(name) for name in ("TRON", "BSC", "Ethereum", "Bitcoin"))
ids = st.text(min_size=1, max_size=64)


@given(merchant=ids, user=ids)
def test_every_generated_address_is_valid_on_its_chain(merchant: str, user: str) -> None:
    for network in NETWORKS:
        address = address_for(merchant, user, network)
        assert network.is_valid_address(address), (network.name, address)
        assert address == address_for(merchant, user, network)  # deterministic
    assert re.fullmatch(r"T[1-9A-HJ-NP-Za-km-z]{33}", address_for(merchant, user, TRON))
    assert re.fullmatch(r"0x[0-9a-f]{40}", address_for(merchant, user, BSC))
    assert re.fullmatch(r"3[1-9A-HJ-NP-Za-km-z]{33}", address_for(merchant, user, BITCOIN))


@given(merchant=ids, user=ids, position=st.integers(min_value=1, max_value=33))
def test_a_mistyped_tron_address_fails_its_checksum(merchant: str, user: str, position: int) -> None:
    address = address_for(merchant, user, TRON)
    replacement = "2" if address[position] != "2" else "3"
    assert not TRON.is_valid_address(address[:position] + replacement + address[position + 1 :])


def test_the_document_s_example_addresses_are_checked() -> None:
    assert TRON.is_valid_address("TRMYtLHzmTeMm1FW86LZh2LGnE2D7kJnnw")
    assert BSC.is_valid_address("0xcb5e6bc3699d1a92f80d9e1de129e500a58b5221")
    assert ETHEREUM.is_valid_address("0x51777edc64e66e953a576d8b90310b2a80f18f67")
    # Section 3's Bitcoin example as the vendor's PDF prints it passes its base58check checksum; the
    # transcription's `...ZhFdc...` (two letters' case swapped) does not, and a chain would refuse it.
    assert BITCOIN.is_valid_address("3Dj8spQNdFUXRP1T91egJx8ZhfDc6QECsa")
    assert not BITCOIN.is_valid_address("3Dj8spQNdFUXRP1T91egJx8ZhFdc6QECsa")
    assert BITCOIN.is_valid_address("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy")  # a well-known valid P2SH address
    assert BITCOIN.is_valid_address("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq")
    assert not BITCOIN.is_valid_address("TRMYtLHzmTeMm1FW86LZh2LGnE2D7kJnnw")


def test_different_users_get_different_addresses() -> None:
    assert address_for("m", "alice", TRON) != address_for("m", "bob", TRON)
    assert address_for("m1", "alice", TRON) != address_for("m2", "alice", TRON)
