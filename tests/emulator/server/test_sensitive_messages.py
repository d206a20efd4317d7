"""The emulator's sign-error message shows the string that was signed, with the sensitive values masked.

Code 10102's ``msg`` helps a merchant find why a sign is wrong by showing the parameters as they were signed;
the card data the spec marks ``x-cpay-sensitive`` and any value holding the merchant's secret key are masked
there by ``cpay.mask_sensitive``, as in the SDK's log.
"""

from __future__ import annotations

from typing import Any

from cpay import CPayAuth
from cpay_emulator import ErrorCode

from ..conftest import MERCHANT_ID, SECRET_KEY
from .test_api import V1, pwpp_form

CARD_NUMBER = "4000000000001111"


def wrongly_signed_pwpp(client: Any, **extra: str) -> dict[str, Any]:
    form = {**pwpp_form(CARD_NUMBER, "masked-1"), "cvv": "7391", "expDate": "07/41", **extra}
    answer = client.post(f"{V1}/pwpp", data=form, auth=CPayAuth(MERCHANT_ID, "not-the-merchant-s-key"))
    assert answer.status_code == 200
    body: dict[str, Any] = answer.json()
    assert body["code"] == ErrorCode.INVALID_SIGNATURE
    return body


def test_a_wrong_sign_s_message_masks_the_card_number_cvv_and_expiry(client: Any) -> None:
    message = wrongly_signed_pwpp(client)["msg"]
    assert CARD_NUMBER not in message
    assert "7391" not in message
    assert "07/41" not in message
    assert "cardNumber=************1111&" in message  # the field is still there, shown as on a receipt
    assert "cvv=***&" in message
    assert "expDate=***&" in message
    assert "merchantTradeNo=masked-1" in message  # what is not sensitive is shown, so the message still helps


def test_a_wrong_sign_s_message_masks_a_value_that_holds_the_merchant_s_secret_key(client: Any) -> None:
    message = wrongly_signed_pwpp(client, remark=f"pasted {SECRET_KEY} here")["msg"]
    assert SECRET_KEY not in message
    assert "remark=***&" in message
