"""``CPayEmulator``: a fresh emulator inside a test, with a signed client and the hands of the customer and the chain.

What the pytest fixture ``cpay_emulator`` gives (``cpay_emulator.testing.plugin``), usable without pytest too::

    with CPayEmulator() as emulator:
        order = unwrap(create_order.sync(client=emulator.client, body=...))
        emulator.pay(order.order_id)
        assert emulator.webhooks[-1].event.order_status is OrderStatus.COMPLETED

The emulator runs in-process (``testing.inprocess``: no socket) with its state in memory. Its clock is frozen by
default: time moves only by ``advance``, and nothing happens behind the test's back; webhooks are posted when a
helper returns (``pay``, ``advance``...), when ``webhooks`` is read, and by ``deliver_webhooks``. With
``clock="real"`` the clock, the webhook worker and the expiry sweep run by themselves, as in ``serve``.
Every helper goes through the control API (``testing.control_client``), so a refusal raises ``ControlError``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import timedelta
from decimal import Decimal
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal

import attrs
import httpx

from cpay import OrderStatus, SecretKey, WebhookEvent, create_client, parse_webhook
from cpay_emulator.backends.clock import Clock
from cpay_emulator.backends.model import VENDOR_SCHEDULE, Merchant, WebhookSettings
from cpay_emulator.backends.service import DEFAULT_ORDER_TTL
from cpay_emulator.backends.views import webhook_body
from cpay_emulator.server.app import DEMO_MERCHANT_ID, EmulatorConfig, create_app
from cpay_emulator.server.webhooks import WebhookPolicy
from cpay_emulator.testing.control_client import ControlClient, ControlError, EmulatorUnreachableError
from cpay_emulator.testing.inprocess import (
    DEFAULT_CLIENT_ADDRESS,
    AsyncInProcessTransport,
    EmulatorThread,
    InProcessTransport,
)

if TYPE_CHECKING:
    from cpay import CPayClient

__all__ = [
    "BASE_URL",
    "CPayEmulator",
    "ControlError",
    "Delivery",
    "DeliveryAttempt",
    "EmulatorOptions",
    "EmulatorUnreachableError",
]

BASE_URL = "http://cpay-emulator.test"
"""The in-process emulator's base URL (no DNS, no socket: the transport hands requests over directly)."""


@attrs.frozen(kw_only=True)
class EmulatorOptions:
    """How the fixture builds its emulator; set with ``@pytest.mark.cpay_emulator(...)`` or by overriding the
    ``cpay_emulator_options`` fixture.

    ``clock``: ``"frozen"`` (default: time moves only by ``advance``, starting at ``start``, epoch seconds,
    default the real time when the emulator starts) or ``"real"`` (time, the webhook worker and the expiry sweep
    run by themselves). A frozen clock with a ``start`` also seeds the emulator's ids, so a test that makes the
    same calls gets the same timestamps, order ids, trace ids and transaction hashes on every run; without
    ``start`` (or with the real clock) the ids differ from one emulator to the next. ``order_ttl``: seconds
    before an unpaid order expires (``None``: never).
    ``callback_url``: where the merchant's webhooks go unless an order names its own (``deliver_to`` posts them
    to an app in-process; until then each is acknowledged, with ``OK`` or the first ``webhook_accept`` word).
    The webhooks are sent as C-Pay sends them, each part selectable: ``webhook_format`` (``json``, ``form`` or
    ``param``, a form whose one field ``param`` holds the JSON), ``webhook_statuses`` (``final``: only ``14`` and
    ``15``; ``all``), ``webhook_types`` (``numbers`` or ``strings``), ``webhook_accept`` (the replies that
    acknowledge; empty: any 2xx reply but an empty one or ``fail``) and ``webhook_schedule`` (seconds before each
    attempt, from the one before; by default the vendor's nine, 0 to 2187 minutes apart).
    ``client_options``: extra keyword arguments of ``create_client`` for ``client`` (``recover_lost_writes=True``,
    ``credentials_in="body"``...).
    ``ip_allowlist``: the merchant's IP whitelist (addresses or CIDR networks; empty, the default, takes any);
    ``client_ip``: the address the in-process ``client`` calls from, so a test can be the merchant's server
    (allowed) or another host (answered ``90751002`` illegal IP).
    """

    merchant_id: str = DEMO_MERCHANT_ID
    secret_key: str = "cpay-emulator-test-secret"  # noqa: S105 - a public test credential
    callback_url: str = "http://merchant.test/cpay/webhook"
    webhook_format: Literal["json", "form", "param"] = "json"
    webhook_statuses: Literal["final", "all"] = "final"
    webhook_types: Literal["numbers", "strings"] = "numbers"
    webhook_accept: tuple[str, ...] = attrs.field(default=(), converter=tuple)
    webhook_schedule: tuple[float, ...] = attrs.field(default=VENDOR_SCHEDULE, converter=tuple)
    order_ttl: float | None = DEFAULT_ORDER_TTL
    clock: Literal["frozen", "real"] = "frozen"
    start: float | None = None
    webhook_policy: WebhookPolicy = attrs.Factory(WebhookPolicy)
    client_options: Mapping[str, Any] = attrs.field(factory=dict)
    ip_allowlist: tuple[str, ...] = attrs.field(default=(), converter=tuple)
    client_ip: str = DEFAULT_CLIENT_ADDRESS


