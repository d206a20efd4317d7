"""The transports ``create_client`` installs: retries of reads, recovery of lost writes, logging, typed errors.

One call is a generator (``CallRuntime.flow``) that yields what it needs done, ``Send(request)`` or
``Sleep(seconds)``, and gets back an ``Exchange`` (the response or the network error, and how long it took).
``RuntimeTransport`` runs it with blocking I/O and ``AsyncRuntimeTransport`` with ``await``, so the rules are
written once for both, in the manner of ``httpx.Auth.auth_flow``:

* a GET is sent again on the failures ``RetryPolicy`` retries (``_retry``);
* a POST is sent once; with recovery on, a write that carries a ``merchantTradeNo`` and may have arrived is
  looked up and at most once re-sent (``_recovery``);
* every exchange is logged (``_calllog``).

Each response body is read inside the transport, so a connection that drops mid-body is a failure of the
exchange like any other (retried for a GET, recovered for a write); every ``httpx.TransportError`` that reaches
the caller is raised as ``cpay.TransportError`` with the httpx error as its ``__cause__`` (``_transport_error``,
the SDK's one mapping of httpx's errors). Failing to connect is retried by the wrapped
``httpx.HTTPTransport(retries=...)`` for every method: nothing was sent.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator
from typing import NoReturn

import attrs
import httpx

from cpay import _retry
from cpay._calllog import log_exchange, log_parameters, logger, operation_of
from cpay._errors import OutcomeUnknownError, RecoveredOrderError, TransportError
from cpay._recovery import (
    LOOKUP_OPERATION,
    LOST_WITH_THE_RESPONSE,
    RECOVERY_FIELD,
    Found,
    NotFound,
    Recovery,
    RecoverySettings,
    Undecided,
    classify_lookup,
    envelope_code,
    envelope_of,
    lost_description,
    may_have_arrived,
    merchant_trade_no_of,
    rebuild_result,
    with_recovery_field,
)
from cpay._retry import RetryPolicy
from cpay._secret import SecretKey

__all__ = ["AsyncRuntimeTransport", "CallRuntime", "RuntimeTransport"]

_READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_RECOVERY_HEADERS_DROPPED = ("content-length", "content-encoding", "transfer-encoding")


@attrs.frozen
class Send:
    """Send ``request`` and read its whole response."""

    request: httpx.Request


@attrs.frozen
class Sleep:
    """Wait ``seconds`` before the next attempt."""

    seconds: float


@attrs.frozen
class Exchange:
    """What one ``Send`` gave: a read response, or the network error; and how long it took."""

    response: httpx.Response | None
    error: httpx.TransportError | None
    seconds: float


Flow = Generator[Send | Sleep, Exchange | None, httpx.Response]
Signer = Callable[[httpx.Request], httpx.Request]


@attrs.frozen(kw_only=True)
class CallRuntime:
    """The settings of one client and the rules of a call; shared by its sync and async transports."""

    retry: RetryPolicy
    recovery: RecoverySettings
    secret_key: SecretKey = attrs.field(repr=False)
    sign: Signer = attrs.field(repr=False)
    """Signs a request the client makes itself (the ``getOrderDetail`` of a recovery)."""

    def flow(self, request: httpx.Request) -> Flow:
        """One call of ``request``: returns the response for the caller, or raises."""
        if request.method in _READ_ONLY_METHODS:
            exchange = yield from self._with_retries(request)
            return _outcome(exchange)
        exchange = yield from self._once(request, attempt=1)
        if self.recovery.enabled and may_have_arrived(exchange.response, exchange.error):
            merchant_trade_no = merchant_trade_no_of(request)
            if merchant_trade_no:
                return (yield from self._recover(request, merchant_trade_no, exchange))
        return _outcome(exchange)

    def _once(self, request: httpx.Request, *, attempt: int) -> Generator[Send | Sleep, Exchange | None, Exchange]:
        log_parameters(request, self.secret_key)
        exchange = yield Send(request)
        assert exchange is not None
        log_exchange(request, attempt, exchange.seconds, exchange.response, exchange.error, None)
        return exchange

    def _with_retries(self, request: httpx.Request) -> Generator[Send | Sleep, Exchange | None, Exchange]:
        log_parameters(request, self.secret_key)
        retry_number = 0
        while True:
            exchange = yield Send(request)
            assert exchange is not None
            if exchange.response is not None:
                delay = self.retry.delay_after_response(exchange.response, retry_number)
            else:
                assert exchange.error is not None
                delay = self.retry.delay_after_error(exchange.error, retry_number)
            log_exchange(request, retry_number + 1, exchange.seconds, exchange.response, exchange.error, delay)
            if delay is None:
                return exchange
            yield Sleep(delay)
            retry_number += 1

    def _recover(self, request: httpx.Request, merchant_trade_no: str, first: Exchange) -> Flow:
        operation = operation_of(request.url)
        lost = lost_description(first.response, first.error)
        logger.warning(
            "operation=%s merchantTradeNo=%s response lost (%s): looking the order up with %s",
            operation,
            merchant_trade_no,
            lost,
            LOOKUP_OPERATION,
        )
        found = yield from self._lookup(request, merchant_trade_no)
        if isinstance(found, Found):
            return self._recovered(request, merchant_trade_no, lost, found)
        if isinstance(found, Undecided):
            _raise_unknown(operation, merchant_trade_no, lost, found.reason, found.cause or first.error)

        logger.warning(
            "operation=%s merchantTradeNo=%s no such order: sending the write again", operation, merchant_trade_no
        )
        second = yield from self._once(request, attempt=2)
        if second.response is not None and second.response.status_code < 500:
            code = envelope_code(second.response)
            if code not in self.recovery.duplicate_codes:
                recovery = Recovery(merchant_trade_no=merchant_trade_no, via="resend", lost=lost)
                return _marked(second.response, recovery) if code == 0 else second.response
            again = f"refused as a duplicate (code {code})"
        else:
            again = f"its response was lost too ({lost_description(second.response, second.error)})"
        logger.warning(
            "operation=%s merchantTradeNo=%s the second send was %s: looking the order up again",
            operation,
            merchant_trade_no,
            again,
        )
        found = yield from self._lookup(request, merchant_trade_no)
        if isinstance(found, Found):
            return self._recovered(request, merchant_trade_no, lost, found)
        if isinstance(found, NotFound):
            _raise_unknown(
                operation, merchant_trade_no, lost, f"the write was sent again, {again}, and no order was found", None
            )
        _raise_unknown(operation, merchant_trade_no, lost, found.reason, found.cause or second.error)

    def _lookup(
        self, request: httpx.Request, merchant_trade_no: str
    ) -> Generator[Send | Sleep, Exchange | None, Found | NotFound | Undecided]:
        """``getOrderDetail?merchantTradeNo=...`` beside the write's path, signed, with the usual retries."""
        path = request.url.path
        headers = request.headers.copy()
        for name in ("content-type", *_RECOVERY_HEADERS_DROPPED):
            headers.pop(name, None)
        lookup = self.sign(
            httpx.Request(
                "GET",
                request.url.copy_with(path=f"{path[: path.rfind('/')]}/{LOOKUP_OPERATION}", query=None),
                params={"merchantTradeNo": merchant_trade_no},
                headers=headers,
                extensions=request.extensions,
            )
        )
        exchange = yield from self._with_retries(lookup)
        return classify_lookup(
            exchange.response,
            exchange.error,
            merchant_trade_no=merchant_trade_no,
            request=request,
            settings=self.recovery,
        )

    def _recovered(self, request: httpx.Request, merchant_trade_no: str, lost: str, found: Found) -> httpx.Response:
        """The operation's envelope rebuilt from the order, or ``RecoveredOrderError`` where it cannot be."""
        operation = operation_of(request.url)
        data = rebuild_result(operation, found.order)
        logger.warning(
            "operation=%s merchantTradeNo=%s recovered: orderId=%s status=%s traceid=%s",
            operation,
            merchant_trade_no,
            found.order.get("orderId"),
            found.order.get("status"),
            found.traceid,
        )
        if data is None:
            raise _recovered_order_error(operation, merchant_trade_no, lost, found)
        envelope: dict[str, object] = {"code": 0, "msg": found.msg, "data": data}
        if found.traceid is not None:
            envelope["traceid"] = found.traceid
        recovery = Recovery(merchant_trade_no=merchant_trade_no, via="lookup", lost=lost)
        return httpx.Response(
            200,
            headers={"content-type": "application/json", RECOVERY_FIELD: recovery.via},
            content=with_recovery_field(envelope, recovery),
        )


