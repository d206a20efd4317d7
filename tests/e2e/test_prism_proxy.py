"""A third-party validator reads our traffic against our spec: Prism's proxy in front of the emulator.

``prism proxy openapi.yaml <emulator>`` forwards every request to ``cpay-emulator serve`` and reports, in an
``sl-violations`` response header, every way the request or the response breaks ``openapi.yaml``. All twelve
operations go through the generated client built by ``create_client`` (the SDK as a merchant uses it), with
the spec's own request examples, and two business errors (a duplicate ``merchantTradeNo``, an unknown
order). No response may carry a violation: the spec, the SDK and the emulator describe one wire contract.

Each call's envelope ``code`` is checked as well, so a request that never reached an operation (refused for its
signature, say) cannot pass unnoticed. The test skips only where Prism is not installed (``make node``).
"""

from __future__ import annotations

import json
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from emulator_process import EmulatorProcess, free_port

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
from cpay_emulator import DEMO_MERCHANT_ID, DEMO_SECRET_KEY, ErrorCode
from cpay_signing import compute_sign, create_client, sign_request_parameters

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
SPEC_PATH = ROOT / "openapi.yaml"
PRISM = ROOT / "tools" / "node_modules" / ".bin" / "prism"
SPEC: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
FORM = "application/x-www-form-urlencoded"
STARTUP_SECONDS = 60  # Prism takes 3 to 5 s to start on an idle machine; a busy CI runner more


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
                for parameter in operation.get("parameters", []):
                    if "$ref" in parameter:
                        parameter = SPEC["components"]["parameters"][parameter["$ref"].rsplit("/", 1)[-1]]
                    found[parameter["name"]] = parameter["example"]
                return found
    raise KeyError(operation_id)


class PrismProxy:
    """``prism proxy openapi.yaml <upstream>`` as a child process on a free port of 127.0.0.1."""

    def __init__(self, upstream: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = [str(PRISM), "proxy", str(SPEC_PATH), upstream, "-h", "127.0.0.1", "-p", str(self.port)]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=ROOT)
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"prism proxy exited with {self.process.returncode}: {self._output()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.1)
        self.close()
        raise RuntimeError(f"prism proxy did not listen on {self.url} within {STARTUP_SECONDS} s: {self._output()}")

    def _output(self) -> str:
        return self.process.stdout.read().decode("utf-8", "replace")[-2000:] if self.process.stdout else ""

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        if self.process.stdout is not None:
            self.process.stdout.close()


@pytest.fixture(scope="module")
def prism_url() -> Iterator[str]:
    if not PRISM.exists():
        pytest.skip(f"Prism is not installed ({PRISM.relative_to(ROOT)} is missing): run `make node`")
    with EmulatorProcess("--db", ":memory:", "--quiet") as emulator, emulator.control() as control:
        # Funds for the payouts and the exchange of the examples (the demo merchant starts with nothing).
        for currency in ("USDT", "BRL", "USD"):
            answer = control.put(f"/merchants/{DEMO_MERCHANT_ID}/balances/{currency}", json={"available": "1000"})
            assert answer.json()["code"] == 0, answer.text
        proxy = PrismProxy(emulator.base_url)
        try:
            yield proxy.url
        finally:
            proxy.close()


@dataclass(frozen=True)
class Call:
    """One request through the SDK, and the envelope ``code`` the emulator must answer it with."""

    label: str
    send: Callable[[Client], Response[Any]]
    code: int = 0


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