@attrs.frozen
class DeliveryAttempt:
    """One post of a webhook: ``outcome`` ``ok`` or ``fail``, what the merchant answered, when (epoch ms)."""

    outcome: str
    http_status: int | None
    response_text: str
    error: str
    attempted_at: int


@attrs.frozen(kw_only=True)
class Delivery:
    """A webhook the emulator owes: its verified ``event`` (as ``parse_webhook`` reads it) and every attempt.

    ``state`` is ``pending``, ``delivered`` or ``failed``. ``body`` and ``content_type`` are what is posted.
    """

    delivery_id: int
    order_id: str
    order_status: OrderStatus
    state: str
    url: str
    event: WebhookEvent
    attempts: tuple[DeliveryAttempt, ...]
    body: bytes
    content_type: str


def _acknowledging(accepted: tuple[str, ...]) -> httpx.MockTransport:
    """The stand-in merchant until ``deliver_to``: it answers every webhook with a reply that acknowledges."""
    reply = accepted[0] if accepted else "OK"
    return httpx.MockTransport(lambda request: httpx.Response(200, text=reply))


def _seconds(duration: float | timedelta) -> float:
    return duration.total_seconds() if isinstance(duration, timedelta) else float(duration)


class CPayEmulator:
    """A fresh in-memory emulator with one merchant, a signed ``client`` and the control API's helpers.

    ``serve_socket=True`` also serves it on a real 127.0.0.1 socket (a free port): ``base_url`` is then that
    address and ``client`` goes through the network, for apps that use their own HTTP stack.
    """

    def __init__(self, options: EmulatorOptions | None = None, *, serve_socket: bool = False) -> None:
        self.options = options = options or EmulatorOptions()
        frozen = options.clock == "frozen"
        self.app = create_app(
            EmulatorConfig(
                merchants=(
                    Merchant(
                        merchant_id=options.merchant_id,
                        secret_key=SecretKey(options.secret_key),
                        callback_url=options.callback_url,
                        webhook_format=options.webhook_format,
                        ip_allowlist=options.ip_allowlist,
                    ),
                ),
                clock=Clock.frozen(options.start) if frozen else Clock.real(),
                order_ttl=options.order_ttl,
                webhook_policy=options.webhook_policy,
                webhook_settings=WebhookSettings(
                    statuses=options.webhook_statuses,
                    types=options.webhook_types,
                    accept=options.webhook_accept,
                    schedule=options.webhook_schedule,
                ),
                webhook_worker=not frozen,
                expiry_sweep=not frozen,
                webhook_transport=_acknowledging(tuple(options.webhook_accept)),
                # With a fixed start the ids repeat too: the same test gets the same order ids on every run.
                seed=None if options.start is None or not frozen else f"start:{options.start!r}",
            )
        )
        self._runner = EmulatorThread(self.app).start()
        self.transport = InProcessTransport(self._runner, options.client_ip)
        self.async_transport = AsyncInProcessTransport(self._runner, options.client_ip)
        self.base_url = self._runner.serve_socket() if serve_socket else BASE_URL
        self.control = ControlClient(httpx.Client(base_url=BASE_URL, transport=self.transport, timeout=60))
        self.client: CPayClient = self.new_client(**options.client_options)
        self._clients = [self.client]

    # -- the merchant's side ------------------------------------------------------------------------------

    @property
    def merchant_id(self) -> str:
        """The merchant the client signs as."""
        return self.options.merchant_id

    @property
    def secret_key(self) -> str:
        """The merchant's secret key (a test credential)."""
        return self.options.secret_key

    def new_client(self, **options: Any) -> CPayClient:
        """Another signed client of this emulator, with other ``create_client`` options; closed with the emulator."""
        if self.base_url == BASE_URL:
            in_process: dict[str, Any] = {"transport": self.transport, "async_transport": self.async_transport}
            options = in_process | options
        client = create_client(
            base_url=self.base_url, merchant_id=self.merchant_id, secret_key=self.secret_key, **options
        )
        if hasattr(self, "_clients"):
            self._clients.append(client)
        return client

    # -- what the customer, the chain and the back office do ------------------------------------------------

    def _then_deliver(self, result: dict[str, Any]) -> dict[str, Any]:
        self.control.flush_webhooks()
        return result

    def pay(self, order_id: str, amount: str | Decimal | None = None) -> dict[str, Any]:
        """The customer pays the order (in full, or ``amount``); its webhooks are posted before this returns."""
        return self._then_deliver(self.control.pay(order_id, amount))

    def fail(self, order_id: str, reason: str = "Transaction cannot be completed") -> dict[str, Any]:
        """The payment fails: CLOSED ("15"), a payout's funds released; webhooks posted."""
        return self._then_deliver(self.control.fail(order_id, reason))

    def complete(self, order_id: str) -> dict[str, Any]:
        """Complete a payout (debits the frozen funds), an unconfirmed deposit, or pay a pay-in; webhooks posted."""
        return self._then_deliver(self.control.complete(order_id))

    def deposit(self, address: str, currency: str, amount: str | Decimal, *, confirmed: bool = True) -> dict[str, Any]:
        """Crypto arrives at a user's deposit address (from getWalletAddress); webhooks posted."""
        return self._then_deliver(self.control.deposit(address, currency, amount, confirmed=confirmed))

    def set_ip_allowlist(self, *allowed: str) -> dict[str, Any]:
        """The merchant's IP whitelist (addresses or CIDR networks); none takes any address."""
        return self.control.set_ip_allowlist(self.merchant_id, allowed)

    def set_balance(self, currency: str, available: str | Decimal, frozen: str | Decimal = "0") -> dict[str, Any]:
        """Overwrite one currency of the merchant's balance (amounts as ``str`` or ``Decimal``)."""
        return self.control.set_balance(self.merchant_id, currency, available, frozen)

    def order(self, order_id: str) -> dict[str, Any]:
        """One order as the control API shows it (``status`` "0", "11", "14" or "15")."""
        return self.control.order(order_id)

    def orders(self) -> list[dict[str, Any]]:
        """The merchant's orders, newest first."""
        return self.control.orders(merchant_id=self.merchant_id)

    def advance(self, duration: float | timedelta) -> list[str]:
        """Move the clock forward: orders left unpaid past their TTL close (webhooks posted), due retries go out.

        Returns the ids of the orders that expired.
        """
        expired: list[str] = self.control.advance(_seconds(duration))["expired"]
        return expired

    def now_ms(self) -> int:
        """The emulator's time, epoch milliseconds."""
        return int(self.control.clock()["now"])

    # -- webhooks -------------------------------------------------------------------------------------------

    @property
    def webhooks(self) -> list[Delivery]:
        """Every delivery so far (oldest first), each with its verified event and attempts (due ones posted first)."""
        self.control.flush_webhooks()
        return [self._delivery(raw) for raw in self.control.webhooks()]

    def _delivery(self, raw: Mapping[str, Any]) -> Delivery:
        body = webhook_body(raw["payload"], raw["shape"])
        event = parse_webhook(body, raw["contentType"], self.secret_key)
        attempts = tuple(
            DeliveryAttempt(
                outcome=attempt["outcome"],
                http_status=attempt["httpStatus"],
                response_text=attempt["responseText"],
                error=attempt["error"],
                attempted_at=attempt["attemptedAt"],
            )
            for attempt in raw["attempts"]
        )
        return Delivery(
            delivery_id=raw["deliveryId"],
            order_id=raw["orderId"],
            order_status=OrderStatus(raw["orderStatus"]),
            state=raw["state"],
            url=raw["url"],
            event=event,
            attempts=attempts,
            body=body,
            content_type=raw["contentType"],
        )

    def deliver_webhooks(self) -> int:
        """Post every delivery due now (and the ones that become due as earlier ones go); returns the attempts."""
        return self.control.flush_webhooks()

    def deliver_to(self, app: Any) -> None:
        """Post webhooks to ``app`` (an ASGI app: Starlette, FastAPI) in-process, at each delivery URL's path.

        Its reply drives the retries exactly as over HTTP: a 2xx reply the settings accept acknowledges; ``FAIL``,
        another reply, another status or an exception (answered 500, as a server would) is a failed attempt,
        retried on the schedule once the clock reaches it. The app's lifespan is not run.
        """
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        self._runner.call(self.app.state.webhooks.use_transport(transport))

    def resend(self, delivery_id: int) -> Delivery:
        """Post a delivery's notification again, as a new delivery (``cpay-emulator webhooks resend``)."""
        return self._delivery(self.control.resend(delivery_id))

    def set_webhook_settings(
        self,
        *,
        statuses: Literal["final", "all"] | None = None,
        types: Literal["numbers", "strings"] | None = None,
        accept: Iterable[str] | None = None,
        schedule: Iterable[float] | None = None,
    ) -> dict[str, Any]:
        """Change how webhooks are sent from now on (the options given; see ``EmulatorOptions``)."""
        return self.control.set_webhook_settings(statuses=statuses, types=types, accept=accept, schedule=schedule)

    # -- faults ---------------------------------------------------------------------------------------------

    def fail_next(self, operation_id: str, code: int, msg: str | None = None, *, times: int = 1) -> None:
        """The next ``times`` calls of ``operation_id`` get ``{code, msg}`` (so ``BusinessError``); nothing changes."""
        self.control.force_envelope(operation_id, code, msg, times=times)

    def add_latency(self, seconds: float, operation_id: str | None = None) -> None:
        """Calls of ``operation_id`` (or of every operation) wait ``seconds`` (real time) first; 0 removes it."""
        self.control.add_latency(seconds, operation_id)

    def drop_next_response(
        self, operation_id: str, mode: Literal["reset", "timeout"] = "reset", *, times: int = 1
    ) -> None:
        """The next ``times`` calls of ``operation_id`` are handled and committed, then their responses lost:
        the client gets ``httpx.RemoteProtocolError`` (``reset``) or ``httpx.ReadTimeout`` (``timeout``), wrapped
        by ``create_client`` as ``TransportError`` (or recovered, with ``recover_lost_writes=True``)."""
        self.control.drop_responses(operation_id, mode, times=times, hold_seconds=5.0)

    def duplicate_webhooks(self, times: int = 1) -> None:
        """The next ``times`` acknowledged deliveries are posted once more."""
        self.control.webhook_faults(duplicate=times)

    def webhooks_out_of_order(self, enabled: bool = True) -> None:
        """Due deliveries go newest first: an order's COMPLETED may arrive before its PROCESSING."""
        self.control.webhook_faults(out_of_order=enabled)

    def hold_webhooks(self) -> None:
        """Post no webhook until ``release_webhooks`` (they stay pending)."""
        self.control.webhook_faults(hold=True)

    def release_webhooks(self) -> int:
        """Post the webhooks held back; returns the attempts made."""
        return self.control.release_webhooks()

    def clear_faults(self) -> None:
        """Disarm every fault."""
        self.control.clear_faults()

    # -- lifetime -------------------------------------------------------------------------------------------

    def close(self) -> None:
        """Close the clients and stop the emulator (its state is gone)."""
        for client in self._clients:
            # The sync client's connections; the async one holds none in-process, and over the socket its pool
            # belongs to the event loop that used it, which may be gone.
            client.get_httpx_client().close()
        self.control.http.close()
        self._runner.stop()
        self.app.state.store.close()

    def __enter__(self) -> CPayEmulator:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()
