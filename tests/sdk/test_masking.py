"""``mask_sensitive``: the one mask of the values never shown, and the spec's ``x-cpay-sensitive`` fields it knows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from hypothesis import given
from hypothesis import strategies as st

from cpay import MASK, SENSITIVE_FIELDS, SecretKey, mask_sensitive

SPEC = Path(__file__).resolve().parents[2] / "openapi.yaml"


def marked_sensitive(node: Any) -> set[str]:
    """Every property or parameter name of ``node`` (a spec, walked whole) marked ``x-cpay-sensitive: true``."""
    found: set[str] = set()
    if isinstance(node, dict):
        for name, schema in (node.get("properties") or {}).items():
            if isinstance(schema, dict) and schema.get("x-cpay-sensitive") is True:
                found.add(name)
        if isinstance(node.get("name"), str) and node.get("in") and node.get("x-cpay-sensitive") is True:
            found.add(node["name"])
        for value in node.values():
            found |= marked_sensitive(value)
    elif isinstance(node, list):
        for value in node:
            found |= marked_sensitive(value)
    return found


def test_the_sdk_masks_exactly_the_fields_the_spec_marks_sensitive() -> None:
    assert marked_sensitive(yaml.safe_load(SPEC.read_text(encoding="utf-8"))) == set(SENSITIVE_FIELDS)
    assert {"cardNumber", "cvv", "expDate"} == SENSITIVE_FIELDS


def test_a_card_number_keeps_its_last_four_digits_and_cvv_and_expiry_are_masked_whole() -> None:
    sent = {"cardNumber": "4111111111111111", "cvv": "123", "expDate": "12/29", "amount": "19.01", "remark": ""}
    assert mask_sensitive(sent) == {
        "cardNumber": "************1111",
        "cvv": MASK,
        "expDate": MASK,
        "amount": "19.01",
        "remark": "",
    }
    assert sent["cardNumber"] == "4111111111111111"  # a copy: the caller's parameters are left alone


def test_a_value_holding_the_secret_key_is_masked_whatever_its_field() -> None:
    secret = SecretKey('k"e\\y%&')
    masked = mask_sensitive({"remark": 'note k"e\\y%& here', "userId": "u1"}, secret=secret)
    assert masked == {"remark": MASK, "userId": "u1"}
    assert mask_sensitive({"remark": "k"}, secret="k") == {"remark": MASK}


def test_fields_a_spec_marks_are_masked_when_passed() -> None:
    masked = mask_sensitive({"ccStorageID": "stored-1", "cvv": "123"}, sensitive={"ccStorageID"})
    assert masked == {"ccStorageID": MASK, "cvv": "123"}


@given(st.from_regex(r"[0-9]{12,19}", fullmatch=True))
def test_no_card_number_survives_its_mask(card_number: str) -> None:
    masked = mask_sensitive({"cardNumber": card_number})["cardNumber"]
    assert card_number not in masked
    assert masked == "*" * (len(card_number) - 4) + card_number[-4:]


@given(st.text(min_size=1, max_size=11))
def test_a_card_number_too_short_to_be_one_shows_nothing(value: str) -> None:
    assert mask_sensitive({"cardNumber": value}) == {"cardNumber": MASK}
