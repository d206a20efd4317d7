"""``cpay-emulator serve``: run the emulator on uvicorn (uvloop + httptools, one process).

``proxy`` and ``replay`` (the validating proxy) are registered from ``_proxy_cli``, which implements them.
"""

from __future__ import annotations

import argparse
import logging
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path

import yaml

from cpay_emulator._app import EmulatorConfig, create_app, demo_merchant
from cpay_emulator._docs import docs_banner
from cpay_emulator._model import Merchant
from cpay_emulator._proxy_cli import COMMANDS as PROXY_COMMANDS
from cpay_emulator._proxy_cli import add_commands as add_proxy_commands
from cpay_emulator._proxy_cli import run_command as run_proxy_command
from cpay_emulator._server import bind, run_server
from cpay_emulator._webhooks import WebhookPolicy
from cpay_signing import SecretKey

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

control API: GET /_emulator/openapi.yaml describes it (pay/fail orders, deposits, payouts, balances,
rates, webhook deliveries, reset). Error codes: docs/spec-notes.md, "Emulator error codes".
API references in the browser (built by `make docs`): /docs and /_emulator/docs.
"""


def _merchant(text: str) -> Merchant:
    parts = text.split(":", 2)
    if len(parts) < 2 or not parts[0] or not parts[1]:
        raise argparse.ArgumentTypeError("expected ID:SECRET or ID:SECRET:CALLBACK_URL")
    callback_url = parts[2] if len(parts) == 3 else ""
    return Merchant(merchant_id=parts[0], secret_key=SecretKey(parts[1]), callback_url=callback_url)


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
        "--webhook-format",
        choices=("json", "form"),
        default="json",
        help="body of the webhooks of --merchant merchants (default: %(default)s)",
    )
    serve.add_argument("--spec", type=Path, default=None, help="the OpenAPI document to serve (default: openapi.yaml)")
    serve.add_argument("--public-url", default=None, help="base URL of cashierURL (default: the Host the client used)")
    serve.add_argument(
        "--webhook-base-delay",
        type=float,
        default=1.0,
        metavar="SECONDS",
        help="first retry delay; attempt n waits base * 2^(n-1) (default: %(default)s)",
    )
    serve.add_argument(
        "--webhook-max-delay",
        type=float,
        default=600.0,
        metavar="SECONDS",
        help="longest retry delay (default: %(default)s)",
    )
    serve.add_argument(
        "--webhook-max-attempts",
        type=int,
        default=8,
        help="attempts before a delivery is failed (default: %(default)s)",
    )
    serve.add_argument(
        "--webhook-timeout",
        type=float,
        default=5.0,
        metavar="SECONDS",
        help="per-attempt timeout (default: %(default)s)",
    )
    serve.add_argument(
        "--docs",
        type=Path,
        default=Path("reports/docs"),
        metavar="DIR",
        help="the API references built by `make docs`, served at /docs and /_emulator/docs; "
        "read at each request, so they may be built later (default: %(default)s, from the current directory)",
    )
    serve.add_argument("--quiet", action="store_true", help="no per-request log line (for benchmarks)")
    add_proxy_commands(commands)
    return parser


def serve(arguments: argparse.Namespace) -> int:
    """Bind, print the base URL and credentials, and serve until interrupted."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    merchants: list[Merchant] = [
        Merchant(
            merchant_id=m.merchant_id,
            secret_key=m.secret_key,
            callback_url=m.callback_url,
            webhook_format=arguments.webhook_format,
        )
        for m in arguments.merchant
    ]
    if not merchants:
        merchants = [demo_merchant()]
    try:
        policy = WebhookPolicy(
            base_delay=arguments.webhook_base_delay,
            max_delay=arguments.webhook_max_delay,
            max_attempts=arguments.webhook_max_attempts,
            timeout=arguments.webhook_timeout,
        )
    except ValueError as error:
        print(f"cpay-emulator: invalid webhook option: {error}", file=sys.stderr)
        return 2
    config = EmulatorConfig(
        database=arguments.db,
        merchants=tuple(merchants),
        spec_path=arguments.spec,
        webhook_policy=policy,
        public_url=arguments.public_url,
        access_log=not arguments.quiet,
        docs_directory=arguments.docs.resolve(),
    )
    try:
        app = create_app(config)
    except (OSError, sqlite3.Error, ValueError, yaml.YAMLError) as error:
        print(f"cpay-emulator: cannot start: {error}", file=sys.stderr)
        return 1
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
    return 2  # unreachable: argparse requires a command


if __name__ == "__main__":
    sys.exit(main())
