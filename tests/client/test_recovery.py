"""Lost-response recovery of writes (``recover_lost_writes=True``) against the emulator, sync and async.

The emulator runs in-process (its ASGI app); ``Faults`` loses responses between it and the client: after the
order was committed, before the request arrived, or by delivering the request late. Each scenario is written
once and runs through ``sync()`` and ``asyncio()`` (the ``harness`` fixture). Cases the emulator cannot produce
(a malformed lookup answer, say) use a scripted server at the end of the file.
"""

from __future__ import annotations

import asyncio
import json
import pickle
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import httpx
import pytest
import yaml

from cpay import (
    DEFAULT_DUPLICATE_CODES,
    DEFAULT_NOT_FOUND_CODES,
    BusinessError,
    CPayClient,
    CPayError,
    LostResponseError,
    OutcomeUnknownError,
    RecoveredOrderError,
    Recovery,
    SecretKey,
    TransportError,
    create_client,
    recovery_of,
    unwrap,
)
from cpay_client.api.card_payments import pwpp
from cpay_client.api.crypto_pay_in import create_order
from cpay_client.api.kyc import submit_kyc
from cpay_client.api.orders import get_order_detail
from cpay_client.api.payouts import withdraw
from cpay_client.models import (
    CreateOrderRequest,
    OrderStatus,
    PwppRequest,
    SubmitKycRequest,
    WithdrawOrder,
    WithdrawRequest,
    WithdrawResponse,
)
from cpay_client.types import UNSET
from cpay_emulator import EmulatorConfig, Merchant, create_app
from cpay_emulator.shared.refs import References

from .conftest import OPERATIONS, ROOT
from .runtime_doubles import (
    ARRIVE_LATE,
    BAD_GATEWAY_AFTER_COMMIT,
    DROP_AFTER_COMMIT,
    DROP_BEFORE_ARRIVAL,
    FAIL_TO_CONNECT,
    Faults,
    Script,
    envelope,
    json_of,
    sync_asgi,
)

MERCHANT_ID = "20007777"
SECRET = "recovery-test-secret-key"
BASE_URL = "http://emulator.test"


class Harness:
    """A ``create_client`` client over ``Faults`` over the emulator; ``call`` runs sync or async."""

    def __init__(self, mode: str, app: Any, faults: Faults, control: Callable[..., Any], **options: Any) -> None:
        self.mode = mode
        self.app = app
        self.faults = faults
        self._control = control
        if mode == "sync":
            options["transport"] = faults
        else:
            options["async_transport"] = faults
        self.client: CPayClient = create_client(BASE_URL, merchant_id=MERCHANT_ID, secret_key=SECRET, **options)

    async def call(self, operation: Any, **arguments: Any) -> Any:
        if self.mode == "sync":
            return operation.sync(client=self.client, **arguments)
        return await operation.asyncio(client=self.client, **arguments)

    async def control(self, method: str, path: str, body: Any = None) -> Any:
        response = await self._control(method, f"/_emulator{path}", body)
        assert response.status_code == 200, response.text
        return json_of(response)["data"]

    async def orders(self, merchant_trade_no: str) -> list[dict[str, Any]]:
        orders: list[dict[str, Any]] = await self.control("GET", f"/orders?merchantId={MERCHANT_ID}")
        return [order for order in orders if order["merchantTradeNo"] == merchant_trade_no]


HarnessFactory = Callable[..., Harness]


