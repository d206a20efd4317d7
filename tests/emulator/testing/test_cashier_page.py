"""The cashier page shows the time left before an order expires and, for a crypto order, a QR code of where to pay."""

from __future__ import annotations

import re

import pytest
import segno

from cpay_emulator.server.cashier import deposit_address
from cpay_emulator.testing import CPayEmulator

from .conftest import new_order


def cashier_page(emulator: CPayEmulator, order_id: str) -> tuple[str, dict[str, str]]:
    from cpay import compute_sign

    sign = compute_sign({"orderId": order_id}, emulator.secret_key)
    response = emulator.control.http.get("/cashier/payment", params={"orderId": order_id, "sign": sign})
    assert response.status_code == 200
    return response.text, dict(response.headers)


def time_left(page: str) -> str:
    match = re.search(r"<span id='time-left'>([^<]*)</span>", page)
    assert match is not None, page
    return match.group(1)


@pytest.mark.cpay_emulator(order_ttl=3600)
def test_the_page_counts_down_to_the_expiry_by_the_emulator_s_clock(cpay_emulator: CPayEmulator) -> None:
    order_id = new_order(cpay_emulator, "page-ttl")
    assert time_left(cashier_page(cpay_emulator, order_id)[0]) == "1 h 0 min 00 s"
    cpay_emulator.advance(600 + 15)
    assert time_left(cashier_page(cpay_emulator, order_id)[0]) == "49 min 45 s"


def test_a_crypto_order_shows_its_deposit_address_and_a_qr_code_of_it(cpay_emulator: CPayEmulator) -> None:
    order_id = new_order(cpay_emulator, "page-qr")
    page, headers = cashier_page(cpay_emulator, order_id)
    address = deposit_address(cpay_emulator.app.state.emulator.order_book.get(order_id))
    assert re.fullmatch(r"T[1-9A-HJ-NP-Za-km-z]{33}", address)  # a TRON address: the order's network
    assert f"<code id='deposit-address'>{address}</code>" in page
    expected = segno.make(address, error="m", micro=False).svg_inline(scale=4, title=f"QR code of {address}")
    assert f"<figure id='deposit-qr' style='margin:0'>{expected}</figure>" in page  # the QR encodes the address
    assert "<script" not in page
    assert headers["content-security-policy"].startswith("default-src 'none'")


def test_a_partly_paid_order_shows_no_countdown_but_still_its_address(cpay_emulator: CPayEmulator) -> None:
    order_id = new_order(cpay_emulator, "page-paid")
    cpay_emulator.pay(order_id, amount="4")  # PROCESSING: paying, no longer waiting
    page, _ = cashier_page(cpay_emulator, order_id)
    assert "time-left" not in page
    assert "deposit-qr" in page  # the rest can still be sent to the same address
