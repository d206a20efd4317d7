"""The control API (``/_emulator/``) and the cashier page drive orders through their lifecycle."""

from __future__ import annotations

import re
import time
from typing import Any

import jsonschema_rs
import pytest
import yaml
from starlette.routing import Route

import cpay_emulator.shared.errors as outcomes
from cpay_emulator import EmulatorError, ErrorCode, create_app
from cpay_emulator.server import control as control_api
from cpay_emulator.server.control import (
    CONTROL_SPEC_PATH,
    HANDLERS,
    HTTP_STATUS,
    ControlDocumentError,
    check_handlers,
    control_operations,
)
from cpay_emulator.shared.spec import load_spec

from ..conftest import MERCHANT_ID

V1 = "/openapi/v1"


def create_order(client: Any, trade_no: str, amount: str = "10", **extra: str) -> dict[str, Any]:
    form = {
        "merchantTradeNo": trade_no,
        "createTime": str(int(time.time() * 1000)),
        "userId": "u1",
        "amount": amount,
        "cryptoCurrency": "USDT",
        **extra,
    }
    body = client.post(f"{V1}/createOrder", data=form).json()
    assert body["code"] == 0, body
    data: dict[str, Any] = body["data"]
    return data


def control(client: Any, method: str, path: str, **kwargs: Any) -> Any:
    return client.request(method, f"/_emulator{path}", auth=None, **kwargs)


def test_the_control_document_is_valid_openapi_and_served(client: Any) -> None:
    from openapi_spec_validator import validate

    document = yaml.safe_load(CONTROL_SPEC_PATH.read_text())
    validate(document)
    served = control(client, "GET", "/openapi.yaml")
    assert served.status_code == 200
    assert yaml.safe_load(served.text) == document


def test_every_control_route_is_documented(app: Any) -> None:
    document = yaml.safe_load(CONTROL_SPEC_PATH.read_text())
    documented = {
        (path, method.upper()) for path, item in document["paths"].items() for method in item if method != "parameters"
    }
    served = {
        (route.path, method)
        for route in app.routes
        # Routes, not mounts: the control API's reference page (/_emulator/docs/) is not one of its operations.
        if isinstance(route, Route) and route.path.startswith("/_emulator/") and route.path != "/_emulator/openapi.yaml"
        for method in (route.methods or set()) - {"HEAD"}
    }
    assert served == documented


def test_every_control_operation_has_a_handler_and_every_handler_an_operation() -> None:
    operation_ids = [operation.operation_id for operation in control_operations(load_spec(CONTROL_SPEC_PATH))]
    check_handlers(operation_ids, HANDLERS)
    assert sorted(operation_ids) == sorted(HANDLERS)


def test_an_operation_without_a_handler_and_a_handler_without_an_operation_are_both_named() -> None:
    with pytest.raises(ControlDocumentError) as raised:
        check_handlers(["health", "inventOrder"], {"health": HANDLERS["health"], "stray": HANDLERS["reset"]})
    message = str(raised.value)
    assert "without a handler: inventOrder" in message
    assert "without an operation in control-openapi.yaml: stray" in message