@pytest.fixture(params=["sync", "async"])
def harness(request: pytest.FixtureRequest, sleeps: list[float]) -> Iterator[HarnessFactory]:
    """``harness(plan, **create_client_options)``: recovery on unless the options say otherwise."""
    mode: str = request.param
    app = create_app(
        EmulatorConfig(
            merchants=(Merchant(merchant_id=MERCHANT_ID, secret_key=SecretKey(SECRET)),), webhook_worker=False
        )
    )
    with ExitStack() as stack:
        if mode == "sync":
            inner: httpx.BaseTransport | httpx.AsyncBaseTransport = stack.enter_context(sync_asgi(app))
            assert isinstance(inner, httpx.BaseTransport)
            control_client = stack.enter_context(httpx.Client(base_url=BASE_URL, transport=inner))

            async def control(method: str, path: str, body: Any) -> httpx.Response:
                return control_client.request(method, path, json=body)
        else:
            inner = httpx.ASGITransport(app=app)

            async def control(method: str, path: str, body: Any) -> httpx.Response:
                async with httpx.AsyncClient(base_url=BASE_URL, transport=inner) as control_client:
                    return await control_client.request(method, path, json=body)

        def make(plan: dict[tuple[str, int], str], **options: Any) -> Harness:
            options.setdefault("recover_lost_writes", True)
            return Harness(mode, app, Faults(inner, plan), control, **options)

        yield make
    app.state.store.close()


def run(scenario: Callable[[], Any]) -> Any:
    return asyncio.run(scenario())


def a_withdrawal(merchant_trade_no: str, user_id: str = "user-1") -> WithdrawRequest:
    example = dict(OPERATIONS["withdraw"].request_example())
    example.update(merchantTradeNo=merchant_trade_no, userId=user_id)
    return WithdrawRequest.from_dict(example)


def an_order(merchant_trade_no: str, user_id: str = "user-1") -> CreateOrderRequest:
    example = dict(OPERATIONS["createOrder"].request_example())
    example.update(merchantTradeNo=merchant_trade_no, userId=user_id)
    return CreateOrderRequest.from_dict(example)


async def fund(harness: Harness) -> None:
    await harness.control("PUT", f"/merchants/{MERCHANT_ID}/balances/USDT", {"available": "1000"})


def test_a_withdrawal_committed_before_its_response_was_lost_is_returned_typed(harness: HarnessFactory) -> None:
    h = harness({("withdraw", 1): DROP_AFTER_COMMIT})

    async def scenario() -> None:
        await fund(h)
        response = await h.call(withdraw, body=a_withdrawal("w-lost-1"))
        assert isinstance(response, WithdrawResponse)
        order = unwrap(response)
        assert isinstance(order, WithdrawOrder)
        (stored,) = await h.orders("w-lost-1")
        assert (order.order_id, order.merchant_trade_no) == (stored["orderId"], "w-lost-1")
        assert order.status == OrderStatus.PENDING
        assert order.crypto_currency == "USDT"
        assert order.order_amount is UNSET  # only the lost response had it
        assert recovery_of(response) == Recovery(merchant_trade_no="w-lost-1", via="lookup", lost="ReadTimeout")
        assert isinstance(response.traceid, str)
        assert response.traceid  # the lookup's
        assert h.faults.sent == ["withdraw", "getOrderDetail"]

    run(scenario)


def test_a_proxys_502_after_the_commit_is_recovered_the_same_way(harness: HarnessFactory) -> None:
    h = harness({("withdraw", 1): BAD_GATEWAY_AFTER_COMMIT})

    async def scenario() -> None:
        await fund(h)
        response = await h.call(withdraw, body=a_withdrawal("w-502"))
        assert unwrap(response).merchant_trade_no == "w-502"
        assert recovery_of(response) == Recovery(merchant_trade_no="w-502", via="lookup", lost="HTTP 502")
        assert len(await h.orders("w-502")) == 1

    run(scenario)


def test_a_write_that_never_arrived_is_sent_once_more(harness: HarnessFactory) -> None:
    h = harness({("withdraw", 1): DROP_BEFORE_ARRIVAL})

    async def scenario() -> None:
        await fund(h)
        response = await h.call(withdraw, body=a_withdrawal("w-resent"))
        order = unwrap(response)
        assert order.order_amount == "66.12345678"  # the genuine answer of the second send
        assert recovery_of(response) == Recovery(merchant_trade_no="w-resent", via="resend", lost="ReadTimeout")
        assert [order["orderId"] for order in await h.orders("w-resent")] == [order.order_id]
        assert h.faults.seen == ["withdraw", "getOrderDetail", "withdraw"]

    run(scenario)


