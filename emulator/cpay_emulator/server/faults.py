"""Faults a test arms to see how a merchant's code copes: forced answers, latency, lost responses, webhook trouble.

The surfaces consult this, never the domain: ``OperationEndpoint`` (``server.api``) answers a forced envelope before
handling the request, so no state changes; waits out an added latency; and drops the response after the
commit, so the state did change but the client never hears of it. The webhook worker (``server.webhooks``) posts
deliveries twice, out of order, or holds them back. Everything is armed through the control API
(``server.control``), the pytest fixture and ``serve`` flags, and cleared by ``clear`` (and by a reset).

``armed`` is false while nothing is set, so the request path pays one attribute read when no fault is used.
All of it is read and changed on the event loop's thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
from collections.abc import Iterable
from typing import Any, Final, Literal

import attrs
from starlette.types import Receive, Scope

from cpay_emulator.shared.errors import ErrorCode, InvalidParameter
from cpay_emulator.shared.wire import DROP_CONNECTION

__all__ = [
    "DEFAULT_HOLD_SECONDS",
    "MAX_SECONDS",
    "DropMode",
    "DroppedResponse",
    "Faults",
    "ForcedEnvelope",
    "OperationFaults",
    "ResponseDropped",
    "drop_response",
]

DropMode = Literal["reset", "timeout"]
DROP_MODES: Final = ("reset", "timeout")
DEFAULT_HOLD_SECONDS: Final = 35.0
"""How long a ``timeout`` drop holds a socket's response: past ``create_client``'s 30 s read timeout."""
MAX_SECONDS: Final = 300.0
"""The longest latency or hold that can be armed: every wait stays bounded."""

_KNOWN_MESSAGES: Final = {int(ErrorCode.FAIL): "fail", int(ErrorCode.PAY_FAIL): "pay fail"}


@attrs.frozen
class ForcedEnvelope:
    """The envelope answered instead of handling the request."""

    code: int
    msg: str


@attrs.frozen
class DroppedResponse:
    """How a response is lost: ``reset`` closes the connection, ``timeout`` holds it ``hold_seconds`` first."""

    mode: DropMode
    hold_seconds: float = DEFAULT_HOLD_SECONDS


@attrs.frozen
class OperationFaults:
    """What applies to one call of an operation (each armed count already taken)."""

    envelope: ForcedEnvelope | None = None
    drop: DroppedResponse | None = None
    latency: float = 0.0


class ResponseDropped(Exception):  # noqa: N818 - names what happened to the response
    """Raised by an endpoint whose response a fault drops, where no connection can be closed (in-process).

    The in-process transport of the pytest fixture turns it into ``httpx.RemoteProtocolError`` (``reset``) or
    ``httpx.ReadTimeout`` (``timeout``): what a client sees over a socket.
    """

    def __init__(self, mode: DropMode) -> None:
        super().__init__(f"the response was dropped after the commit ({mode})")
        self.mode = mode


def _seconds(name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= MAX_SECONDS:
        raise InvalidParameter(name, f"must be a number of seconds from 0 to {MAX_SECONDS:g}")
    if not math.isfinite(value):
        raise InvalidParameter(name, "must be finite")
    return float(value)


def _times(value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 1_000_000:
        raise InvalidParameter("times", "must be an integer from 1 to 1000000")
    return value


class Faults:
    """The armed faults of one emulator. ``operation_ids``: the operations a fault may name."""

    def __init__(self, operation_ids: Iterable[str] = ()) -> None:
        self.operation_ids = frozenset(operation_ids)
        self._envelopes: dict[str, list[Any]] = {}  # operationId -> [ForcedEnvelope, remaining]
        self._drops: dict[str, list[Any]] = {}  # operationId -> [DroppedResponse, remaining]
        self._latency: dict[str | None, float] = {}  # None: every operation
        self.webhook_duplicates = 0
        """How many of the next acknowledged deliveries are posted a second time."""
        self.webhooks_out_of_order = False
        """Due deliveries go newest first, and an order's later status no longer waits for its earlier one."""
        self.webhooks_held = False
        """No delivery is posted until released; they stay pending in the outbox."""
        self.armed = False

    def _check_operation(self, operation_id: str) -> None:
        if operation_id not in self.operation_ids:
            known = ", ".join(sorted(self.operation_ids))
            raise InvalidParameter("operationId", f"unknown operation {operation_id!r}; known: {known}")

    def _update(self) -> None:
        self.armed = bool(self._envelopes or self._drops or self._latency)

    # -- arming --------------------------------------------------------------------------------------------

    def force_envelope(self, operation_id: str, code: int, msg: str | None = None, *, times: int = 1) -> None:
        """The next ``times`` calls of ``operation_id`` are answered ``{code, msg, data: null}``, unhandled."""
        self._check_operation(operation_id)
        if isinstance(code, bool) or not isinstance(code, int) or code == 0 or abs(code) >= 2**31:
            raise InvalidParameter("code", "must be a non-zero 32-bit integer (0 is success: nothing to force)")
        text = msg if msg else _KNOWN_MESSAGES.get(code, f"forced by the emulator (code {code})")
        self._envelopes[operation_id] = [ForcedEnvelope(code, text), _times(times)]
        self._update()

    def add_latency(self, seconds: float, operation_id: str | None = None) -> None:
        """Every call (of ``operation_id``, or of all operations) waits ``seconds`` first; 0 removes it."""
        if operation_id is not None:
            self._check_operation(operation_id)
        if _seconds("seconds", seconds):
            self._latency[operation_id] = float(seconds)
        else:
            self._latency.pop(operation_id, None)
        self._update()

    def drop_responses(
        self,
        operation_id: str,
        mode: str = "reset",
        *,
        times: int = 1,
        hold_seconds: float = DEFAULT_HOLD_SECONDS,
    ) -> None:
        """The responses of the next ``times`` calls of ``operation_id`` are lost after the commit."""
        self._check_operation(operation_id)
        if mode not in DROP_MODES:
            raise InvalidParameter("mode", f"must be one of {', '.join(DROP_MODES)}")
        drop = DroppedResponse("reset" if mode == "reset" else "timeout", _seconds("holdSeconds", hold_seconds))
        self._drops[operation_id] = [drop, _times(times)]
        self._update()

    def set_webhooks(
        self, *, duplicate: int | None = None, out_of_order: bool | None = None, hold: bool | None = None
    ) -> None:
        """Set the webhook faults that are given (``duplicate``: how many deliveries to post twice)."""
        if duplicate is not None:
            self.webhook_duplicates = 0 if duplicate == 0 else _times(duplicate)
        if out_of_order is not None:
            self.webhooks_out_of_order = out_of_order
        if hold is not None:
            self.webhooks_held = hold

    def clear(self) -> None:
        """Disarm every fault (the webhooks held back are released to the worker)."""
        self._envelopes.clear()
        self._drops.clear()
        self._latency.clear()
        self.webhook_duplicates = 0
        self.webhooks_out_of_order = False
        self.webhooks_held = False
        self._update()

    # -- consulting ----------------------------------------------------------------------------------------

    def take(self, operation_id: str) -> OperationFaults:
        """The faults of one call of ``operation_id``, counting it against each armed ``times``."""
        envelope = self._take(self._envelopes, operation_id)
        drop = None if envelope is not None else self._take(self._drops, operation_id)
        latency = self._latency.get(operation_id, self._latency.get(None, 0.0))
        self._update()
        return OperationFaults(envelope=envelope, drop=drop, latency=latency)

    @staticmethod
    def _take(table: dict[str, list[Any]], operation_id: str) -> Any:
        entry = table.get(operation_id)
        if entry is None:
            return None
        entry[1] -= 1
        if entry[1] <= 0:
            del table[operation_id]
        return entry[0]

    def take_duplicate(self) -> bool:
        """Whether this acknowledged delivery is to be posted once more (counts it)."""
        if self.webhook_duplicates <= 0:
            return False
        self.webhook_duplicates -= 1
        return True

    def describe(self) -> dict[str, Any]:
        """Everything armed, as plain values (the control API's ``GET /_emulator/faults``)."""
        return {
            "envelopes": {
                operation: {"code": envelope.code, "msg": envelope.msg, "remaining": remaining}
                for operation, (envelope, remaining) in sorted(self._envelopes.items())
            },
            "drops": {
                operation: {"mode": drop.mode, "holdSeconds": drop.hold_seconds, "remaining": remaining}
                for operation, (drop, remaining) in sorted(self._drops.items())
            },
            "latency": {operation or "*": seconds for operation, seconds in self._latency.items()},
            "webhooks": {
                "duplicate": self.webhook_duplicates,
                "outOfOrder": self.webhooks_out_of_order,
                "hold": self.webhooks_held,
            },
        }


async def drop_response(scope: Scope, receive: Receive, drop: DroppedResponse) -> None:
    """Lose a committed response: close the client's connection (``reset``), after holding it (``timeout``).

    A server that can close a connection puts a callable under ``DROP_CONNECTION`` in the scope's extensions
    (``shared.http_server``); without one (in-process, ``httpx.ASGITransport``) ``ResponseDropped`` is raised for the
    transport to turn into the client's error.
    """
    close = scope.get("extensions", {}).get(DROP_CONNECTION)
    if close is None:
        raise ResponseDropped(drop.mode)
    if drop.mode == "timeout":
        # Hold until the client gives up and disconnects, or hold_seconds pass (bounded, _faults.MAX_SECONDS).
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(_disconnected(receive), timeout=drop.hold_seconds)
    close()
    await _disconnected(receive)


async def _disconnected(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass
