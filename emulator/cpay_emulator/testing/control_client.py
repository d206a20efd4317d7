"""A typed client of the control API (``/_emulator/``), shared by the pytest fixture and the CLI's verbs.

It speaks to any emulator through the httpx client it is given: over the in-process transport in a test, over
the network for ``cpay-emulator orders list --url ...``. Every failure is a ``ControlError`` (a
``cpay.CPayError``) with the control API's ``code``, ``msg`` and HTTP status; an emulator that cannot
be reached is ``EmulatorUnreachableError``. Amounts are ``str`` or ``Decimal``, never ``float``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import attrs
import httpx

from cpay import CPayError
from cpay_emulator.backends.model import NotModeledOperation, UnfilledField

__all__ = ["ControlClient", "ControlError", "EmulatorHealth", "EmulatorUnreachableError", "amount_text"]

PREFIX = "/_emulator"


class ControlError(CPayError):
    """A control API call was refused: ``code`` and ``msg`` as the API answered, ``status`` its HTTP status."""

    def __init__(self, code: int, msg: str, status: int) -> None:
        super().__init__(f"{msg} (code {code}, HTTP {status})")
        self.code = code
        self.msg = msg
        self.status = status


class EmulatorUnreachableError(ControlError):
    """No emulator answered at the URL (not running, wrong port), or it answered something else."""

    def __init__(self, msg: str) -> None:
        super().__init__(-1, msg, 0)


def amount_text(value: str | Decimal | int) -> str:
    """An amount as the control API takes it: a decimal string (a ``float`` is refused: it is not exact)."""
    if isinstance(value, float | bool):
        raise TypeError(f"amounts are str or Decimal, never {type(value).__name__}: {value!r}")
    return format(value, "f") if isinstance(value, Decimal) else str(value)


def _path(value: str | int) -> str:
    return quote(str(value), safe="")


@attrs.frozen(kw_only=True)
class EmulatorHealth:
    """The control API's health (``GET /_emulator/health``), read back into the emulator's own records.

    ``not_modeled``: the operations of the spec it answers statelessly from the spec, with ``answered``, how many
    such answers each gave (by ``operationId``); ``unfilled``: the response fields it never fills. The conformance
    runner reads its coverage here, and ``cpay-emulator proxy`` asks whether its upstream is the emulator.
    """

    status: str
    pending_webhooks: int
    not_modeled: tuple[NotModeledOperation, ...]
    answered: Mapping[str, int] = attrs.field(hash=False)
    unfilled: tuple[UnfilledField, ...]

    @classmethod
    def from_data(cls, data: object) -> EmulatorHealth:
        """The health from its answer's ``data``; ``ValueError`` when it is not the shape the emulator writes."""
        try:
            if not isinstance(data, Mapping):
                raise TypeError("not an object")
            operations = [_entry(entry) for entry in data["notModeled"]]
            return cls(
                status=_text(data, "status"),
                pending_webhooks=_count(data, "pendingWebhooks"),
                not_modeled=tuple(
                    NotModeledOperation(
                        operation_id=_text(entry, "operationId"),
                        method=_text(entry, "method"),
                        path=_text(entry, "path"),
                        answer=_text(entry, "answer"),
                        problem=_text(entry, "problem", optional=True),
                    )
                    for entry in operations
                ),
                answered={_text(entry, "operationId"): _count(entry, "answered") for entry in operations},
                unfilled=tuple(
                    UnfilledField(_text(entry, "operationId"), _text(entry, "field"))
                    for entry in map(_entry, data["unfilledFields"])
                ),
            )
        except (KeyError, TypeError) as error:
            raise ValueError(f"not the emulator's health: {type(error).__name__} {error}") from None


def _entry(value: object) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise TypeError(f"an entry is a {type(value).__name__}, not an object")
    return value


def _text(entry: Mapping[str, Any], name: str, *, optional: bool = False) -> str:
    value = entry.get(name) if optional else entry[name]
    if value is None and optional:
        return ""
    if not isinstance(value, str):
        raise TypeError(f"{name} is not text")
    return value


def _count(entry: Mapping[str, Any], name: str) -> int:
    value = entry[name]
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{name} is not a whole number")
    return value