def test_a_late_original_makes_the_second_send_a_duplicate_and_the_order_is_looked_up_again(
    harness: HarnessFactory,
) -> None:
    h = harness({("withdraw", 1): ARRIVE_LATE})

    async def scenario() -> None:
        await fund(h)
        response = await h.call(withdraw, body=a_withdrawal("w-late"))
        assert recovery_of(response) == Recovery(merchant_trade_no="w-late", via="lookup", lost="ReadTimeout")
        (stored,) = await h.orders("w-late")
        assert unwrap(response).order_id == stored["orderId"]
        # the original reached the server just before the second send, which was refused as a duplicate
        assert h.faults.sent == ["getOrderDetail", "withdraw", "withdraw", "getOrderDetail"]

    run(scenario)


def test_a_duplicate_code_the_client_was_not_told_about_is_a_business_error(harness: HarnessFactory) -> None:
    h = harness({("withdraw", 1): ARRIVE_LATE}, duplicate_codes={424242})

    async def scenario() -> None:
        await fund(h)
        with pytest.raises(BusinessError) as raised:
            await h.call(withdraw, body=a_withdrawal("w-late-2"))
        assert raised.value.code in DEFAULT_DUPLICATE_CODES
        assert len(await h.orders("w-late-2")) == 1

    run(scenario)


def test_a_pay_in_order_found_after_a_lost_response_is_raised_with_the_order(harness: HarnessFactory) -> None:
    h = harness({("createOrder", 1): DROP_AFTER_COMMIT})

    async def scenario() -> None:
        with pytest.raises(RecoveredOrderError) as raised:
            await h.call(create_order, body=an_order("o-lost"))
        (stored,) = await h.orders("o-lost")
        error = raised.value
        assert (error.operation, error.merchant_trade_no) == ("createOrder", "o-lost")
        assert error.order.order_id == stored["orderId"]
        assert error.order.status == OrderStatus.PENDING
        assert error.traceid
        assert isinstance(error, LostResponseError)
        assert h.faults.sent == ["createOrder", "getOrderDetail"]

    run(scenario)


def test_a_card_payment_found_after_a_lost_response_is_raised_with_the_order(harness: HarnessFactory) -> None:
    h = harness({("pwpp", 1): DROP_AFTER_COMMIT})

    async def scenario() -> None:
        request = PwppRequest.from_dict({**OPERATIONS["pwpp"].request_example(), "merchantTradeNo": "p-lost"})
        with pytest.raises(RecoveredOrderError, match="pageData") as raised:
            await h.call(pwpp, body=request)
        (stored,) = await h.orders("p-lost")
        assert raised.value.order.order_id == stored["orderId"]
        assert raised.value.order.status.value == stored["status"]

    run(scenario)


def test_when_the_lookup_fails_too_the_outcome_is_unknown(harness: HarnessFactory, sleeps: list[float]) -> None:
    plan = {("withdraw", 1): DROP_AFTER_COMMIT} | {("getOrderDetail", n): DROP_BEFORE_ARRIVAL for n in (1, 2, 3)}
    h = harness(plan)

    async def scenario() -> None:
        await fund(h)
        with pytest.raises(OutcomeUnknownError) as raised:
            await h.call(withdraw, body=a_withdrawal("w-unknown"))
        error = raised.value
        assert (error.operation, error.merchant_trade_no) == ("withdraw", "w-unknown")
        assert isinstance(error.__cause__, httpx.ReadTimeout)
        assert isinstance(error, CPayError)
        assert SECRET not in str(error)
        assert SECRET not in repr(error)
        assert h.faults.seen == ["withdraw", "getOrderDetail", "getOrderDetail", "getOrderDetail"]
        assert len(sleeps) == 2  # the lookup is a read: retried
        assert len(await h.orders("w-unknown")) == 1  # it did take effect: only the caller cannot know

    run(scenario)