def test_the_emulator_does_not_start_when_its_control_document_and_handlers_disagree(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(control_api, "HANDLERS", {k: v for k, v in HANDLERS.items() if k != "payOrder"})
    with pytest.raises(ControlDocumentError, match="payOrder"):
        create_app()


def test_control_routes_are_the_documents_paths_and_methods() -> None:
    document = load_spec(CONTROL_SPEC_PATH)
    operations = {
        (operation.method, operation.path): operation.operation_id for operation in control_operations(document)
    }
    assert operations[("PUT", "/_emulator/merchants/{merchantId}/balances/{currency}")] == "setBalance"
    assert operations[("DELETE", "/_emulator/faults")] == "clearFaults"
    assert len(operations) == sum(1 for item in document["paths"].values() for key in item if key != "parameters")


def test_partial_then_remaining_payment_completes_the_order(client: Any) -> None:
    order_id = create_order(client, "partial")["orderId"]
    first = control(client, "POST", f"/orders/{order_id}/pay", json={"amount": "3"}).json()["data"]
    assert (first["status"], first["actualAmount"]) == ("11", "3")
    second = control(client, "POST", f"/orders/{order_id}/pay", json={}).json()["data"]
    assert (second["status"], second["actualAmount"]) == ("14", "10")


def test_paying_a_closed_order_is_a_conflict(client: Any) -> None:
    order_id = create_order(client, "closed")["orderId"]
    assert (
        control(client, "POST", f"/orders/{order_id}/fail", json={"reason": "expired"}).json()["data"]["status"] == "15"
    )
    response = control(client, "POST", f"/orders/{order_id}/pay", json={})
    assert response.status_code == 409
    assert response.json()["code"] == ErrorCode.INVALID_ORDER_STATE


def test_control_input_is_validated_against_its_document(client: Any) -> None:
    order_id = create_order(client, "v")["orderId"]
    response = control(client, "POST", f"/orders/{order_id}/pay", json={"amount": "1.5x"})
    assert response.status_code == 422
    assert response.json()["msg"].startswith("invalid parameter amount")
    unknown = control(client, "POST", "/orders/404/pay", json={})
    assert (unknown.status_code, unknown.json()["code"]) == (404, ErrorCode.ORDER_NOT_FOUND)
    not_json = control(
        client, "POST", f"/orders/{order_id}/pay", content=b"{", headers={"content-type": "application/json"}
    )
    assert not_json.status_code == 400


def test_deposit_to_a_wallet_address_shows_up_in_the_balance(client: Any) -> None:
    addresses = client.get(f"{V1}/getWalletAddress", params={"userId": "depositor"}).json()["data"]
    btc = next(entry["address"] for entry in addresses if entry["currency"] == "BTC")
    deposit = control(client, "POST", "/deposits", json={"address": btc, "currency": "BTC", "amount": "0.5"})
    order = deposit.json()["data"]
    assert (order["status"], order["kind"], order["merchantUserId"]) == ("14", "deposit", "depositor")
    detail = client.get(f"{V1}/getOrderDetail", params={"hash": order["hash"]}).json()["data"]
    assert detail["orderId"] == order["orderId"]
    balances = {b["cryptoCurrency"]: b for b in client.get(f"{V1}/getMerchantBalance").json()["data"]}
    assert balances["BTC"]["availableBalance"] == "0.4975"
    wrong_coin = control(client, "POST", "/deposits", json={"address": btc, "currency": "TRX", "amount": "1"})
    assert wrong_coin.json()["code"] == ErrorCode.UNSUPPORTED_NETWORK


def test_unconfirmed_deposit_completes_later(client: Any) -> None:
    addresses = client.get(f"{V1}/getWalletAddress", params={"userId": "slow"}).json()["data"]
    tron = addresses[0]["address"]
    order = control(
        client, "POST", "/deposits", json={"address": tron, "currency": "USDT", "amount": "7", "confirmed": False}
    ).json()["data"]
    assert order["status"] == "11"
    done = control(client, "POST", f"/orders/{order['orderId']}/complete", json={}).json()["data"]
    assert done["status"] == "14"


def test_payout_lifecycle_through_the_control_api(client: Any) -> None:
    control(client, "PUT", f"/merchants/{MERCHANT_ID}/balances/USDT", json={"available": "50"})
    form = {
        "userId": "u",
        "merchantTradeNo": "w1",
        "createTime": "1700000000000",
        "cryptoCurrency": "USDT",
        "network": "Ethereum(ERC-20)",
        "totalAmount": "20",
        "receivedAmount": "19",
        "toAddress": "0x51777edc64e66e953a576d8b90310b2a80f18f67",
    }
    order_id = client.post(f"{V1}/withdraw", data=form).json()["data"]["orderId"]
    assert control(client, "POST", f"/orders/{order_id}/process").json()["data"]["status"] == "11"
    done = control(client, "POST", f"/orders/{order_id}/complete", json={}).json()["data"]
    assert done["status"] == "14"
    assert re.fullmatch(r"0x[0-9a-f]{64}", done["hash"])
    balances = control(client, "GET", f"/merchants/{MERCHANT_ID}/balances").json()["data"]
    assert {"currency": "USDT", "available": "30", "frozen": "0"} in balances


def test_rates_set_through_the_control_api_drive_the_quotes(client: Any) -> None:
    control(client, "PUT", "/rates", json={"prices": {"BTC": "60000"}})
    query = {"sourceCurrency": "USDT", "targetCurrency": "BTC", "purchaseType": "0", "amount": "1"}
    assert client.get(f"{V1}/getExchangeRate", params=query).json()["data"]["exchangeRate"] == "60000"
    bad = control(client, "PUT", "/rates", json={"prices": {"BTC": "-1"}})
    assert bad.status_code == 422


def test_reset_forgets_orders_and_restores_default_rates(client: Any) -> None:
    create_order(client, "r1")
    control(client, "PUT", "/rates", json={"prices": {"BTC": "1"}})
    assert control(client, "POST", "/reset").json()["code"] == 0
    assert control(client, "GET", "/orders").json()["data"] == []
    assert control(client, "GET", "/rates").json()["data"]["prices"]["BTC"] == "40000"
    create_order(client, "r1")  # the trade number is free again


def test_a_merchant_added_at_run_time_can_sign_requests(client: Any) -> None:
    from cpay import CPayAuth

    saved = control(
        client, "PUT", "/merchants/777", json={"secretKey": "s3cret", "feeRates": {"payin": "0.02"}}
    ).json()["data"]
    assert "secretKey" not in saved
    assert saved["feeRates"]["payin"] == "0.02"
    client.auth = CPayAuth("777", "s3cret")
    order_id = create_order(client, "m1", amount="100")["orderId"]
    paid = control(client, "POST", f"/orders/{order_id}/pay", json={}).json()["data"]
    assert paid["fee"] == "2"
    listed = control(client, "GET", "/merchants").json()["data"]
    assert all("secret" not in str(entry).lower() for entry in listed)


def test_the_webhook_settings_change_through_the_control_api_and_apply_to_what_follows(client: Any) -> None:
    assert control(client, "GET", "/webhooks/settings").json()["data"]["statuses"] == "final"
    control(
        client,
        "PUT",
        "/merchants/777",
        json={"secretKey": "s3cret", "webhookFormat": "param", "callbackURL": "https://shop.example/hook"},
    )
    changed = control(
        client, "PUT", "/webhooks/settings", json={"statuses": "all", "types": "strings", "accept": ["success"]}
    ).json()["data"]
    assert (changed["statuses"], changed["types"], changed["accept"]) == ("all", "strings", ["success"])
    assert len(changed["schedule"]) == 3  # the fields not given stay (the fixture's three fast attempts)
    from cpay import CPayAuth

    client.auth = CPayAuth("777", "s3cret")
    order_id = create_order(client, "settings-1")["orderId"]
    control(client, "POST", f"/orders/{order_id}/pay", json={})
    deliveries = control(client, "GET", "/webhooks", params={"orderId": order_id}).json()["data"]
    assert [(d["orderStatus"], d["shape"], d["payload"]["orderStatus"]) for d in deliveries] == [
        ("11", "param", "11"),
        ("14", "param", "14"),
    ]


@pytest.mark.parametrize(
    "body",
    [{"statuses": "some"}, {"accept": ["  "]}, {"schedule": []}, {"schedule": [-1]}, {"accept": "OK"}, {"x": 1}],
    ids=["unknown-statuses", "blank-reply", "no-attempt", "negative-interval", "not-a-list", "unknown-field"],
)
def test_webhook_settings_no_server_would_have_are_refused_and_nothing_changes(client: Any, body: Any) -> None:
    before = control(client, "GET", "/webhooks/settings").json()["data"]
    refused = control(client, "PUT", "/webhooks/settings", json=body)
    assert refused.status_code in (400, 422)
    assert refused.json()["code"] != 0
    assert control(client, "GET", "/webhooks/settings").json()["data"] == before


def test_cashier_page_pays_the_order_with_its_buttons(client: Any) -> None:
    data = create_order(client, "cashier", successURL="https://shop.example/done")
    page = client.get(data["cashierURL"], auth=None)
    assert page.status_code == 200
    assert "id='pay'" in page.text
    assert "12.5" not in page.text
    assert "10 USDT" in page.text
    fields = dict(re.findall(r"name='(orderId|sign)' value='([^']+)'", page.text))
    paid = client.post("/cashier/payment/pay", data=fields, auth=None, follow_redirects=False)
    assert paid.status_code == 303
    assert paid.headers["location"] == f"https://shop.example/done?txnRef={data['orderId']}"
    assert control(client, "GET", f"/orders/{data['orderId']}").json()["data"]["status"] == "14"


def test_cashier_page_refuses_a_link_without_the_right_sign(client: Any) -> None:
    data = create_order(client, "cashier2")
    tampered = data["cashierURL"].rsplit("=", 1)[0] + "=" + "0" * 64
    assert client.get(tampered, auth=None).status_code == 404


@pytest.mark.parametrize("path", ["/health", "/webhooks", "/webhooks/settings", "/orders", "/merchants", "/rates"])
def test_control_answers_validate_against_the_envelope(client: Any, path: str) -> None:
    document = yaml.safe_load(CONTROL_SPEC_PATH.read_text())
    validator = jsonschema_rs.validator_for(document["components"]["schemas"]["Envelope"])
    assert validator.is_valid(control(client, "GET", path).json())


CONTROL_STATUS: dict[type[EmulatorError], int] = {
    outcomes.MalformedRequest: 400,
    outcomes.InvalidParameter: 422,
    outcomes.MissingSignature: 400,
    outcomes.InvalidSignature: 400,
    outcomes.UnknownMerchant: 404,
    outcomes.OperationNotImplemented: 400,
    outcomes.DuplicateTradeNo: 409,
    outcomes.OrderNotFound: 404,
    outcomes.WebhookNotFound: 404,
    outcomes.InvalidOrderState: 409,
    outcomes.InsufficientBalance: 409,
    outcomes.UnsupportedCurrency: 400,
    outcomes.UnsupportedNetwork: 400,
    outcomes.UnsupportedPair: 400,
    outcomes.InvalidAmount: 422,
    outcomes.InvalidAddress: 422,
    outcomes.CardDeclined: 400,
    outcomes.CreateOrderFailed: 400,
    outcomes.IllegalIp: 403,
}


def test_every_outcome_has_its_control_status_and_its_own_code() -> None:
    # A new outcome must be given a status here (and in HTTP_STATUS unless it is 400) before it can ship.
    assert set(CONTROL_STATUS) == set(EmulatorError.__subclasses__())
    assert {outcome: HTTP_STATUS.get(outcome, 400) for outcome in CONTROL_STATUS} == CONTROL_STATUS
    codes = [outcome.code for outcome in CONTROL_STATUS if outcome is not outcomes.OperationNotImplemented]
    assert sorted(codes) == sorted(set(ErrorCode) - {ErrorCode.SUCCESS, ErrorCode.FAIL})