class ControlClient:
    """The control API of the emulator behind ``http`` (an ``httpx.Client`` whose base URL is the emulator's)."""

    def __init__(self, http: httpx.Client) -> None:
        self.http = http

    def call(self, method: str, path: str, body: dict[str, Any] | None = None, **params: Any) -> Any:
        """``data`` of a control API call, or ``ControlError``."""
        query = {name: value for name, value in params.items() if value is not None}
        try:
            response = self.http.request(method, PREFIX + path, json=body, params=query)
        except httpx.TransportError as error:
            raise EmulatorUnreachableError(
                f"no emulator answers at {self.http.base_url} ({type(error).__name__}); start one with "
                "`cpay-emulator serve` or give its address with --url"
            ) from error
        try:
            envelope = json.loads(response.content)
            code, msg = envelope["code"], envelope["msg"]
        except (ValueError, KeyError, TypeError):
            raise EmulatorUnreachableError(
                f"{self.http.base_url} answered HTTP {response.status_code} without a control API envelope: "
                "is it a C-Pay emulator?"
            ) from None
        if code != 0:
            raise ControlError(int(code), str(msg), response.status_code)
        return envelope.get("data")

    # -- orders -------------------------------------------------------------------------------------------

    def orders(self, *, merchant_id: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        """The newest orders (of one merchant, or of all)."""
        result: list[dict[str, Any]] = self.call("GET", "/orders", merchantId=merchant_id, limit=limit)
        return result

    def order(self, order_id: str) -> dict[str, Any]:
        """One order as the control API shows it."""
        result: dict[str, Any] = self.call("GET", f"/orders/{_path(order_id)}")
        return result

    def _act(self, order_id: str, action: str, body: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = self.call("POST", f"/orders/{_path(order_id)}/{action}", body)
        return result

    def pay(self, order_id: str, amount: str | Decimal | None = None, *, network: str | None = None) -> dict[str, Any]:
        """The customer pays (in full, or ``amount``)."""
        body: dict[str, Any] = {} if amount is None else {"amount": amount_text(amount)}
        if network is not None:
            body["network"] = network
        return self._act(order_id, "pay", body)

    def fail(self, order_id: str, reason: str | None = None) -> dict[str, Any]:
        """The payment fails: CLOSED (a payout's funds are released)."""
        return self._act(order_id, "fail", {} if reason is None else {"reason": reason})

    def close(self, order_id: str, reason: str | None = None) -> dict[str, Any]:
        """Close an open order."""
        return self._act(order_id, "close", {} if reason is None else {"reason": reason})

    def process(self, order_id: str) -> dict[str, Any]:
        """PENDING -> PROCESSING."""
        return self._act(order_id, "process", {})

    def complete(self, order_id: str) -> dict[str, Any]:
        """Complete a payout or an unconfirmed deposit, or pay a pay-in in full."""
        return self._act(order_id, "complete", {})

    def deposit(self, address: str, currency: str, amount: str | Decimal, *, confirmed: bool = True) -> dict[str, Any]:
        """Crypto arrives at a deposit address handed out by getWalletAddress."""
        body = {"address": address, "currency": currency, "amount": amount_text(amount), "confirmed": confirmed}
        result: dict[str, Any] = self.call("POST", "/deposits", body)
        return result

    def set_balance(
        self, merchant_id: str, currency: str, available: str | Decimal, frozen: str | Decimal = "0"
    ) -> dict[str, Any]:
        """Overwrite one currency of a merchant's balance."""
        body = {"available": amount_text(available), "frozen": amount_text(frozen)}
        result: dict[str, Any] = self.call("PUT", f"/merchants/{_path(merchant_id)}/balances/{_path(currency)}", body)
        return result

    def set_ip_allowlist(self, merchant_id: str, allowed: Iterable[str]) -> dict[str, Any]:
        """The addresses (IPs or CIDR networks) the merchant's calls are taken from; ``[]`` takes any."""
        body = {"ipAllowlist": list(allowed)}
        result: dict[str, Any] = self.call("PUT", f"/merchants/{_path(merchant_id)}/ip-allowlist", body)
        return result

    # -- webhooks -----------------------------------------------------------------------------------------

    def webhooks(self, *, order_id: str | None = None, state: str | None = None) -> list[dict[str, Any]]:
        """Every delivery (oldest first) with its attempts."""
        result: list[dict[str, Any]] = self.call("GET", "/webhooks", orderId=order_id, state=state)
        return result

    def flush_webhooks(self) -> int:
        """Post what is due now, until nothing more is; returns how many attempts were made."""
        return int(self.call("POST", "/webhooks/flush")["attempted"])

    def resend(self, delivery_id: int) -> dict[str, Any]:
        """Queue a delivery's notification again and post it; returns the new delivery."""
        result: dict[str, Any] = self.call("POST", f"/webhooks/{_path(delivery_id)}/resend")
        return result

    def webhook_settings(self) -> dict[str, Any]:
        """Which changes are notified, in which JSON types, which replies acknowledge, the retry schedule."""
        result: dict[str, Any] = self.call("GET", "/webhooks/settings")
        return result

    def set_webhook_settings(
        self,
        *,
        statuses: str | None = None,
        types: str | None = None,
        accept: Iterable[str] | None = None,
        schedule: Iterable[float] | None = None,
    ) -> dict[str, Any]:
        """Change the webhook settings that are given; returns them all."""
        body: dict[str, Any] = {
            name: value for name, value in (("statuses", statuses), ("types", types)) if value is not None
        }
        if accept is not None:
            body["accept"] = list(accept)
        if schedule is not None:
            body["schedule"] = list(schedule)
        result: dict[str, Any] = self.call("PUT", "/webhooks/settings", body)
        return result

    def release_webhooks(self) -> int:
        """Stop holding webhooks back and post what is due."""
        return int(self.call("POST", "/webhooks/release")["attempted"])

    # -- clock and faults -----------------------------------------------------------------------------------

    def clock(self) -> dict[str, Any]:
        """The emulator's time."""
        result: dict[str, Any] = self.call("GET", "/clock")
        return result

    def advance(self, seconds: float) -> dict[str, Any]:
        """Move time forward: expiries and due webhooks happen; answers ``expired`` order ids."""
        result: dict[str, Any] = self.call("POST", "/clock/advance", {"seconds": seconds})
        return result

    def faults(self) -> dict[str, Any]:
        """The armed faults."""
        result: dict[str, Any] = self.call("GET", "/faults")
        return result

    def clear_faults(self) -> None:
        """Disarm every fault."""
        self.call("DELETE", "/faults")

    def force_envelope(self, operation_id: str, code: int, msg: str | None = None, *, times: int = 1) -> None:
        """The next ``times`` calls of ``operation_id`` are answered with ``code``, unhandled."""
        body: dict[str, Any] = {"operationId": operation_id, "code": code, "times": times}
        if msg is not None:
            body["msg"] = msg
        self.call("POST", "/faults/envelope", body)

    def add_latency(self, seconds: float, operation_id: str | None = None) -> None:
        """Calls (of one operation, or all) wait ``seconds`` first; 0 removes it."""
        body: dict[str, Any] = {"seconds": seconds}
        if operation_id is not None:
            body["operationId"] = operation_id
        self.call("POST", "/faults/latency", body)

    def drop_responses(
        self, operation_id: str, mode: str = "reset", *, times: int = 1, hold_seconds: float | None = None
    ) -> None:
        """The responses of the next ``times`` calls of ``operation_id`` are lost after the commit."""
        body: dict[str, Any] = {"operationId": operation_id, "mode": mode, "times": times}
        if hold_seconds is not None:
            body["holdSeconds"] = hold_seconds
        self.call("POST", "/faults/drop", body)

    def webhook_faults(
        self, *, duplicate: int | None = None, out_of_order: bool | None = None, hold: bool | None = None
    ) -> None:
        """Set the webhook faults that are given."""
        body = {
            name: value
            for name, value in (("duplicate", duplicate), ("outOfOrder", out_of_order), ("hold", hold))
            if value is not None
        }
        self.call("POST", "/faults/webhooks", body)

    def reset(self) -> None:
        """Forget orders, balances, webhooks; disarm faults."""
        self.call("POST", "/reset")

    # -- health ---------------------------------------------------------------------------------------------

    def health(self) -> EmulatorHealth:
        """The emulator's health; ``EmulatorUnreachableError`` if what answers is not the emulator's health."""
        data = self.call("GET", "/health")
        try:
            return EmulatorHealth.from_data(data)
        except ValueError as error:
            raise EmulatorUnreachableError(f"{self.http.base_url} answered {PREFIX}/health: {error}") from None