def test_when_the_second_send_is_lost_too_and_no_order_appears_the_outcome_is_unknown(
    harness: HarnessFactory,
) -> None:
    h = harness({("withdraw", 1): DROP_BEFORE_ARRIVAL, ("withdraw", 2): DROP_BEFORE_ARRIVAL})

    async def scenario() -> None:
        await fund(h)
        with pytest.raises(OutcomeUnknownError, match="sent again") as raised:
            await h.call(withdraw, body=a_withdrawal("w-twice"))
        assert raised.value.__cause__ is None
        assert h.faults.seen == ["withdraw", "getOrderDetail", "withdraw", "getOrderDetail"]

    run(scenario)


def test_a_second_send_whose_response_is_lost_after_the_commit_is_found(harness: HarnessFactory) -> None:
    h = harness({("withdraw", 1): DROP_BEFORE_ARRIVAL, ("withdraw", 2): DROP_AFTER_COMMIT})

    async def scenario() -> None:
        await fund(h)
        response = await h.call(withdraw, body=a_withdrawal("w-second-lost"))
        assert recovery_of(response) == Recovery(merchant_trade_no="w-second-lost", via="lookup", lost="ReadTimeout")
        assert len(await h.orders("w-second-lost")) == 1

    run(scenario)


def test_a_second_send_refused_for_a_business_reason_raises_that_refusal(harness: HarnessFactory) -> None:
    h = harness({("withdraw", 1): DROP_BEFORE_ARRIVAL})

    async def scenario() -> None:  # no balance: the payout is refused
        with pytest.raises(BusinessError) as raised:
            await h.call(withdraw, body=a_withdrawal("w-poor"))
        assert raised.value.code == 10301
        assert await h.orders("w-poor") == []

    run(scenario)


def test_an_order_of_another_user_under_the_same_number_is_not_taken_for_this_one(harness: HarnessFactory) -> None:
    h = harness({("withdraw", 2): DROP_BEFORE_ARRIVAL})

    async def scenario() -> None:
        await fund(h)
        unwrap(await h.call(withdraw, body=a_withdrawal("w-reused", user_id="alice")))
        with pytest.raises(OutcomeUnknownError, match="belongs to user 'alice'"):
            await h.call(withdraw, body=a_withdrawal("w-reused", user_id="bob"))
        assert len(await h.orders("w-reused")) == 1

    run(scenario)


def test_an_unknown_not_found_code_never_leads_to_a_second_send(harness: HarnessFactory) -> None:
    h = harness({("withdraw", 1): DROP_BEFORE_ARRIVAL}, not_found_codes={424242})

    async def scenario() -> None:
        await fund(h)
        with pytest.raises(OutcomeUnknownError, match=f"code {min(DEFAULT_NOT_FOUND_CODES)}"):
            await h.call(withdraw, body=a_withdrawal("w-no-resend"))
        assert h.faults.seen == ["withdraw", "getOrderDetail"]

    run(scenario)


def test_recovery_is_off_by_default(harness: HarnessFactory) -> None:
    h = harness({("withdraw", 1): DROP_AFTER_COMMIT}, recover_lost_writes=False)

    async def scenario() -> None:
        await fund(h)
        with pytest.raises(TransportError, match="ReadTimeout"):
            await h.call(withdraw, body=a_withdrawal("w-off"))
        assert h.faults.seen == ["withdraw"]

    run(scenario)