CALLS = [
    Call(
        "getWalletAddress", lambda c: get_wallet_address.sync_detailed(client=c, **query_arguments("getWalletAddress"))
    ),
    Call("getMerchantBalance", lambda c: get_merchant_balance.sync_detailed(client=c)),
    Call("getExchangeRate", lambda c: get_exchange_rate.sync_detailed(client=c, **query_arguments("getExchangeRate"))),
    Call(
        "getExchangeRateForCreditCard",
        lambda c: get_exchange_rate_for_credit_card.sync_detailed(
            client=c, **query_arguments("getExchangeRateForCreditCard")
        ),
    ),
    Call(
        "withdraw",
        lambda c: withdraw.sync_detailed(client=c, body=WithdrawRequest.from_dict(form_example("withdraw"))),
    ),
    Call(
        "createFiatPayoutOrder",
        lambda c: create_fiat_payout_order.sync_detailed(
            client=c, body=CreateFiatPayoutOrderRequest.from_dict(form_example("createFiatPayoutOrder"))
        ),
    ),
    Call(
        "exchange",
        lambda c: exchange.sync_detailed(client=c, body=ExchangeRequest.from_dict(form_example("exchange"))),
    ),
    Call(
        "submitKYC",
        lambda c: submit_kyc.sync_detailed(client=c, body=SubmitKycRequest.from_dict(form_example("submitKYC"))),
    ),
    Call("pwpp", lambda c: pwpp.sync_detailed(client=c, body=PwppRequest.from_dict(form_example("pwpp")))),
    Call(
        "createOrder",
        lambda c: create_order.sync_detailed(client=c, body=CreateOrderRequest.from_dict(form_example("createOrder"))),
    ),
    Call(
        "createOrder again (duplicate merchantTradeNo)",
        lambda c: create_order.sync_detailed(client=c, body=CreateOrderRequest.from_dict(form_example("createOrder"))),
        ErrorCode.DUPLICATE_MERCHANT_TRADE_NO,
    ),
    Call(
        "createOrderByCreditCard",
        lambda c: create_order_by_credit_card.sync_detailed(
            client=c, body=CreateOrderByCreditCardRequest.from_dict(form_example("createOrderByCreditCard"))
        ),
    ),
    Call(
        "getOrderDetail of the order just created",
        lambda c: get_order_detail.sync_detailed(
            client=c, merchant_trade_no=form_example("createOrder")["merchantTradeNo"]
        ),
    ),
    Call(
        # The example's order id and hash match no order of the emulator (nor its merchantTradeNo's order).
        "getOrderDetail of the example's order, unknown here",
        lambda c: get_order_detail.sync_detailed(client=c, **query_arguments("getOrderDetail")),
        ErrorCode.ORDER_NOT_FOUND,
    ),
]


def test_every_operation_sent_by_the_sdk_through_prism_breaks_nothing_in_the_spec(prism_url: str) -> None:
    operation_ids = {operation["operationId"] for item in SPEC["paths"].values() for operation in item.values()}
    assert {call.label.split(" ", 1)[0] for call in CALLS} == operation_ids
    problems: list[str] = []
    with create_client(
        prism_url, merchant_id=DEMO_MERCHANT_ID, secret_key=DEMO_SECRET_KEY, raise_business_errors=False
    ) as client:
        for call in CALLS:
            response = call.send(client)
            problems.extend(
                f"{call.label}: Prism: {'.'.join(map(str, item.get('location', [])))}: {item.get('message')}"
                for item in json.loads(response.headers.get("sl-violations", "[]"))
            )
            code = json.loads(response.content).get("code") if response.status_code == 200 else None
            if code != call.code:
                problems.append(f"{call.label}: code {code}, expected {int(call.code)}: {response.content[:300]!r}")
    assert not problems, "\n".join(problems)


def test_prism_reports_credentials_sent_in_a_form_body(prism_url: str) -> None:
    """What the SDK did before issue 9: the emulator accepts it (C-Pay reads both places), the spec does not."""
    form = {name: str(value) for name, value in form_example("createOrder").items()}
    form = {**form, "merchantTradeNo": "credentials-in-the-body", "merchantId": DEMO_MERCHANT_ID}
    form["sign"] = compute_sign(form, DEMO_SECRET_KEY)
    response = httpx.post(f"{prism_url}/openapi/v1/createOrder", data=form, timeout=30)
    assert response.json()["code"] == 0, response.text
    messages = [item.get("message") for item in json.loads(response.headers.get("sl-violations", "[]"))]
    assert "Invalid security scheme used" in messages, messages


def test_prism_reports_a_missing_required_parameter(prism_url: str) -> None:
    query, _ = sign_request_parameters(b"", None, merchant_id=DEMO_MERCHANT_ID, secret_key=DEMO_SECRET_KEY)
    response = httpx.get(f"{prism_url}/openapi/v1/getWalletAddress?{query.decode()}", timeout=30)
    messages = [str(item.get("message")) for item in json.loads(response.headers.get("sl-violations", "[]"))]
    # Prism lowercases query parameter names in its messages.
    assert any("required property 'userid'" in message.lower() for message in messages), messages
