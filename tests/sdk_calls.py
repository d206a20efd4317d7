"""The SDK's traffic over all twelve operations: the spec's request examples, sent through the generated client.

Shared by the tests that put a validating proxy in front of the emulator (Prism's,
``tests/e2e/test_prism_proxy.py``, and the emulator's own, ``tests/emulator/proxy/``): each ``Call`` is one request
through a generated module (sync or async) with the arguments taken from ``openapi.yaml``'s examples, and the
envelope ``code`` the emulator must answer. Two business errors are included (a duplicate ``merchantTradeNo``, an
unknown order), so the error envelope passes through the proxies too. The emulator's demo merchant needs
``FUNDED_CURRENCIES`` funded first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml

from cpay_client import Client
from cpay_client.api.balances import get_merchant_balance
from cpay_client.api.card_payments import create_order_by_credit_card, pwpp
from cpay_client.api.crypto_pay_in import create_order
from cpay_client.api.deposits import get_wallet_address
from cpay_client.api.exchange import exchange, get_exchange_rate, get_exchange_rate_for_credit_card
from cpay_client.api.kyc import submit_kyc
from cpay_client.api.orders import get_order_detail
from cpay_client.api.payouts import create_fiat_payout_order, withdraw
from cpay_client.models import (
    CreateFiatPayoutOrderRequest,
    CreateOrderByCreditCardRequest,
    CreateOrderRequest,
    ExchangeRequest,
    PurchaseType,
    PwppRequest,
    SubmitKycRequest,
    WithdrawRequest,
)
from cpay_client.types import Response
from cpay_emulator import ErrorCode
from cpay_emulator.shared.refs import References

__all__ = ["CALLS", "FUNDED_CURRENCIES", "OPERATION_IDS", "SPEC", "SPEC_PATH", "Call", "form_example", "query_example"]

SPEC_PATH = Path(__file__).resolve().parents[1] / "openapi.yaml"
SPEC: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
REFERENCES = References(SPEC)
OPERATION_IDS = frozenset(operation["operationId"] for item in SPEC["paths"].values() for operation in item.values())
FUNDED_CURRENCIES = ("USDT", "BRL", "USD")
"""The currencies the payouts and the exchange of the examples spend (the demo merchant starts with nothing)."""
FORM = "application/x-www-form-urlencoded"


def form_example(operation_id: str) -> dict[str, Any]:
    """The request body example of a POST operation of ``openapi.yaml``."""
    for item in SPEC["paths"].values():
        for operation in item.values():
            if operation["operationId"] == operation_id:
                example: dict[str, Any] = operation["requestBody"]["content"][FORM]["examples"]["document"]["value"]
                return dict(example)
    raise KeyError(operation_id)


def query_example(operation_id: str) -> dict[str, Any]:
    """Each query parameter's ``example`` of a GET operation of ``openapi.yaml``."""
    for item in SPEC["paths"].values():
        for operation in item.values():
            if operation["operationId"] == operation_id:
                found: dict[str, Any] = {}
                for parameter in map(REFERENCES.resolve, operation.get("parameters", [])):
                    found[parameter["name"]] = parameter["example"]
                return found
    raise KeyError(operation_id)


def query_arguments(operation_id: str) -> dict[str, Any]:
    """A GET operation's query examples as the generated function's keyword arguments."""
    arguments: dict[str, Any] = {}
    for name, value in query_example(operation_id).items():
        argument = "".join(f"_{c.lower()}" if c.isupper() else c for c in name)  # userId -> user_id
        if name == "purchaseType":
            arguments[argument] = PurchaseType(int(value))
        else:
            arguments["hash_" if name == "hash" else argument] = str(value)
    return arguments


def body(model: Any, operation_id: str) -> Callable[[], dict[str, Any]]:
    """The ``body=`` argument of a POST operation: its form example as the generated model."""
    return lambda: {"body": model.from_dict(form_example(operation_id))}


@dataclass(frozen=True)
class Call:
    """One request through the SDK's generated module, and the envelope ``code`` the emulator answers it with."""

    label: str
    operation: ModuleType
    arguments: Callable[[], dict[str, Any]]
    code: int = 0

    @property
    def operation_id(self) -> str:
        return self.label.split(" ", 1)[0]

    def send(self, client: Client) -> Response[Any]:
        response: Response[Any] = self.operation.sync_detailed(client=client, **self.arguments())
        return response

    async def asend(self, client: Client) -> Response[Any]:
        response: Response[Any] = await self.operation.asyncio_detailed(client=client, **self.arguments())
        return response


CALLS = [
    Call("getWalletAddress", get_wallet_address, lambda: query_arguments("getWalletAddress")),
    Call("getMerchantBalance", get_merchant_balance, dict),
    Call("getExchangeRate", get_exchange_rate, lambda: query_arguments("getExchangeRate")),
    Call(
        "getExchangeRateForCreditCard",
        get_exchange_rate_for_credit_card,
        lambda: query_arguments("getExchangeRateForCreditCard"),
    ),
    Call("withdraw", withdraw, body(WithdrawRequest, "withdraw")),
    Call(
        "createFiatPayoutOrder",
        create_fiat_payout_order,
        body(CreateFiatPayoutOrderRequest, "createFiatPayoutOrder"),
    ),
    Call("exchange", exchange, body(ExchangeRequest, "exchange")),
    Call("submitKYC", submit_kyc, body(SubmitKycRequest, "submitKYC")),
    Call("pwpp", pwpp, body(PwppRequest, "pwpp")),
    Call("createOrder", create_order, body(CreateOrderRequest, "createOrder")),
    Call(
        "createOrder again (duplicate merchantTradeNo)",
        create_order,
        body(CreateOrderRequest, "createOrder"),
        ErrorCode.DUPLICATE_MERCHANT_TRADE_NO,
    ),
    Call(
        "createOrderByCreditCard",
        create_order_by_credit_card,
        body(CreateOrderByCreditCardRequest, "createOrderByCreditCard"),
    ),
    Call(
        "getOrderDetail of the order just created",
        get_order_detail,
        lambda: {"merchant_trade_no": form_example("createOrder")["merchantTradeNo"]},
    ),
    Call(
        # The example's order id and hash match no order of the emulator (nor its merchantTradeNo's order).
        "getOrderDetail of the example's order, unknown here",
        get_order_detail,
        lambda: query_arguments("getOrderDetail"),
        ErrorCode.ORDER_NOT_FOUND,
    ),
]
