"""The CLI's verbs against a running emulator, in the Stripe CLI's spirit (``stripe trigger``, ``events resend``).

``cpay-emulator orders list``, ``orders pay|fail|complete ID``, ``webhooks list``, ``webhooks resend ID`` and
``clock advance 15m`` call the control API of the emulator at ``--url`` (default ``http://127.0.0.1:8000``)
through ``ControlClient`` and print a readable table or line. A refusal (an unknown order, an order already
closed) or an emulator that is not running is one line on stderr and exit code 1. ``__main__`` only wires the
arguments to ``run``.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, Final, TextIO

import httpx

from cpay_emulator.testing.control_client import ControlClient, ControlError

__all__ = ["DEFAULT_URL", "add_control_commands", "parse_duration", "run"]

DEFAULT_URL: Final = "http://127.0.0.1:8000"
_UNITS: Final = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_DURATION: Final = re.compile(r"(\d+(?:\.\d+)?)([smhd]?)")
_STATUS: Final = {"0": "PENDING", "11": "PROCESSING", "14": "COMPLETED", "15": "CLOSED"}


def parse_duration(text: str) -> float:
    """Seconds in ``90``, ``90s``, ``15m``, ``2h``, ``1d`` or a sum such as ``1h30m``."""
    position, total = 0, 0.0
    compact = text.strip().lower()
    while position < len(compact):
        match = _DURATION.match(compact, position)
        if match is None or match.end() == position:
            raise argparse.ArgumentTypeError(f"not a duration: {text!r} (examples: 90, 45s, 15m, 2h, 1d, 1h30m)")
        total += float(match.group(1)) * _UNITS[match.group(2) or "s"]
        position = match.end()
    if not compact:
        raise argparse.ArgumentTypeError("a duration is required (examples: 90, 45s, 15m, 2h, 1d)")
    return total


def add_control_commands(commands: Any) -> None:
    """Add ``orders``, ``webhooks`` and ``clock`` to the CLI's subcommands (``commands``: argparse's subparsers)."""

    def group(name: str, help_text: str) -> Any:
        parser = commands.add_parser(name, help=help_text, description=help_text)
        return parser.add_subparsers(dest="verb", required=True, metavar="VERB")

    def verb(actions: Any, name: str, help_text: str) -> argparse.ArgumentParser:
        parser: argparse.ArgumentParser = actions.add_parser(name, help=help_text, description=help_text)
        parser.add_argument("--url", default=DEFAULT_URL, help="the running emulator (default: %(default)s)")
        return parser

    orders = group("orders", "list, pay, fail or complete orders of a running emulator")
    listing = verb(orders, "list", "the newest orders")
    listing.add_argument("--merchant", default=None, help="only this merchant's orders")
    listing.add_argument("--limit", type=int, default=20, help="how many (default: %(default)s)")
    pay = verb(orders, "pay", "the customer pays an order (in full, or --amount)")
    pay.add_argument("order_id", metavar="ID")
    pay.add_argument("--amount", default=None, help="a partial or larger payment, as a decimal")
    fail = verb(orders, "fail", "the payment fails: the order is CLOSED")
    fail.add_argument("order_id", metavar="ID")
    fail.add_argument("--reason", default=None)
    complete = verb(orders, "complete", "complete a payout or a deposit, or pay a pay-in in full")
    complete.add_argument("order_id", metavar="ID")

    webhooks = group("webhooks", "list or resend webhook deliveries of a running emulator")
    deliveries = verb(webhooks, "list", "every delivery and its attempts")
    deliveries.add_argument("--order", default=None, help="only this order's deliveries")
    resend = verb(webhooks, "resend", "post a delivery's notification again (a new delivery)")
    resend.add_argument("delivery_id", metavar="ID", type=int)

    clock = group("clock", "show or move a running emulator's clock")
    verb(clock, "show", "the emulator's time and order TTL")
    advance = verb(clock, "advance", "move time forward: unpaid orders expire, due webhook retries go out")
    advance.add_argument("duration", type=parse_duration, metavar="DURATION", help="90, 45s, 15m, 2h, 1d, 1h30m")


def _time(ms: int | None) -> str:
    return "-" if ms is None else datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S")


def _order_line(order: dict[str, Any]) -> str:
    status = _STATUS.get(order["status"], order["status"])
    amount = f"{order['orderAmount']} {order['currency']}"
    return f"{order['orderId']}  {status:<10}  {order['kind']:<11}  {amount:>22}  {order['merchantTradeNo'] or '-'}"


def _table(out: TextIO, header: str, lines: Sequence[str], empty: str) -> None:
    print(header if lines else empty, file=out)
    for line in lines:
        print(line, file=out)


def _orders(control: ControlClient, arguments: argparse.Namespace, out: TextIO) -> None:
    verb = arguments.verb
    if verb == "list":
        orders = control.orders(merchant_id=arguments.merchant, limit=arguments.limit)
        header = f"{'ORDER ID':<21}  {'STATUS':<10}  {'KIND':<11}  {'AMOUNT':>22}  MERCHANT TRADE NO"
        _table(out, header, [_order_line(order) for order in orders], "no orders")
        return
    actions: dict[str, Callable[[], dict[str, Any]]] = {
        "pay": lambda: control.pay(arguments.order_id, arguments.amount),
        "fail": lambda: control.fail(arguments.order_id, arguments.reason),
        "complete": lambda: control.complete(arguments.order_id),
    }
    order = actions[verb]()
    print(_order_line(order), file=out)


def _delivery_line(delivery: dict[str, Any]) -> str:
    attempts = delivery["attempts"]
    last = attempts[-1] if attempts else None
    answer = "-" if last is None else (last["error"] or f"HTTP {last['httpStatus']} {last['responseText'][:20]!r}")
    status = _STATUS.get(delivery["orderStatus"], delivery["orderStatus"])
    return (
        f"{delivery['deliveryId']:>5}  {delivery['orderId']}  {status:<10}  {delivery['state']:<9}  "
        f"{len(attempts):>3}  {answer}  {delivery['url']}"
    )


def _webhooks(control: ControlClient, arguments: argparse.Namespace, out: TextIO) -> None:
    if arguments.verb == "list":
        header = f"{'ID':>5}  {'ORDER ID':<21}  {'STATUS':<10}  {'STATE':<9}  {'TRY':>3}  LAST ANSWER  URL"
        lines = [_delivery_line(delivery) for delivery in control.webhooks(order_id=arguments.order)]
        _table(out, header, lines, "no webhook deliveries")
        return
    delivery = control.resend(arguments.delivery_id)
    print(f"resent as delivery {delivery['deliveryId']}: {_delivery_line(delivery)}", file=out)


def _clock(control: ControlClient, arguments: argparse.Namespace, out: TextIO) -> None:
    if arguments.verb == "show":
        clock = control.clock()
    else:
        clock = control.advance(arguments.duration)
        expired = clock["expired"]
        print(f"advanced {arguments.duration:g} s; {len(expired)} order(s) expired", file=out)
        for order_id in expired:
            print(f"  expired {order_id}", file=out)
    ttl = clock["orderTtlSeconds"]
    print(
        f"now {_time(clock['now'])} UTC ({'frozen' if clock['frozen'] else 'running'}, "
        f"advanced {clock['offsetSeconds']:g} s); orders expire after {'never' if ttl is None else f'{ttl:g} s'}",
        file=out,
    )


def run(arguments: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run one verb of ``orders``, ``webhooks`` or ``clock``; 0 on success, 1 with one line on ``err``."""
    out, err = out or sys.stdout, err or sys.stderr
    commands = {"orders": _orders, "webhooks": _webhooks, "clock": _clock}
    with httpx.Client(base_url=arguments.url, timeout=30, trust_env=False) as http:
        try:
            commands[arguments.command](ControlClient(http), arguments, out)
        except ControlError as error:
            print(f"cpay-emulator {arguments.command} {arguments.verb}: {error.msg}", file=err)
            return 1
    return 0
