"""What the generated client costs over a hand-written httpx call, in-process (no network), in one run.

Both sides send the same signed ``getOrderDetail?merchantTradeNo=...`` to the same ``httpx.MockTransport``
and get the same answer (the spec's section 9 example):

* client: ``get_order_detail.sync(client=client, merchant_trade_no=...)`` on a ``create_client`` client with
  its defaults (retries on, recovery off, logging off), parsed into typed models;
* raw: ``compute_sign`` over the parameters by hand, ``httpx.Client.get`` with them as the query string, and
  ``response.json()``;
* for reference, the same generated call on the signing httpx client ``create_client`` uses, with the
  business-error hook but without its runtime transports (retries, recovery, logging);
* and on a plain ``httpx.Client(auth=CPayAuth(...))``, the way to sign any httpx client, which signs the request
  after httpx has built it (so httpx parses the URL once more).

The ratio client / raw is what the generated code, ``CPayAuth``, the business-error hook and the runtime
add; issue 14's target is at most 1.3x. The ratio client / reference is the runtime's own share.

Runs are bounded: a fixed number of calls, best of a few repeats, sides interleaved, timed in process CPU time
so that other work on the machine weighs less. Run: ``.venv/bin/python bench/bench_client.py`` (or
``make bench``).
"""

from __future__ import annotations

import json
import sys
import time
import timeit
from collections.abc import Callable
from urllib.parse import parse_qsl

import httpx

from cpay import CPayAuth, SecretKey, compute_sign, create_client, raise_for_business_error, unwrap
from cpay._signed_httpx import SignedHttpxClient
from cpay_client import Client
from cpay_client.api.orders import get_order_detail

TARGET_RATIO = 1.3
CALLS = 2_000
REPEATS = 5
ROUNDS = 3

BASE_URL = "https://sandbox-api.cpay.ltd"
PATH = "/openapi/v1/getOrderDetail"
MERCHANT_ID = "20003092"
SECRET = SecretKey("z6h3cuw9grtbun9sgg5u1j35u72hycq0")
MERCHANT_TRADE_NO = "7b785240e426694635bb09fb101ae241"
ANSWER = json.dumps(
    {
        "code": 0,
        "msg": "success",
        "data": {
            "actualAmount": "10",
            "createTime": 1663155010000,
            "currency": "USDT",
            "extInfo": '{"reason":"Transaction cannot be completed","sceneTag":"EcAcquiring"}',
            "fee": "0",
            "hash": "c4dbbf5737c52072817dc92fa09c41386f8024fee883270b92bfc1943616f957",
            "merchantId": 20003092,
            "merchantTradeNo": MERCHANT_TRADE_NO,
            "merchantUserId": "test002",
            "network": "TRON",
            "orderId": "2209141130105863014",
            "pledgeAmount": "0",
            "receivedAmount": "10",
            "remark": "充值单补单",
            "status": "14",
        },
        "traceid": "221117082056X6478814",
    },
    ensure_ascii=False,
).encode()
HEADERS = {"content-type": "application/json"}


def answer(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, content=ANSWER, headers=HEADERS)


def per_call_microseconds(call: Callable[[], object]) -> float:
    """CPU time of one call (best of REPEATS runs of CALLS calls): other processes on the machine do not count."""
    timer = timeit.Timer(call, timer=time.process_time)
    return min(timer.repeat(repeat=REPEATS, number=CALLS)) / CALLS * 1e6


def same_request_same_answer() -> None:
    """Before timing: both sides put the same query on the wire and read the same order from the answer."""
    seen: list[dict[str, str]] = []

    def recording_answer(request: httpx.Request) -> httpx.Response:
        seen.append(dict(parse_qsl(request.url.query.decode())))
        return answer(request)

    with (
        create_client(
            BASE_URL, merchant_id=MERCHANT_ID, secret_key=SECRET, transport=httpx.MockTransport(recording_answer)
        ) as client,
        httpx.Client(base_url=BASE_URL, transport=httpx.MockTransport(recording_answer)) as raw,
    ):
        typed = unwrap(get_order_detail.sync(client=client, merchant_trade_no=MERCHANT_TRADE_NO))
        params = {"merchantId": MERCHANT_ID, "merchantTradeNo": MERCHANT_TRADE_NO}
        params["sign"] = compute_sign(params, SECRET)
        untyped = raw.get(PATH, params=params).json()
    assert seen[0] == seen[1], f"the two sides sent different requests: {seen}"
    assert (typed.order_id, typed.status.value) == (untyped["data"]["orderId"], untyped["data"]["status"])


def main() -> int:
    same_request_same_answer()
    client = create_client(BASE_URL, merchant_id=MERCHANT_ID, secret_key=SECRET, transport=httpx.MockTransport(answer))
    raw = httpx.Client(base_url=BASE_URL, transport=httpx.MockTransport(answer))
    reference = Client(base_url=BASE_URL).set_httpx_client(
        SignedHttpxClient(
            base_url=BASE_URL,
            signer=CPayAuth(MERCHANT_ID, SECRET),
            transport=httpx.MockTransport(answer),
            event_hooks={"response": [raise_for_business_error]},
        )
    )
    with_auth = Client(base_url=BASE_URL).set_httpx_client(
        httpx.Client(
            base_url=BASE_URL,
            auth=CPayAuth(MERCHANT_ID, SECRET),
            transport=httpx.MockTransport(answer),
            event_hooks={"response": [raise_for_business_error]},
        )
    )

    def client_call() -> object:
        return get_order_detail.sync(client=client, merchant_trade_no=MERCHANT_TRADE_NO)

    def reference_call() -> object:
        return get_order_detail.sync(client=reference, merchant_trade_no=MERCHANT_TRADE_NO)

    def with_auth_call() -> object:
        return get_order_detail.sync(client=with_auth, merchant_trade_no=MERCHANT_TRADE_NO)

    def raw_call() -> object:
        params = {"merchantId": MERCHANT_ID, "merchantTradeNo": MERCHANT_TRADE_NO}
        params["sign"] = compute_sign(params, SECRET)
        return raw.get(PATH, params=params).json()

    client_times, reference_times, with_auth_times, raw_times = [], [], [], []
    for _ in range(ROUNDS):
        client_times.append(per_call_microseconds(client_call))
        reference_times.append(per_call_microseconds(reference_call))
        with_auth_times.append(per_call_microseconds(with_auth_call))
        raw_times.append(per_call_microseconds(raw_call))
    client_us, reference_us, raw_us = min(client_times), min(reference_times), min(raw_times)
    with_auth_us = min(with_auth_times)
    ratio = client_us / raw_us
    print(f"generated client (create_client, retries on)   {client_us:8.1f} us/call  getOrderDetail")
    print(f"  the same without the runtime transports      {reference_us:8.1f} us/call  (signing client and hook only)")
    print(
        f"  the same on httpx.Client(auth=CPayAuth(...))  {with_auth_us:8.1f} us/call  (signed after httpx builds it)"
    )
    print(f"raw httpx, hand-signed query                    {raw_us:8.1f} us/call  (the baseline)")
    print(f"ratio client / raw                              {ratio:8.2f}x  (target <= {TARGET_RATIO}x)")
    print(f"ratio client / without the runtime              {client_us / reference_us:8.2f}x  (the runtime's share)")
    print("within target" if ratio <= TARGET_RATIO else "OVER TARGET", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
