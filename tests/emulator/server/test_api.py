"""The C-Pay API over HTTP (in-process): every operation, signatures, validation and the envelope."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from cpay import CPayAuth, SignRule, compute_sign, verify_sign
from cpay_emulator import ErrorCode
from cpay_emulator.server.api import HANDLERS

from ..conftest import MERCHANT_ID, OTHER_MERCHANT_ID, OTHER_SECRET_KEY, SECRET_KEY

V1 = "/openapi/v1"
PRODUCTS = json.dumps([{"name": "macBook", "price": "1234.00", "num": "1", "currency": "USD"}])


def now() -> str:
    return str(int(time.time() * 1000))


def ok(response: Any) -> Any:
    assert response.status_code == 200
    body = response.json()
    assert body["code"] == 0, body
    return body["data"]


def create_order(client: Any, trade_no: str = "order-1", **extra: str) -> Any:
    form = {
        "merchantTradeNo": trade_no,
        "createTime": now(),
        "userId": "user-1",
        "amount": "12.5",
        "cryptoCurrency": "USDT",
        **extra,
    }
    return client.post(f"{V1}/createOrder", data=form)


def pwpp_form(card_number: str, trade_no: str) -> dict[str, str]:
    return {
        "merchantTradeNo": trade_no,
        "userId": "user-1",
        "firstName": "Hart",
        "lastName": "Lee",
        "email": "hart@example.com",
        "iddCode": "35",
        "mobile": "712345678",
        "addressLine": "1 Main Street",
        "country": "US",
        "city": "Boston",
        "zip": "02110",
        "cardNumber": card_number,
        "cvv": "123",
        "expDate": "12/29",
        "ip": "203.0.113.7",
        "currency": "USD",
        "amount": "19.01",
        "products": PRODUCTS,
        "clientHTTPAccept": "text/html",
        "clientHTTPUserAgent": "Mozilla/5.0",
        "createTime": now(),
        "storeCc": "1",
    }


def test_every_operation_of_the_spec_has_a_handler(app: Any, spec: dict[str, Any]) -> None:
    operation_ids = {
        operation["operationId"]
        for item in spec["paths"].values()
        for method, operation in item.items()
        if method in ("get", "post")
    }
    assert operation_ids == set(HANDLERS) == set(app.state.operations)


def test_create_order_answers_the_documented_shape(client: Any, response_validator: Any) -> None:
    response = create_order(client, callBackURL="https://shop.example/hook")
    response_validator("createOrder", response.json())
    data = ok(response)
    assert len(data["orderId"]) == 21
    assert data["orderId"].isdigit()
    assert (data["status"], data["orderAmount"], data["merchantTradeNo"]) == ("0", "12.5", "order-1")
    order_id = data["orderId"]
    expected_sign = compute_sign({"orderId": order_id}, SECRET_KEY)
    assert data["cashierURL"] == f"http://testserver/cashier/payment?orderId={order_id}&sign={expected_sign}"
    trace = response.json()["traceid"]
    assert len(trace) == 20
    assert trace[12] == "X"


def test_duplicate_merchant_trade_no_is_rejected_with_its_code(client: Any) -> None:
    ok(create_order(client, "dup"))
    body = create_order(client, "dup").json()
    assert (body["code"], body["data"]) == (ErrorCode.DUPLICATE_MERCHANT_TRADE_NO, None)
    assert "dup" in body["msg"]


def test_merchant_trade_no_is_unique_per_merchant_only(client: Any) -> None:
    ok(create_order(client, "shared"))
    client.auth = CPayAuth(OTHER_MERCHANT_ID, OTHER_SECRET_KEY)
    ok(create_order(client, "shared"))


def test_order_detail_is_found_by_trade_no_order_id_or_hash(client: Any, response_validator: Any) -> None:
    order_id = ok(create_order(client, "find-me"))["orderId"]
    paid = client.post(f"/_emulator/orders/{order_id}/pay", json={}, auth=None).json()["data"]
    for query in ({"merchantTradeNo": "find-me"}, {"cpayOrderId": order_id}, {"hash": paid["hash"]}):
        response = client.get(f"{V1}/getOrderDetail", params=query)
        response_validator("getOrderDetail", response.json())
        data = ok(response)
        assert (data["orderId"], data["status"]) == (order_id, "14")


def test_order_detail_of_an_unknown_order_is_not_found(client: Any) -> None:
    body = client.get(f"{V1}/getOrderDetail", params={"cpayOrderId": "123"}).json()
    assert body["code"] == ErrorCode.ORDER_NOT_FOUND
    nothing_to_look_for = client.get(f"{V1}/getOrderDetail").json()
    assert nothing_to_look_for["code"] == ErrorCode.ORDER_NOT_FOUND


def test_an_unknown_parameter_with_an_empty_name_is_signed_and_ignored(unsigned: Any) -> None:
    params = {"merchantId": MERCHANT_ID, "": "odd", "userId": "u1"}
    params["sign"] = compute_sign(params, SECRET_KEY)
    response = unsigned.get(f"{V1}/getWalletAddress?" + "&".join(f"{k}={v}" for k, v in params.items()))
    assert response.json()["code"] == 0


def test_another_merchants_order_is_not_found(client: Any) -> None:
    ok(create_order(client, "mine"))
    client.auth = CPayAuth(OTHER_MERCHANT_ID, OTHER_SECRET_KEY)
    body = client.get(f"{V1}/getOrderDetail", params={"merchantTradeNo": "mine"}).json()
    assert body["code"] == ErrorCode.ORDER_NOT_FOUND


def _card_order_form(trade_no: str, **extra: str) -> dict[str, Any]:
    return {
        "merchantTradeNo": trade_no,
        "userId": "u",
        "currency": "USD",
        "amount": "10.00",
        "products": PRODUCTS,
        "country": "US",
        "email": "a@example.com",
        "ip": "203.0.113.7",
        "createTime": now(),
        **extra,
    }


@pytest.mark.parametrize("operation", ["createOrder", "createOrderByCreditCard"])
def test_the_callback_url_is_read_under_callBackURL(client: Any, app: Any, operation: str) -> None:
    hook = {"callBackURL": "https://shop.example/hook"}
    if operation == "createOrder":
        response = create_order(client, "cb-capital", **hook)
    else:
        response = client.post(f"{V1}/createOrderByCreditCard", data=_card_order_form("cb-capital", **hook))
    data = ok(response)
    assert app.state.emulator.order_book.get(data["orderId"]).callback_url == "https://shop.example/hook"


@pytest.mark.parametrize("operation", ["createOrder", "createOrderByCreditCard"])
def test_a_lowercase_callbackURL_is_an_unknown_parameter_and_is_ignored(client: Any, app: Any, operation: str) -> None:
    # A Java form binder binds `callBackURL` only; `callbackURL` is signed like any parameter, then ignored.
    hook = {"callbackURL": "https://shop.example/hook"}
    if operation == "createOrder":
        response = create_order(client, "cb-lower", **hook)
    else:
        response = client.post(f"{V1}/createOrderByCreditCard", data=_card_order_form("cb-lower", **hook))
    data = ok(response)
    assert app.state.emulator.order_book.get(data["orderId"]).callback_url == ""


def test_the_page_language_is_read_under_lanuage_and_language_is_ignored(client: Any, app: Any) -> None:
    # docs/spec-notes.md, erratum 3: the wire name is the document's `lanuage`; `language` is signed and ignored.
    kept = ok(client.post(f"{V1}/createOrderByCreditCard", data=_card_order_form("lang-wire", lanuage="en-US")))
    ignored = ok(client.post(f"{V1}/createOrderByCreditCard", data=_card_order_form("lang-fixed", language="fr")))
    assert app.state.emulator.order_book.get(kept["orderId"]).details["lanuage"] == "en-US"
    details = app.state.emulator.order_book.get(ignored["orderId"]).details
    assert "language" not in details
    assert "lanuage" not in details


def test_card_order_data_is_signed_with_the_merchant_secret(client: Any, response_validator: Any) -> None:
    form = {
        "merchantTradeNo": "card-1",
        "userId": "u",
        "currency": "EUR",
        "amount": "10.50",
        "products": PRODUCTS,
        "country": "DE",
        "email": "a@example.com",
        "ip": "2001:db8::1",
        "createTime": now(),
    }
    response = client.post(f"{V1}/createOrderByCreditCard", data=form)
    response_validator("createOrderByCreditCard", response.json())
    data = ok(response)
    assert data["orderStatus"] == "0"
    assert verify_sign({k: v for k, v in data.items() if k != "sign"}, SECRET_KEY, data["sign"])


def test_balance_lists_every_currency_and_follows_payments(client: Any, response_validator: Any) -> None:
    order_id = ok(create_order(client, "b1"))["orderId"]
    client.post(f"/_emulator/orders/{order_id}/pay", json={}, auth=None)
    response = client.get(f"{V1}/getMerchantBalance")
    response_validator("getMerchantBalance", response.json())
    balances = {entry["cryptoCurrency"]: entry for entry in ok(response)}
    assert {"USDT", "BTC", "ETH", "BNB", "TRX", "USD", "EUR", "BRL"} <= set(balances)
    assert balances["USDT"]["availableBalance"] == "12.4375"  # 12.5 less the default 0.5 % fee


def test_wallet_addresses_are_stable_and_shaped_per_chain(client: Any, response_validator: Any) -> None:
    first = client.get(f"{V1}/getWalletAddress", params={"userId": "user-7"})
    response_validator("getWalletAddress", first.json())
    entries = ok(first)
    assert entries == ok(client.get(f"{V1}/getWalletAddress", params={"userId": "user-7"}))
    assert entries != ok(client.get(f"{V1}/getWalletAddress", params={"userId": "user-8"}))
    by_network = {entry["network"]: entry["address"] for entry in entries}
    assert by_network["TRON(TRC-20)"].startswith("T")
    assert len(by_network["TRON(TRC-20)"]) == 34
    for network in ("BSC(BEP-20)", "Ethereum(ERC-20)"):
        address = by_network[network]
        assert address.startswith("0x")
        assert len(address) == 42
        assert int(address[2:], 16) >= 0
    assert by_network["Bitcoin"][0] == "3"
    assert {entry["currency"] for entry in entries} == {"USDT", "TRX", "BNB", "ETH", "BTC"}


def test_exchange_rates_answer_the_documented_shapes(client: Any, response_validator: Any) -> None:
    query = {"sourceCurrency": "USDT", "targetCurrency": "BTC", "purchaseType": "0", "amount": "100"}
    rate = client.get(f"{V1}/getExchangeRate", params=query)
    response_validator("getExchangeRate", rate.json())
    assert ok(rate) == {"exchangeRate": "40000"}
    card = client.get(f"{V1}/getExchangeRateForCreditCard", params={**query, "purchaseType": "1", "amount": "0.5"})
    response_validator("getExchangeRateForCreditCard", card.json())
    assert ok(card) == {"exchangeRate": "40000", "amountExchanged": "20000"}
    unknown = client.get(f"{V1}/getExchangeRate", params={**query, "targetCurrency": "DOGE"}).json()
    assert unknown["code"] == ErrorCode.UNSUPPORTED_PAIR


def test_withdraw_freezes_and_answers_the_documented_shape(client: Any, app: Any, response_validator: Any) -> None:
    client.put(f"/_emulator/merchants/{MERCHANT_ID}/balances/USDT", json={"available": "100"}, auth=None)
    form = {
        "userId": "u",
        "merchantTradeNo": "w1",
        "createTime": now(),
        "cryptoCurrency": "USDT",
        "network": "TRON(TRC-20)",
        "totalAmount": "10",
        "receivedAmount": "9.5",
        "toAddress": "TRMYtLHzmTeMm1FW86LZh2LGnE2D7kJnnw",
    }
    response = client.post(f"{V1}/withdraw", data=form)
    response_validator("withdraw", response.json())
    data = ok(response)
    assert (data["status"], data["fee"], data["orderAmount"]) == ("0", "0.5", "10")
    balance = app.state.emulator.ledger.balance(MERCHANT_ID, "USDT")
    assert (balance.available, balance.frozen) == (90, 10)
    too_much = client.post(f"{V1}/withdraw", data={**form, "merchantTradeNo": "w2", "totalAmount": "91"}).json()
    assert too_much["code"] == ErrorCode.INSUFFICIENT_BALANCE
    bad_address = client.post(f"{V1}/withdraw", data={**form, "merchantTradeNo": "w3", "toAddress": "TXYZ"}).json()
    assert bad_address["code"] == ErrorCode.INVALID_ADDRESS
    assert "toAddress" in bad_address["msg"]
    more_than_paid = client.post(f"{V1}/withdraw", data={**form, "merchantTradeNo": "w5", "receivedAmount": "11"})
    assert more_than_paid.json()["code"] == ErrorCode.INVALID_AMOUNT
    zero = client.post(f"{V1}/withdraw", data={**form, "merchantTradeNo": "w6", "totalAmount": "0"}).json()
    assert zero["code"] == ErrorCode.INVALID_AMOUNT
    bad_network = client.post(f"{V1}/withdraw", data={**form, "merchantTradeNo": "w4", "network": "Bitcoin"}).json()
    assert bad_network["code"] == ErrorCode.UNSUPPORTED_NETWORK


def test_fiat_payout_answers_the_documented_shape(client: Any, response_validator: Any) -> None:
    client.put(f"/_emulator/merchants/{MERCHANT_ID}/balances/BRL", json={"available": "10"}, auth=None)
    form = {
        "userId": "1001",
        "merchantTradeNo": "test07",
        "payoutChannel": "1",
        "amount": "5",
        "currency": "BRL",
        "accountType": "1",
        "toAccount": "4864330123",
        "country": "BRA",
        "createTime": now(),
        "callBackURL": "https://www.example.com/hook",
        "remark": "remark",
    }
    response = client.post(f"{V1}/createFiatPayoutOrder", data=form)
    response_validator("createFiatPayoutOrder", response.json())
    assert ok(response)["orderAmount"] == "5.5"
    pix_in_usd = client.post(f"{V1}/createFiatPayoutOrder", data={**form, "merchantTradeNo": "t8", "currency": "USD"})
    body = pix_in_usd.json()
    assert body["code"] == ErrorCode.INVALID_PARAMETER
    assert "currency" in body["msg"]


def test_exchange_answers_the_documented_shape(client: Any, response_validator: Any) -> None:
    client.put(f"/_emulator/merchants/{MERCHANT_ID}/balances/USDT", json={"available": "40000"}, auth=None)
    form = {
        "userId": "u",
        "merchantTradeNo": "x1",
        "createTime": now(),
        "sourceCurrency": "USDT",
        "sourceAmount": "40000",
        "targetCurrency": "BTC",
    }
    response = client.post(f"{V1}/exchange", data=form)
    response_validator("exchange", response.json())
    assert ok(response) == {"targetCurrency": "BTC", "targetAmount": "0.997", "exchangeRate": "40000", "fee": "0.003"}


def test_submit_kyc_counts_the_records(client: Any, response_validator: Any) -> None:
    record = {
        "userId": "231xsd23",
        "firstName": "hart",
        "lastName": "lee",
        "brithday": "1987-05-01",
        "gender": "male",
        "country": "RU",
        "email": "asdf@gmail.com",
        "mobile": "23452345",
    }
    response = client.post(f"{V1}/submitKYC", data={"data": json.dumps([record, {**record, "userId": "2"}])})
    response_validator("submitKYC", response.json())
    assert ok(response) == {"count": 2}
    broken = client.post(f"{V1}/submitKYC", data={"data": json.dumps([{**record, "gender": "x"}])}).json()
    assert broken["code"] == ErrorCode.INVALID_PARAMETER
    assert "data.0.gender" in broken["msg"]
    not_json = client.post(f"{V1}/submitKYC", data={"data": "[{"}).json()
    assert not_json["code"] == ErrorCode.INVALID_PARAMETER
    assert "JSON" in not_json["msg"]


def test_pwpp_approves_declines_and_asks_for_3ds_by_card_number(client: Any, response_validator: Any) -> None:
    approved = client.post(f"{V1}/pwpp", data=pwpp_form("4242424242424242", "p1"))
    response_validator("pwpp", approved.json())
    data = ok(approved)
    assert data["ccStorageID"]
    assert "txnRef=" + data["orderId"] in data["redirectURL"]
    status = ok(client.get(f"{V1}/getOrderDetail", params={"cpayOrderId": data["orderId"]}))["status"]
    assert status == "14"

    declined = client.post(f"{V1}/pwpp", data=pwpp_form("4000000000000002", "p2")).json()
    response_validator("pwpp", declined)
    assert (declined["code"], declined["msg"]) == (ErrorCode.PAY_FAIL, "pay fail")
    assert declined["data"] == {"orderId": "", "pageData": "", "ccStorageID": ""}

    stored = {**pwpp_form("4242424242424242", "p4"), "storeCc": "0", "ccStorageID": data["ccStorageID"]}
    assert ok(client.post(f"{V1}/pwpp", data=stored))["orderId"]
    unknown_card = client.post(f"{V1}/pwpp", data={**stored, "merchantTradeNo": "p5", "ccStorageID": "nope"}).json()
    assert unknown_card["code"] == ErrorCode.PAY_FAIL

    three_ds = ok(client.post(f"{V1}/pwpp", data=pwpp_form("4000000000003220", "p3")))
    assert "/cashier/payment?orderId=" in three_ds["redirectURL"]
    status = ok(client.get(f"{V1}/getOrderDetail", params={"cpayOrderId": three_ds["orderId"]}))["status"]
    assert status == "0"


def test_a_bad_signature_gets_the_envelope_with_its_code(unsigned: Any) -> None:
    params = {"merchantId": MERCHANT_ID, "userId": "u1"}
    params["sign"] = compute_sign(params, "not-the-secret")
    response = unsigned.get(f"{V1}/getWalletAddress", params=params)
    assert response.status_code == 200
    body = response.json()
    assert (body["code"], body["data"]) == (ErrorCode.INVALID_SIGNATURE, None)
    assert "merchantId=20001234&userId=u1" in body["msg"]
    assert SECRET_KEY not in body["msg"]


def test_a_tampered_parameter_breaks_the_signature(unsigned: Any) -> None:
    params = {"merchantId": MERCHANT_ID, "userId": "u1"}
    params["sign"] = compute_sign(params, SECRET_KEY)
    assert unsigned.get(f"{V1}/getWalletAddress", params=params).json()["code"] == 0
    params["userId"] = "u2"
    assert unsigned.get(f"{V1}/getWalletAddress", params=params).json()["code"] == ErrorCode.INVALID_SIGNATURE


@pytest.mark.parametrize(
    ("params", "code", "fragment"),
    [
        ({"userId": "u1"}, ErrorCode.MISSING_SIGNATURE, "merchantId"),
        ({"merchantId": MERCHANT_ID, "userId": "u1"}, ErrorCode.MISSING_SIGNATURE, "sign"),
        ({"merchantId": "999", "userId": "u1", "sign": "ab"}, ErrorCode.UNKNOWN_MERCHANT, "999"),
    ],
)
def test_missing_credentials_get_the_envelope(unsigned: Any, params: dict[str, str], code: int, fragment: str) -> None:
    body = unsigned.get(f"{V1}/getWalletAddress", params=params).json()
    assert body["code"] == code
    assert fragment in body["msg"]


@pytest.mark.parametrize(
    ("change", "field", "rule"),
    [
        ({"amount": "12.123456789"}, "amount", "does not match"),
        ({"amount": "abc"}, "amount", "does not match"),
        ({"createTime": "yesterday"}, "createTime", "integer"),
        ({"cryptoCurrency": "DOGE"}, "cryptoCurrency", "DOGE"),
        ({"userId": "u" * 65}, "userId", "longer than 64"),
        ({"callBackURL": "ftp://x"}, "callBackURL", "does not match"),
        ({"merchantTradeNo": ""}, "merchantTradeNo", "is required"),
    ],
)
def test_invalid_input_names_the_field_and_the_rule(client: Any, change: dict[str, str], field: str, rule: str) -> None:
    body = create_order(client, "bad", **{"merchantTradeNo": "bad", **change}).json()
    assert body["code"] == ErrorCode.INVALID_PARAMETER
    assert body["msg"].startswith(f"invalid parameter {field}:"), body["msg"]
    assert rule in body["msg"], body["msg"]


def test_with_both_spellings_only_callBackURL_is_read(client: Any, app: Any) -> None:
    response = create_order(client, callbackURL="https://a.example/", callBackURL="https://b.example/")
    order_id = ok(response)["orderId"]
    assert app.state.emulator.order_book.get(order_id).callback_url == "https://b.example/"


def test_parameters_in_the_query_string_of_a_post_are_read_too(unsigned: Any) -> None:
    # The document's own POST examples put every parameter in the query string.
    params = {
        "merchantId": MERCHANT_ID,
        "merchantTradeNo": "q1",
        "createTime": now(),
        "userId": "u",
        "amount": "1",
        "cryptoCurrency": "BTC",
    }
    params["sign"] = compute_sign(params, SECRET_KEY)
    assert ok(unsigned.post(f"{V1}/createOrder", params=params))["merchantTradeNo"] == "q1"


@pytest.mark.parametrize("rule", list(SignRule))
def test_a_zero_value_is_accepted_signed_or_left_out_of_the_sign(unsigned: Any, rule: SignRule) -> None:
    # The document's rule signs purchaseType=0; the vendor's PHP code (empty("0") is true) leaves it out.
    params = {"merchantId": MERCHANT_ID, "sourceCurrency": "USDT", "targetCurrency": "BTC", "purchaseType": "0"}
    params["amount"] = "100"
    params["sign"] = compute_sign(params, SECRET_KEY, rule=rule)
    assert ok(unsigned.get(f"{V1}/getExchangeRate", params=params))["exchangeRate"]
    params["amount"] = "200"  # a value both rules sign
    assert unsigned.get(f"{V1}/getExchangeRate", params=params).json()["code"] == ErrorCode.INVALID_SIGNATURE


def test_a_post_with_an_extra_query_parameter_signed_by_cpay_auth_succeeds(client: Any) -> None:
    # CPayAuth signs the query string and the form body together, as the emulator (and C-Pay) reads both.
    response = client.post(
        f"{V1}/createOrder",
        params={"utm_source": "mail & news"},
        data={"merchantTradeNo": "q2", "createTime": now(), "userId": "u", "amount": "1", "cryptoCurrency": "BTC"},
    )
    assert ok(response)["merchantTradeNo"] == "q2"


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b"merchantId=1&userId=%ff%fe", "application/x-www-form-urlencoded"),
        (b"merchantId", "application/x-www-form-urlencoded"),
        (b'{"merchantId": "1"}', "application/json"),
        (b"merchantId=1&merchantId=2", "application/x-www-form-urlencoded"),
        (b"merchantId=1", "text/plain"),
    ],
)
def test_a_malformed_body_still_gets_the_envelope(unsigned: Any, content: bytes, content_type: str) -> None:
    response = unsigned.post(f"{V1}/createOrder", content=content, headers={"content-type": content_type})
    assert response.status_code == 200
    assert response.json()["code"] == ErrorCode.MALFORMED_REQUEST


def test_unknown_paths_are_404_and_wrong_methods_405(unsigned: Any) -> None:
    assert unsigned.get(f"{V1}/noSuchOperation").status_code == 404
    assert unsigned.get(f"{V1}/createOrder").status_code == 405
    assert unsigned.post(f"{V1}/getMerchantBalance").status_code == 405


def test_an_unexpected_exception_is_answered_with_code_1(client: Any, app: Any, monkeypatch: Any) -> None:
    def explode(*args: Any, **kwargs: Any) -> Any:
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(app.state.emulator.ledger, "balances", explode)
    response = client.get(f"{V1}/getMerchantBalance")
    assert response.status_code == 200
    assert (response.json()["code"], response.json()["msg"]) == (ErrorCode.FAIL, "fail")
