"""The chains of the document and realistic, deterministic addresses and transaction hashes on them.

Section 3 lists the networks and the coins each carries; its examples show the address formats: TRON
base58check (``T...``, 34 characters), EVM ``0x`` + 40 hex (BSC, Ethereum) and Bitcoin P2SH (``3...``).
Addresses are derived from ``(merchant, user, network)`` with SHA-256, so the same user always gets the same
address, also after a reset or on another machine.

Base58Check (TRON, Bitcoin's ``1...`` and ``3...``) is the ``base58`` package's (MIT, pure Python, no
dependencies; the encoding is frozen, so its stable release needs no more). Bitcoin's native segwit addresses
(``bc1...``) are checked by their form only, not their checksum: the ``bech32`` package (the BIP 173
reference code, 2020) predates bech32m (BIP 350) and would refuse every taproot address (``bc1p...``), and a
whole Bitcoin library (embit, bitcoinlib, bip-utils) is a large dependency for one checksum; the document does
not say which Bitcoin address types C-Pay accepts. EVM addresses are ``0x`` and 40 hex digits in any case:
an EIP-55 mixed-case checksum needs Keccak-256, which the standard library lacks (``hashlib.sha3_256`` is
FIPS SHA-3, padded differently), and eth-utils brings a tree of packages and a Keccak backend for it.
"""

from __future__ import annotations

import hashlib
import re
from typing import Final

import base58

from cpay_emulator.shared.errors import UnsupportedCurrency, UnsupportedNetwork

__all__ = [
    "NETWORKS",
    "Network",
    "address_for",
    "default_network",
    "network_named",
]


def _base58check_valid(text: str, version: int) -> bool:
    """Whether ``text`` is Base58Check of a 21-byte payload (a version byte and a 20-byte hash) of ``version``."""
    try:
        payload = base58.b58decode_check(text)
    except ValueError:  # a character outside the alphabet, or a wrong checksum
        return False
    return len(payload) == 21 and payload[0] == version


class Network:
    """A chain: its name as the API spells it, the coins it carries, and its address and hash formats."""

    __slots__ = ("currencies", "kind", "name")

    def __init__(self, name: str, kind: str, currencies: tuple[str, ...]) -> None:
        self.name = name
        self.kind = kind
        self.currencies = currencies

    def address(self, seed: bytes) -> str:
        """A well-formed address derived from ``seed``."""
        digest = hashlib.sha256(seed).digest()
        if self.kind == "tron":
            return base58.b58encode_check(b"\x41" + digest[:20]).decode("ascii")
        if self.kind == "evm":
            return "0x" + digest[:20].hex()
        return base58.b58encode_check(b"\x05" + digest[:20]).decode("ascii")  # Bitcoin P2SH, as the document shows

    def is_valid_address(self, text: str) -> bool:
        """Whether ``text`` is an address of this chain (format and checksum where the chain has one)."""
        if self.kind == "tron":
            return len(text) == 34 and text.startswith("T") and _base58check_valid(text, 0x41)
        if self.kind == "evm":
            return _EVM_ADDRESS.fullmatch(text) is not None
        if _BECH32_ADDRESS.fullmatch(text.lower()) is not None:
            return True
        return 25 <= len(text) <= 35 and text[0] in "13" and _base58check_valid(text, 0x00 if text[0] == "1" else 0x05)

    def transaction_hash(self, digest: bytes) -> str:
        """``digest`` (32 bytes, from the emulator's ``IdSource``) as a transaction hash in the chain's notation
        (EVM: ``0x`` + 64 hex; others: 64 hex)."""
        return "0x" + digest.hex() if self.kind == "evm" else digest.hex()


_EVM_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")
_BECH32_ADDRESS = re.compile(r"bc1[02-9ac-hj-np-z]{11,71}")

NETWORKS: Final[tuple[Network, ...]] = (
    Network("TRON(TRC-20)", "tron", ("USDT", "TRX")),
    Network("BSC(BEP-20)", "evm", ("USDT", "BNB")),
    Network("Ethereum(ERC-20)", "evm", ("USDT", "ETH")),
    Network("Bitcoin", "bitcoin", ("BTC",)),
)
"""Section 3's networks, in the order of its example response."""

_BY_NAME: Final = {network.name: network for network in NETWORKS}
# Short names the document also uses ("network": "TRON" in section 9's example).
_ALIASES: Final = {
    "TRON": "TRON(TRC-20)",
    "BSC": "BSC(BEP-20)",
    "Ethereum": "Ethereum(ERC-20)",
    "ETH": "Ethereum(ERC-20)",
}


def network_named(name: str, *, currency: str | None = None) -> Network:
    """The network called ``name`` (carrying ``currency`` if given), or an UNSUPPORTED_NETWORK error."""
    network = _BY_NAME.get(name) or _BY_NAME.get(_ALIASES.get(name, ""))
    if network is None:
        known = ", ".join(_BY_NAME)
        raise UnsupportedNetwork(f"unsupported network {name!r}; supported: {known}")
    if currency is not None and currency not in network.currencies:
        raise UnsupportedNetwork(
            f"network {network.name} does not carry {currency}; it carries {', '.join(network.currencies)}",
        )
    return network


def default_network(currency: str) -> Network:
    """The first network carrying ``currency`` (USDT: TRON), used when a payment does not name one."""
    for network in NETWORKS:
        if currency in network.currencies:
            return network
    raise UnsupportedCurrency(f"no network carries {currency!r}")


def address_for(merchant_id: str, user_id: str, network: Network) -> str:
    """The deposit address of ``user_id`` of ``merchant_id`` on ``network``: the same inputs, the same address."""
    return network.address(f"cpay-emulator\0{merchant_id}\0{user_id}\0{network.name}".encode())