def test_with_options_turns_recovery_on_for_one_call(harness: HarnessFactory) -> None:
    h = harness({("withdraw", 1): DROP_AFTER_COMMIT}, recover_lost_writes=False)

    async def scenario() -> None:
        await fund(h)
        h.client = h.client.with_options(recover_lost_writes=True)
        assert recovery_of(await h.call(withdraw, body=a_withdrawal("w-opt"))) is not None

    run(scenario)


def test_a_write_that_could_not_connect_was_not_sent_and_is_not_looked_up(harness: HarnessFactory) -> None:
    h = harness({("withdraw", 1): FAIL_TO_CONNECT})

    async def scenario() -> None:
        with pytest.raises(TransportError, match="ConnectError"):
            await h.call(withdraw, body=a_withdrawal("w-refused"))
        assert h.faults.seen == ["withdraw"]

    run(scenario)


def test_a_write_without_merchant_trade_no_is_not_recovered(harness: HarnessFactory) -> None:
    h = harness({("submitKYC", 1): DROP_AFTER_COMMIT})

    async def scenario() -> None:
        with pytest.raises(TransportError):
            await h.call(submit_kyc, body=SubmitKycRequest.from_dict(OPERATIONS["submitKYC"].request_example()))
        assert h.faults.seen == ["submitKYC"]

    run(scenario)


def test_reads_keep_working_while_recovery_is_on(harness: HarnessFactory) -> None:
    h = harness({})

    async def scenario() -> None:
        with pytest.raises(BusinessError) as raised:
            await h.call(get_order_detail, merchant_trade_no="nothing-here")
        assert raised.value.code in DEFAULT_NOT_FOUND_CODES

    run(scenario)


# Cases the emulator cannot produce, against a scripted server.

WITHDRAWAL = a_withdrawal("s-1")
FOUND = {"orderId": "9001", "status": "0", "merchantTradeNo": "s-1", "merchantUserId": "user-1", "currency": "USDT"}


def scripted(*steps: httpx.Response | Exception) -> tuple[CPayClient, Script]:
    script = Script(*steps)
    client = create_client(
        BASE_URL,
        merchant_id=MERCHANT_ID,
        secret_key=SECRET,
        transport=httpx.MockTransport(script),
        recover_lost_writes=True,
        max_retries=0,
    )
    return client, script


@pytest.mark.parametrize(
    ("lookup", "reason"),
    [
        (httpx.Response(502, text="bad gateway"), "HTTP 502 without an envelope"),
        (httpx.Response(200, text="<html>"), "HTTP 200 without an envelope"),
        (httpx.Response(200, json=[1, 2]), "HTTP 200 without an envelope"),
        (envelope(None, code=1, msg="system busy"), "code 1 \\('system busy'\\) without an order"),
        (envelope(None), "code 0 \\('success'\\) without an order"),
        (envelope({"status": "0"}), "without an order"),
        (envelope({**FOUND, "merchantTradeNo": "s-2"}), "another merchantTradeNo"),
    ],
    ids=["5xx", "html", "json array", "other code", "no data", "no orderId", "other number"],
)
def test_a_lookup_answer_that_decides_nothing_is_an_unknown_outcome(lookup: httpx.Response, reason: str) -> None:
    client, script = scripted(httpx.ReadTimeout("lost"), lookup)
    with client, pytest.raises(OutcomeUnknownError, match=reason):
        withdraw.sync(client=client, body=WITHDRAWAL)
    assert script.paths == ["withdraw", "getOrderDetail"]


def test_when_the_lookup_after_a_second_send_fails_the_outcome_is_unknown() -> None:
    not_found = envelope(code=min(DEFAULT_NOT_FOUND_CODES), msg="order not found")
    client, script = scripted(httpx.ReadTimeout("lost"), not_found, httpx.ReadTimeout("lost"), httpx.ReadError("reset"))
    with client, pytest.raises(OutcomeUnknownError, match="getOrderDetail failed too") as raised:
        withdraw.sync(client=client, body=WITHDRAWAL)
    assert isinstance(raised.value.__cause__, httpx.ReadError)
    assert script.paths == ["withdraw", "getOrderDetail", "withdraw", "getOrderDetail"]


