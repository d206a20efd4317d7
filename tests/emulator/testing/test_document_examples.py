"""Examples of the vendor's PDF, as the emulator takes them (where the transcription had them wrong)."""

from __future__ import annotations

import pytest

from cpay import BusinessError, unwrap
from cpay_client.api.payouts import withdraw
from cpay_client.models import WithdrawRequest
from cpay_emulator import ErrorCode
from cpay_emulator.testing import CPayEmulator

PDF_BTC_ADDRESS = "3Dj8spQNdFUXRP1T91egJx8ZhfDc6QECsa"  # section 3, PDF p.5
TRANSCRIBED_BTC_ADDRESS = "3Dj8spQNdFUXRP1T91egJx8ZhFdc6QECsa"


def _payout_to(cpay_emulator: CPayEmulator, trade_no: str, address: str) -> WithdrawRequest:
    return WithdrawRequest.from_dict(
        {
            "userId": "u1",
            "merchantTradeNo": trade_no,
            "createTime": cpay_emulator.now_ms(),
            "cryptoCurrency": "BTC",
            "network": "Bitcoin",
            "totalAmount": "0.01",
            "receivedAmount": "0.0099",
            "toAddress": address,
        }
    )


def test_a_payout_to_section_3_s_bitcoin_address_as_the_pdf_prints_it_is_accepted(cpay_emulator: CPayEmulator) -> None:
    cpay_emulator.set_balance("BTC", "1")
    order = unwrap(withdraw.sync(client=cpay_emulator.client, body=_payout_to(cpay_emulator, "pdf", PDF_BTC_ADDRESS)))
    assert order.merchant_trade_no == "pdf"


def test_the_transcription_s_mistyped_address_fails_its_checksum(cpay_emulator: CPayEmulator) -> None:
    cpay_emulator.set_balance("BTC", "1")
    with pytest.raises(BusinessError) as refused:
        withdraw.sync(client=cpay_emulator.client, body=_payout_to(cpay_emulator, "typo", TRANSCRIBED_BTC_ADDRESS))
    assert refused.value.code == ErrorCode.INVALID_ADDRESS
