"""Where a webhook goes: the order's ``callBackURL``, else the merchant's configured URL. The lowercase spelling
that the transcription used (``callbackURL``) is a name C-Pay's form binder does not bind: ignored."""

from __future__ import annotations

from cpay import unwrap
from cpay_client.api.crypto_pay_in import create_order
from cpay_client.models import CreateOrderRequest
from cpay_emulator.testing import CPayEmulator

SHOP_HOOK = "https://shop.example/cpay/order-hook"


def _order_with(cpay_emulator: CPayEmulator, trade_no: str, **wire: str) -> str:
    body = CreateOrderRequest.from_dict(
        {
            "merchantTradeNo": trade_no,
            "createTime": cpay_emulator.now_ms(),
            "userId": "user-1",
            "amount": "10",
            "cryptoCurrency": "USDT",
            **wire,
        }
    )
    return str(unwrap(create_order.sync(client=cpay_emulator.client, body=body)).order_id)


def test_the_generated_client_sends_callBackURL(cpay_emulator: CPayEmulator) -> None:
    body = CreateOrderRequest.from_dict(
        {"merchantTradeNo": "t", "createTime": 1, "userId": "u", "amount": "1", "cryptoCurrency": "USDT"}
    )
    body.call_back_url = SHOP_HOOK
    assert body.to_dict()["callBackURL"] == SHOP_HOOK
    assert "callbackURL" not in body.to_dict()


def test_an_order_s_callBackURL_receives_its_webhook(cpay_emulator: CPayEmulator) -> None:
    order_id = _order_with(cpay_emulator, "capital-b", callBackURL=SHOP_HOOK)
    cpay_emulator.pay(order_id)
    assert [delivery.url for delivery in cpay_emulator.webhooks] == [SHOP_HOOK] * len(cpay_emulator.webhooks)


def test_a_lowercase_callbackURL_is_ignored_and_the_webhook_goes_to_the_merchant_s_default_url(
    cpay_emulator: CPayEmulator,
) -> None:
    order_id = _order_with(cpay_emulator, "lowercase-b", callbackURL=SHOP_HOOK)
    cpay_emulator.pay(order_id)
    urls = {delivery.url for delivery in cpay_emulator.webhooks}
    assert urls == {cpay_emulator.options.callback_url}
    assert cpay_emulator.order(order_id)["callbackURL"] == ""