def _outcome(exchange: Exchange) -> httpx.Response:
    if exchange.response is None:
        assert exchange.error is not None
        raise exchange.error
    return exchange.response


def _marked(response: httpx.Response, recovery: Recovery) -> httpx.Response:
    """The second send's genuine answer, with the recovery marker added to its envelope."""
    envelope = envelope_of(response)
    assert envelope is not None  # code 0 was read from it
    headers = response.headers.copy()
    for name in _RECOVERY_HEADERS_DROPPED:
        headers.pop(name, None)
    headers[RECOVERY_FIELD] = recovery.via
    return httpx.Response(
        response.status_code,
        headers=headers,
        content=with_recovery_field(envelope, recovery),
        extensions=response.extensions,
    )


def _raise_unknown(
    operation: str, merchant_trade_no: str, lost: str, reason: str, cause: BaseException | None
) -> NoReturn:
    logger.warning("operation=%s merchantTradeNo=%s outcome unknown: %s", operation, merchant_trade_no, reason)
    raise OutcomeUnknownError(
        f"{operation} with merchantTradeNo {merchant_trade_no!r}: the response was lost ({lost}) and recovery "
        f"could not tell whether it took effect: {reason}",
        operation=operation,
        merchant_trade_no=merchant_trade_no,
    ) from cause


