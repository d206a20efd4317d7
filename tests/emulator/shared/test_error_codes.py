"""``ErrorCode`` is the one list of the emulator's codes: the notes show it, the SDK's recovery reads two of it."""

from __future__ import annotations

import re
from pathlib import Path

from cpay import DEFAULT_DUPLICATE_CODES, DEFAULT_NOT_FOUND_CODES, VendorCode
from cpay_emulator import ErrorCode

NOTES = Path(__file__).resolve().parents[3] / "docs" / "spec-notes.md"
ROW = re.compile(r"^\| (\d+) \| `([A-Z_]+)` \|", re.MULTILINE)


def section(text: str, heading: str) -> str:
    start = text.index(f"\n## {heading}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else len(text)]


def test_the_spec_notes_table_lists_exactly_the_emulators_codes_in_order() -> None:
    table = ROW.findall(section(NOTES.read_text(encoding="utf-8"), "Emulator error codes"))
    assert table == [(str(code.value), code.name) for code in ErrorCode if code is not ErrorCode.SUCCESS]


def test_the_codes_the_sdk_recovers_by_are_the_emulators_answers() -> None:
    assert {ErrorCode.DUPLICATE_MERCHANT_TRADE_NO} == DEFAULT_DUPLICATE_CODES
    assert {ErrorCode.ORDER_NOT_FOUND} == DEFAULT_NOT_FOUND_CODES


def test_every_code_c_pay_names_is_one_of_the_emulators_with_its_value() -> None:
    assert {code.name: code.value for code in VendorCode} == {
        code.name: code.value for code in ErrorCode if code.name in VendorCode.__members__
    }