def test_an_order_that_cannot_be_read_is_an_unknown_outcome() -> None:
    client, _ = scripted(httpx.ReadTimeout("lost"), envelope({"orderId": "9001", "merchantTradeNo": "s-1"}))
    with client, pytest.raises(OutcomeUnknownError, match="cannot be read"):
        create_order.sync(client=client, body=an_order("s-1"))


def test_a_recovered_envelope_without_traceid_still_parses() -> None:
    client, _ = scripted(httpx.ReadTimeout("lost"), envelope(FOUND, traceid=None))
    with client:
        response = withdraw.sync(client=client, body=WITHDRAWAL)
    assert response is not None
    assert response.traceid is UNSET
    assert unwrap(response).order_id == "9001"


def test_a_rebuilt_envelope_conforms_to_the_operations_response_schema() -> None:
    import jsonschema_rs

    order = {**FOUND, "merchantId": 20007777, "receivedAmount": "65.1", "fee": "1", "createTime": 1653669353000}
    client, _ = scripted(httpx.ReadTimeout("lost"), envelope(order, traceid="lookup-trace"))
    with client:
        response = withdraw.sync_detailed(client=client, body=WITHDRAWAL)
    assert response.headers["x-cpay-recovery"] == "lookup"
    body = json.loads(response.content)
    schema = OPERATIONS["withdraw"].spec["responses"]["200"]["content"]["application/json"]["schema"]
    errors = [error.message for error in jsonschema_rs.validator_for(REFERENCES.inline(schema)).iter_errors(body)]
    assert errors == []
    assert body["data"] == {
        "orderId": "9001",
        "status": "0",
        "merchantTradeNo": "s-1",
        "merchantUserId": "user-1",
        "cryptoCurrency": "USDT",
        "merchantId": 20007777,
        "receivedAmount": "65.1",
        "fee": "1",
        "createTime": 1653669353000,
    }
    assert (body["code"], body["traceid"]) == (0, "lookup-trace")


def test_the_lookup_is_signed_and_carries_the_clients_headers() -> None:
    script = Script(httpx.ReadTimeout("lost"), envelope(FOUND))
    client = create_client(
        BASE_URL + "/gateway",
        merchant_id=MERCHANT_ID,
        secret_key=SECRET,
        transport=httpx.MockTransport(script),
        recover_lost_writes=True,
        headers={"X-Tenant": "shop-1"},
    )
    with client:
        withdraw.sync(client=client, body=WITHDRAWAL)
    lookup = script.requests[1]
    assert lookup.url.path == "/gateway/openapi/v1/getOrderDetail"
    assert lookup.headers["x-tenant"] == "shop-1"
    assert "content-type" not in lookup.headers
    from cpay import verify_sign

    query = dict(lookup.url.params)
    assert query["merchantTradeNo"] == "s-1"
    assert verify_sign(query, SECRET, query.get("sign", ""))