def _recovered_order_error(operation: str, merchant_trade_no: str, lost: str, found: Found) -> Exception:
    from cpay_client.models import OrderDetail  # the generated package: a recovery needs it

    try:
        order = OrderDetail.from_dict(found.order)
    except (KeyError, TypeError, ValueError) as error:
        return OutcomeUnknownError(
            f"{operation} with merchantTradeNo {merchant_trade_no!r}: the response was lost ({lost}); an order was "
            f"found but cannot be read ({type(error).__name__}: {str(error)[:200]})",
            operation=operation,
            merchant_trade_no=merchant_trade_no,
        )
    missing = LOST_WITH_THE_RESPONSE.get(operation, "result")
    return RecoveredOrderError(
        f"{operation} with merchantTradeNo {merchant_trade_no!r} took effect (order {order.order_id}, status "
        f"{order.status.value}) but its response was lost ({lost}), and with it the {missing}",
        operation=operation,
        merchant_trade_no=merchant_trade_no,
        order=order,
        traceid=found.traceid,
    )


def _transport_error(error: httpx.TransportError) -> TransportError:
    """The error a caller gets for a failed exchange (raised ``from`` the httpx error, so it is the cause)."""
    return TransportError(f"{type(error).__name__}: {error}")


class RuntimeTransport(httpx.BaseTransport):
    """Runs each call's flow over ``transport`` (blocking I/O). Closes ``transport`` only if it ``owns`` it:
    the clients of ``with_options`` share their parent's connections."""

    def __init__(self, transport: httpx.BaseTransport, runtime: CallRuntime, *, owns: bool = True) -> None:
        self._transport = transport
        self._runtime = runtime
        self._owns = owns

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        flow = self._runtime.flow(request)
        try:
            step = next(flow)
            while True:
                if isinstance(step, Sleep):
                    _retry.sleep(step.seconds)
                    step = flow.send(None)
                else:
                    step = flow.send(self._exchange(step.request))
        except StopIteration as stop:
            response: httpx.Response = stop.value
            return response
        except httpx.TransportError as error:
            raise _transport_error(error) from error

    def _exchange(self, request: httpx.Request) -> Exchange:
        start = time.perf_counter()
        try:
            response = self._transport.handle_request(request)
            response.read()
        except httpx.TransportError as error:
            return Exchange(None, error, time.perf_counter() - start)
        return Exchange(response, None, time.perf_counter() - start)

    def close(self) -> None:
        if self._owns:
            self._transport.close()


class AsyncRuntimeTransport(httpx.AsyncBaseTransport):
    """The async twin of ``RuntimeTransport``."""

    def __init__(self, transport: httpx.AsyncBaseTransport, runtime: CallRuntime, *, owns: bool = True) -> None:
        self._transport = transport
        self._runtime = runtime
        self._owns = owns

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        flow = self._runtime.flow(request)
        try:
            step = next(flow)
            while True:
                if isinstance(step, Sleep):
                    await _retry.async_sleep(step.seconds)
                    step = flow.send(None)
                else:
                    step = flow.send(await self._exchange(step.request))
        except StopIteration as stop:
            response: httpx.Response = stop.value
            return response
        except httpx.TransportError as error:
            raise _transport_error(error) from error

    async def _exchange(self, request: httpx.Request) -> Exchange:
        start = time.perf_counter()
        try:
            response = await self._transport.handle_async_request(request)
            await response.aread()
        except httpx.TransportError as error:
            return Exchange(None, error, time.perf_counter() - start)
        return Exchange(response, None, time.perf_counter() - start)

    async def aclose(self) -> None:
        if self._owns:
            await self._transport.aclose()
