"""``cpay-emulator serve``: run the emulator on uvicorn (uvloop + httptools, one process).

``proxy`` and ``replay`` (the validating proxy) are registered from ``cli.proxy``, which implements them;
``spec suggest`` and ``spec apply`` (recorded traffic to a reviewed spec change) from ``cli.spec``; ``orders``,
``webhooks`` and ``clock`` (drive a running emulator) from ``cli.control``.
"""

from __future__ import annotations

import argparse
import logging
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path

import attrs
import yaml

from cpay import SecretKey
from cpay_emulator.backends.model import VENDOR_SCHEDULE, WEBHOOK_SHAPES, Merchant, WebhookSettings, ip_allowlist
from cpay_emulator.cli.control import add_control_commands, parse_duration
from cpay_emulator.cli.control import run as run_control
from cpay_emulator.cli.proxy import COMMANDS as PROXY_COMMANDS
from cpay_emulator.cli.proxy import add_commands as add_proxy_commands
from cpay_emulator.cli.proxy import run_command as run_proxy_command
from cpay_emulator.cli.spec import add_spec_command, run_spec_command
from cpay_emulator.server.app import EmulatorConfig, create_app, demo_merchant
from cpay_emulator.server.docs import docs_banner
from cpay_emulator.server.faults import Faults
from cpay_emulator.server.webhooks import WebhookPolicy
from cpay_emulator.shared.errors import EmulatorError
from cpay_emulator.shared.http_server import bind, run_server

__all__ = ["main"]

_DESCRIPTION = """\
A stateful local C-Pay server: every operation of openapi.yaml at the same paths, signatures checked,
state in SQLite, signed webhooks with retries, a control API under /_emulator/ and a cashier page.
"""

_EPILOG = """\
examples:
  cpay-emulator serve                                   demo merchant, ./cpay-emulator.db, port 8000
  cpay-emulator serve --port 0 --db :memory: --quiet    a free port, state in memory, no request log
  cpay-emulator serve --merchant 20003092:s3cret:https://shop.example/cpay/webhook

  cpay-emulator serve --order-ttl 15m --fail-next createOrderByCreditCard:90751015:2
  cpay-emulator orders list                             against the emulator at --url (default 127.0.0.1:8000)
  cpay-emulator orders pay 261130120000073760049
  cpay-emulator webhooks resend 3
  cpay-emulator clock advance 1h

control API: GET /_emulator/openapi.yaml describes it (pay/fail orders, deposits, payouts, balances,
rates, webhook deliveries, the clock, faults, reset). Error codes: docs/spec-notes.md, "Emulator error codes".
API references in the browser (built by `make docs`): /docs and /_emulator/docs.
"""


def _merchant(text: str) -> Merchant:
    parts = text.split(":", 2)
    if len(parts) < 2 or not parts[0] or not parts[1]:
        raise argparse.ArgumentTypeError("expected ID:SECRET or ID:SECRET:CALLBACK_URL")
    callback_url = parts[2] if len(parts) == 3 else ""
    return Merchant(merchant_id=parts[0], secret_key=SecretKey(parts[1]), callback_url=callback_url)