def test_the_recovery_marker_is_read_only_from_a_well_formed_member() -> None:
    def envelope_with(marker: object) -> WithdrawResponse:
        return WithdrawResponse.from_dict({"code": 0, "msg": "ok", "x-cpay-recovery": marker})

    assert recovery_of(None) is None
    assert recovery_of(envelope_with("lookup")) is None
    assert recovery_of(envelope_with({"merchantTradeNo": "a", "via": "guess", "lost": "x"})) is None
    assert recovery_of(envelope_with({"merchantTradeNo": 1, "via": "lookup", "lost": "x"})) is None
    assert recovery_of(envelope_with({"merchantTradeNo": "a", "via": "resend", "lost": "x"})) == Recovery(
        merchant_trade_no="a", via="resend", lost="x"
    )


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"duplicate_codes": []}, "duplicate_codes"),
        ({"not_found_codes": [0]}, "not_found_codes"),
        ({"not_found_codes": [True]}, "not_found_codes"),
        ({"duplicate_codes": [5], "not_found_codes": [5]}, "both duplicate and not found"),
    ],
)
def test_invalid_recovery_codes_are_refused(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        create_client("sandbox", merchant_id=MERCHANT_ID, secret_key=SECRET, **options)


def test_lost_response_errors_survive_pickling() -> None:
    unknown = pickle.loads(pickle.dumps(OutcomeUnknownError("lost", operation="withdraw", merchant_trade_no="a")))
    assert (str(unknown), unknown.operation, unknown.merchant_trade_no) == ("lost", "withdraw", "a")
    client, _ = scripted(httpx.ReadTimeout("lost"), envelope(FOUND))
    with client, pytest.raises(RecoveredOrderError) as raised:
        create_order.sync(client=client, body=an_order("s-1"))
    copy = pickle.loads(pickle.dumps(raised.value))
    assert (copy.order.order_id, copy.traceid, str(copy)) == ("9001", "t-1", str(raised.value))


# The table of rebuildable results, pinned against openapi.yaml.

SPEC: dict[str, Any] = yaml.safe_load((ROOT / "openapi.yaml").read_text(encoding="utf-8"))
SCHEMAS: dict[str, Any] = SPEC["components"]["schemas"]
REFERENCES = References(SPEC)


def _data_schema(operation_id: str) -> dict[str, Any]:
    operation = OPERATIONS[operation_id].spec
    envelope = REFERENCES.resolve(operation["responses"]["200"]["content"]["application/json"]["schema"])
    (reference,) = [branch for branch in envelope["properties"]["data"]["anyOf"] if "$ref" in branch]
    schema: dict[str, Any] = REFERENCES.resolve(reference)
    return schema


def test_every_write_that_carries_a_merchant_trade_no_has_a_recovery_entry() -> None:
    from cpay._recovery import LOST_WITH_THE_RESPONSE, RESULT_FIELDS

    writes = set()
    for operation_id, operation in OPERATIONS.items():
        if operation.method != "post":
            continue
        form = operation.spec["requestBody"]["content"]["application/x-www-form-urlencoded"]
        body = REFERENCES.resolve(form["schema"])
        if "merchantTradeNo" in body["properties"]:
            writes.add(operation_id)
    assert not set(RESULT_FIELDS) & set(LOST_WITH_THE_RESPONSE)
    assert set(RESULT_FIELDS) | set(LOST_WITH_THE_RESPONSE) == writes


def test_each_rebuilt_result_has_every_field_its_schema_requires_and_no_other() -> None:
    from cpay._recovery import RESULT_FIELDS

    detail_fields = set(SCHEMAS["OrderDetail"]["properties"])
    for operation_id, (fields, required) in RESULT_FIELDS.items():
        schema = _data_schema(operation_id)
        assert set(fields) <= detail_fields, operation_id
        assert set(fields.values()) <= set(schema["properties"]), operation_id
        assert required == set(schema["required"]), operation_id
        assert required <= set(fields.values()), operation_id


def test_each_result_that_is_not_rebuilt_names_a_field_the_order_does_not_have() -> None:
    from cpay._recovery import LOST_WITH_THE_RESPONSE

    detail_fields = set(SCHEMAS["OrderDetail"]["properties"])
    for operation_id, field in LOST_WITH_THE_RESPONSE.items():
        schema = _data_schema(operation_id)
        assert field in schema["properties"], operation_id
        assert field not in detail_fields, operation_id
        assert (field in schema["required"]) == (operation_id != "pwpp"), operation_id


def test_operation_ids_are_the_last_segment_of_their_paths() -> None:
    """The client names an operation (in logs, in errors) by its path's last segment."""
    for operation_id, operation in OPERATIONS.items():
        assert operation.path.rsplit("/", 1)[-1] == operation_id
