"""Doubles for the client runtime's tests: a scripted server, the emulator in-process, and network faults.

* ``Script``: an ``httpx.MockTransport`` handler that plays answers and errors in order and records requests;
  ``client_for(script)`` is a ``create_client`` client whose sync and async calls it answers.
* ``SyncASGITransport``: the emulator's ASGI app for a sync httpx client (``httpx.ASGITransport`` is async
  only), run on one anyio portal thread.
* ``Faults``: wraps a transport to the emulator and loses responses the way a network does: after the server
  committed (``DROP_AFTER_COMMIT``, ``BAD_GATEWAY_AFTER_COMMIT``), before the request arrived
  (``DROP_BEFORE_ARRIVAL``), or by holding the request until the next one to the same path goes out
  (``ARRIVE_LATE``: the server sees the original just before the re-sent copy).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import anyio.from_thread
import httpx

from cpay import CPayClient, create_client

from .conftest import BASE_URL, MERCHANT_ID, SECRET_KEY

Step = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


def envelope(data: Any = None, *, code: int = 0, msg: str = "success", traceid: str | None = "t-1") -> httpx.Response:
    """An HTTP 200 C-Pay envelope."""
    body: dict[str, Any] = {"code": code, "msg": msg, "data": data}
    if traceid is not None:
        body["traceid"] = traceid
    return httpx.Response(200, json=body)


class Script:
    """Plays ``steps`` in order, one per request (the last one repeats); records every request."""

    def __init__(self, *steps: Step) -> None:
        assert steps
        self.steps = list(steps)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        step = self.steps.pop(0) if len(self.steps) > 1 else self.steps[0]
        if isinstance(step, Exception):
            raise step
        if isinstance(step, httpx.Response):
            return httpx.Response(step.status_code, headers=step.headers, content=step.content)
        return step(request)

    @property
    def paths(self) -> list[str]:
        return [request.url.path.rsplit("/", 1)[-1] for request in self.requests]


def client_for(script: Script, **options: object) -> CPayClient:
    """A ``create_client`` client (the test merchant, ``options`` as given) whose every call ``script`` answers."""
    return create_client(
        BASE_URL,
        merchant_id=MERCHANT_ID,
        secret_key=SECRET_KEY,
        transport=httpx.MockTransport(script),
        async_transport=httpx.MockTransport(script),
        **options,  # type: ignore[arg-type]
    )


class SyncASGITransport(httpx.BaseTransport):
    """``httpx.ASGITransport`` for a sync client: each request runs on the portal's event loop."""

    def __init__(self, app: Any, portal: anyio.from_thread.BlockingPortal) -> None:
        self._asgi = httpx.ASGITransport(app=app)
        self._portal = portal

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        async def send() -> httpx.Response:
            response = await self._asgi.handle_async_request(request)
            content = await response.aread()
            return httpx.Response(response.status_code, headers=response.headers, content=content)

        return self._portal.call(send)


@contextmanager
def sync_asgi(app: Any) -> Iterator[SyncASGITransport]:
    with anyio.from_thread.start_blocking_portal() as portal:
        yield SyncASGITransport(app, portal)


DROP_AFTER_COMMIT = "drop after commit"
BAD_GATEWAY_AFTER_COMMIT = "502 after commit"
DROP_BEFORE_ARRIVAL = "drop before arrival"
ARRIVE_LATE = "arrive late"
FAIL_TO_CONNECT = "fail to connect"


class Faults(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Forwards to the emulator, except the requests ``plan`` names: ``{(operation, nth): fault}``.

    ``nth`` counts the requests of that operation from 1. ``sent`` lists what reached the server, by
    operation; ``seen`` what the client sent.
    """

    def __init__(
        self,
        inner: httpx.BaseTransport | httpx.AsyncBaseTransport,
        plan: Mapping[tuple[str, int], str],
    ) -> None:
        self._inner = inner
        self._plan = dict(plan)
        self._held: dict[str, httpx.Request] = {}
        self.seen: list[str] = []
        self.sent: list[str] = []

    def _fault(self, request: httpx.Request) -> tuple[str, str | None]:
        operation = request.url.path.rsplit("/", 1)[-1]
        self.seen.append(operation)
        return operation, self._plan.get((operation, self.seen.count(operation)))

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(self._inner, httpx.BaseTransport)
        operation, fault = self._fault(request)
        if operation in self._held:
            self._forward(self._held.pop(operation))
        if fault in (DROP_BEFORE_ARRIVAL, ARRIVE_LATE, FAIL_TO_CONNECT):
            return self._lose(operation, request, fault)
        response = self._forward(request)
        return self._after(response, fault, request)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(self._inner, httpx.AsyncBaseTransport)
        operation, fault = self._fault(request)
        if operation in self._held:
            await self._aforward(self._held.pop(operation))
        if fault in (DROP_BEFORE_ARRIVAL, ARRIVE_LATE, FAIL_TO_CONNECT):
            return self._lose(operation, request, fault)
        response = await self._aforward(request)
        return self._after(response, fault, request)

    def _lose(self, operation: str, request: httpx.Request, fault: str | None) -> httpx.Response:
        if fault == FAIL_TO_CONNECT:
            raise httpx.ConnectError("connection refused", request=request)
        if fault == ARRIVE_LATE:
            self._held[operation] = request
        raise httpx.ReadTimeout("timed out waiting for the response", request=request)

    def _forward(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(self._inner, httpx.BaseTransport)
        self.sent.append(request.url.path.rsplit("/", 1)[-1])
        response = self._inner.handle_request(request)
        response.read()
        return response

    async def _aforward(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(self._inner, httpx.AsyncBaseTransport)
        self.sent.append(request.url.path.rsplit("/", 1)[-1])
        response = await self._inner.handle_async_request(request)
        await response.aread()
        return response

    @staticmethod
    def _after(response: httpx.Response, fault: str | None, request: httpx.Request) -> httpx.Response:
        if fault == DROP_AFTER_COMMIT:
            raise httpx.ReadTimeout("timed out waiting for the response", request=request)
        if fault == BAD_GATEWAY_AFTER_COMMIT:
            return httpx.Response(502, text="<html>Bad Gateway</html>", headers={"content-type": "text/html"})
        return httpx.Response(response.status_code, headers=response.headers, content=response.content)


def json_of(response: httpx.Response) -> Any:
    return json.loads(response.content)