def _allowlist(text: str) -> tuple[str, ...]:
    entries = tuple(entry.strip() for entry in text.split(",") if entry.strip())
    try:
        ip_allowlist(entries)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return entries


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cpay-emulator",
        description=_DESCRIPTION,
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve = commands.add_parser(
        "serve",
        help="run the emulator",
        description=_DESCRIPTION,
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    serve.add_argument("--host", default="127.0.0.1", help="interface to bind (default: %(default)s)")
    serve.add_argument("--port", type=int, default=8000, help="port; 0 picks a free one (default: %(default)s)")
    serve.add_argument(
        "--db",
        default="./cpay-emulator.db",
        help="SQLite file holding the state (WAL; survives restarts), or :memory: (default: %(default)s)",
    )
    serve.add_argument(
        "--merchant",
        action="append",
        type=_merchant,
        default=[],
        metavar="ID:SECRET[:CALLBACK_URL]",
        help="a merchant to serve, created or updated in the database; repeatable. "
        "Default: a demo merchant, whose id and secret are printed",
    )
    serve.add_argument(
        "--ip-allowlist",
        type=_allowlist,
        default=(),
        metavar="IP[,IP...]",
        help="addresses or CIDR networks the merchants' calls are taken from; any other caller gets code 90751002 "
        "(illegal IP), as C-Pay answers a caller outside the merchant's IP whitelist (default: any address)",
    )
    serve.add_argument("--spec", type=Path, default=None, help="the OpenAPI document to serve (default: openapi.yaml)")
    serve.add_argument("--public-url", default=None, help="base URL of cashierURL (default: the Host the client used)")
    _add_webhook_options(serve)
    serve.add_argument(
        "--docs",
        type=Path,
        default=Path("reports/docs"),
        metavar="DIR",
        help="the API references built by `make docs`, served at /docs and /_emulator/docs; "
        "read at each request, so they may be built later (default: %(default)s, from the current directory)",
    )
    serve.add_argument("--quiet", action="store_true", help="no per-request log line (for benchmarks)")
    _add_time_and_fault_options(serve)
    add_proxy_commands(commands)
    add_spec_command(commands)
    add_control_commands(commands)
    return parser


def _ttl(text: str) -> float | None:
    seconds = parse_duration(text)
    if seconds == 0:
        return None
    if seconds < 1:
        raise argparse.ArgumentTypeError("the order TTL is at least 1 second (0: orders never expire)")
    return seconds


def _schedule(text: str) -> tuple[float, ...]:
    try:
        return WebhookSettings(schedule=[parse_duration(part) for part in text.split(",")]).schedule
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _accept(text: str) -> tuple[str, ...]:
    try:
        return WebhookSettings(accept=text.split(",")).accept
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _add_webhook_options(serve: argparse.ArgumentParser) -> None:
    webhooks = serve.add_argument_group(
        "webhooks, as C-Pay sends them (also set at run time: PUT /_emulator/webhooks/settings; the evidence for "
        "each default is in docs/spec-notes.md)"
    )
    webhooks.add_argument(
        "--webhook-format",
        choices=WEBHOOK_SHAPES,
        default="json",
        help="the body: a JSON object, a flat form, or a form whose one field param holds the JSON "
        "(default: %(default)s)",
    )
    webhooks.add_argument(
        "--webhook-statuses",
        choices=("final", "all"),
        default="final",
        help="notify only the final states 14 and 15, or every change (0 and 11 too) (default: %(default)s)",
    )
    webhooks.add_argument(
        "--webhook-types",
        choices=("numbers", "strings"),
        default="numbers",
        help="merchantId, orderStatus and createTime as JSON numbers or as strings (default: %(default)s)",
    )
    webhooks.add_argument(
        "--webhook-accept",
        type=_accept,
        default=(),
        metavar="WORD[,WORD...]",
        help="only these replies (exact, after trimming) acknowledge a delivery (default: any 2xx reply but an "
        "empty one or fail, in any case)",
    )
    webhooks.add_argument(
        "--webhook-schedule",
        type=_schedule,
        default=VENDOR_SCHEDULE,
        metavar="DURATION[,DURATION...]",
        help="the wait before each attempt, from the one before (the first from the change); one entry per "
        "attempt (default: 0,1m,3m,9m,27m,81m,243m,729m,2187m)",
    )
    webhooks.add_argument(
        "--webhook-timeout",
        type=float,
        default=5.0,
        metavar="SECONDS",
        help="per-attempt timeout (default: %(default)s)",
    )


def _add_time_and_fault_options(serve: argparse.ArgumentParser) -> None:
    serve.add_argument(
        "--order-ttl",
        type=_ttl,
        default=3600.0,
        metavar="DURATION",
        help="an unpaid order is CLOSED this long after its creation, with its webhook (90, 15m, 2h; 0: never; "
        "default: 1h)",
    )
    faults = serve.add_argument_group("faults (also armed at run time: POST /_emulator/faults/...)")
    faults.add_argument(
        "--fail-next",
        action="append",
        default=[],
        metavar="OPERATION:CODE[:TIMES]",
        help="answer the next TIMES (default 1) calls of an operationId with this code, unhandled; repeatable",
    )
    faults.add_argument(
        "--latency",
        action="append",
        default=[],
        metavar="[OPERATION:]SECONDS",
        help="every call (of one operation) waits this long first; repeatable",
    )
    faults.add_argument(
        "--drop-response",
        action="append",
        default=[],
        metavar="OPERATION:reset|timeout[:TIMES]",
        help="handle and commit the next TIMES calls, then lose their response; repeatable",
    )
    faults.add_argument("--webhook-duplicates", type=int, default=0, metavar="N", help="post the next N webhooks twice")
    faults.add_argument("--webhooks-out-of-order", action="store_true", help="post due webhooks newest first")
    faults.add_argument("--hold-webhooks", action="store_true", help="post none until POST /_emulator/webhooks/release")


def _arm(faults: Faults, arguments: argparse.Namespace) -> None:
    """Arm the faults given on the command line (EmulatorError or ValueError on a bad one)."""
    for text in arguments.fail_next:
        operation, code, *times = text.split(":")
        faults.force_envelope(operation, int(code), times=int(times[0]) if times else 1)
    for text in arguments.latency:
        operation, _, seconds = text.rpartition(":")
        faults.add_latency(float(seconds), operation or None)
    for text in arguments.drop_response:
        operation, mode, *times = text.split(":")
        faults.drop_responses(operation, mode, times=int(times[0]) if times else 1)
    faults.set_webhooks(
        duplicate=arguments.webhook_duplicates,
        out_of_order=arguments.webhooks_out_of_order,
        hold=arguments.hold_webhooks,
    )


def serve(arguments: argparse.Namespace) -> int:
    """Bind, print the base URL and credentials, and serve until interrupted."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    merchants: list[Merchant] = [
        Merchant(
            merchant_id=m.merchant_id,
            secret_key=m.secret_key,
            callback_url=m.callback_url,
            webhook_format=arguments.webhook_format,
            ip_allowlist=arguments.ip_allowlist,
        )
        for m in arguments.merchant
    ]
    if not merchants:
        merchants = [
            attrs.evolve(demo_merchant(), ip_allowlist=arguments.ip_allowlist, webhook_format=arguments.webhook_format)
        ]
    try:
        policy = WebhookPolicy(timeout=arguments.webhook_timeout)
        settings = WebhookSettings(
            statuses=arguments.webhook_statuses,
            types=arguments.webhook_types,
            accept=arguments.webhook_accept,
            schedule=arguments.webhook_schedule,
        )
    except ValueError as error:
        print(f"cpay-emulator: invalid webhook option: {error}", file=sys.stderr)
        return 2
    config = EmulatorConfig(
        database=arguments.db,
        merchants=tuple(merchants),
        spec_path=arguments.spec,
        webhook_policy=policy,
        webhook_settings=settings,
        public_url=arguments.public_url,
        access_log=not arguments.quiet,
        docs_directory=arguments.docs.resolve(),
        order_ttl=arguments.order_ttl,
    )
    try:
        app = create_app(config)
    except (OSError, sqlite3.Error, ValueError, yaml.YAMLError) as error:
        print(f"cpay-emulator: cannot start: {error}", file=sys.stderr)
        return 1
    try:
        _arm(app.state.faults, arguments)
    except (EmulatorError, ValueError) as error:
        print(f"cpay-emulator: invalid fault option: {getattr(error, 'msg', error)}", file=sys.stderr)
        app.state.store.close()
        return 2
    try:
        sock = bind(arguments.host, arguments.port)
    except OSError as error:
        print(f"cpay-emulator: cannot listen on {arguments.host}:{arguments.port}: {error}", file=sys.stderr)
        return 1
    host, port = sock.getsockname()[:2]
    shown_host = f"[{host}]" if ":" in host else host
    base_url = f"http://{shown_host}:{port}"
    lines = [f"cpay-emulator listening on {base_url}", f"  database: {arguments.db}"]
    lines.extend(
        # Printing the secret is the point: a local developer needs it to sign requests.
        f"  merchant: {m.merchant_id} secret: {m.secret_key.reveal()}"
        for m in merchants
    )
    lines.append(f"  control API: {base_url}/_emulator/ (described at {base_url}/_emulator/openapi.yaml)")
    lines.extend(docs_banner(base_url, config.docs_directory))
    print("\n".join(lines), flush=True)
    try:
        run_server(app, sock)
    except KeyboardInterrupt:
        pass
    finally:
        app.state.store.close()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """The ``cpay-emulator`` console script."""
    arguments = _parser().parse_args(argv)
    if arguments.command == "serve":
        return serve(arguments)
    if arguments.command in PROXY_COMMANDS:
        return run_proxy_command(arguments)
    if arguments.command == "spec":
        return run_spec_command(arguments)
    return run_control(arguments)


if __name__ == "__main__":
    sys.exit(main())
