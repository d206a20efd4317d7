"""``cpay-emulator serve`` as a real process: restart after ``kill -9``, and concurrent order creation."""

from __future__ import annotations

import asyncio
import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from cpay import CPayAuth, parse_webhook
from cpay_emulator import DEMO_MERCHANT_ID, DEMO_SECRET_KEY, ErrorCode

from ..conftest import EmulatorProcess, free_port

MERCHANT_ID = "20009999"
SECRET_KEY = "restart-secret"


class WebhookReceiver:
    """A merchant webhook endpoint on 127.0.0.1:port that answers ``OK`` and keeps what it got."""

    def __init__(self, port: int) -> None:
        self.received: list[tuple[bytes, str]] = []
        received = self.received

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["content-length"]))
                received.append((body, self.headers["content-type"]))
                self.send_response(200)
                self.send_header("content-type", "text/plain")
                self.send_header("content-length", "2")
                self.end_headers()
                self.wfile.write(b"OK")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def processes() -> Iterator[list[EmulatorProcess]]:
    started: list[EmulatorProcess] = []
    yield started
    for process in started:
        process.kill()


def wait_for(predicate: Any, seconds: float = 15.0) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


@pytest.mark.slow
def test_orders_and_pending_webhooks_survive_kill_9(tmp_path: Path, processes: list[EmulatorProcess]) -> None:
    receiver_port = free_port()  # nothing listens there yet: deliveries fail and stay pending
    arguments = (
        "--db",
        str(tmp_path / "emulator.db"),
        "--merchant",
        f"{MERCHANT_ID}:{SECRET_KEY}:http://127.0.0.1:{receiver_port}/cpay",
        "--webhook-statuses",
        "all",  # PROCESSING too: two deliveries of one order, which must stay in order across the kill
        "--webhook-schedule",
        ",".join(["0"] + ["0.2"] * 99),  # 100 attempts, 0.2 s apart
        "--quiet",
    )
    first = EmulatorProcess(*arguments)
    processes.append(first)
    auth = CPayAuth(MERCHANT_ID, SECRET_KEY)
    with httpx.Client(base_url=first.base_url, auth=auth, timeout=10) as api, first.control() as control:
        form = {
            "merchantTradeNo": "survivor",
            "createTime": "1700000000000",
            "userId": "u",
            "amount": "3",
            "cryptoCurrency": "BTC",
        }
        order_id = api.post("/openapi/v1/createOrder", data=form).json()["data"]["orderId"]
        assert control.post(f"/orders/{order_id}/pay", json={}).json()["data"]["status"] == "14"
        wait_for(lambda: control.get("/webhooks").json()["data"][0]["attempts"])
    first.kill()  # SIGKILL: no shutdown, no checkpoint

    second = EmulatorProcess(*arguments)
    processes.append(second)
    with httpx.Client(base_url=second.base_url, auth=auth, timeout=10) as api, second.control() as control:
        detail = api.get("/openapi/v1/getOrderDetail", params={"merchantTradeNo": "survivor"}).json()["data"]
        assert (detail["orderId"], detail["status"], detail["actualAmount"]) == (order_id, "14", "3")
        pending = control.get("/webhooks").json()["data"]
        assert [(d["orderStatus"], d["state"]) for d in pending] == [("11", "pending"), ("14", "pending")]
        assert pending[0]["attempts"][0]["outcome"] == "fail"  # recorded before the kill

        receiver = WebhookReceiver(receiver_port)  # the merchant comes back: the outbox drains
        try:
            deliveries = wait_for(
                lambda: (
                    all(d["state"] == "delivered" for d in control.get("/webhooks").json()["data"])
                    and control.get("/webhooks").json()["data"]
                )
            )
        finally:
            receiver.close()
    assert [d["orderStatus"] for d in deliveries] == ["11", "14"]
    assert deliveries[0]["attempts"][-1]["outcome"] == "ok"
    events = [parse_webhook(body, content_type, SECRET_KEY) for body, content_type in receiver.received]
    assert [(event.order_id, event.order_status) for event in events] == [(order_id, "11"), (order_id, "14")]


@pytest.mark.slow
def test_concurrent_create_orders_with_reused_trade_numbers(processes: list[EmulatorProcess]) -> None:
    emulator = EmulatorProcess("--db", ":memory:", "--quiet")
    processes.append(emulator)

    connections = 32
    # All 1000 calls are started at once; the semaphore keeps the waiting ones out of httpcore's pool queue,
    # whose bookkeeping grows with the number of waiters and would make the client, not the server, the bottleneck.
    gate = asyncio.Semaphore(connections)

    async def create_all() -> list[httpx.Response]:
        limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
        async with httpx.AsyncClient(
            base_url=emulator.base_url, auth=CPayAuth(DEMO_MERCHANT_ID, DEMO_SECRET_KEY), limits=limits, timeout=30
        ) as client:

            async def create(index: int) -> httpx.Response:
                form = {
                    "merchantTradeNo": f"concurrent-{index % 500}",  # each of 500 numbers is sent twice
                    "createTime": "1700000000000",
                    "userId": f"user-{index}",
                    "amount": "1",
                    "cryptoCurrency": "USDT",
                }
                async with gate:
                    return await client.post("/openapi/v1/createOrder", data=form)

            return await asyncio.wait_for(asyncio.gather(*(create(index) for index in range(1000))), timeout=120)

    responses = asyncio.run(create_all())
    assert Counter(response.status_code for response in responses) == {200: 1000}
    codes = Counter(response.json()["code"] for response in responses)
    assert codes == {0: 500, ErrorCode.DUPLICATE_MERCHANT_TRADE_NO: 500}
    with emulator.control() as control:
        orders = control.get("/orders", params={"merchantId": DEMO_MERCHANT_ID, "limit": 10000}).json()["data"]
    assert len(orders) == 500
    assert len({order["merchantTradeNo"] for order in orders}) == 500
