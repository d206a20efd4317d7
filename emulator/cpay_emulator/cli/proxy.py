"""``cpay-emulator proxy`` and ``cpay-emulator replay``: the validating proxy's two commands.

``proxy`` builds the app (``create_proxy_app``), binds, prints where it listens and what it checks, and serves
on the emulator's server (``shared.http_server``) until SIGINT or SIGTERM, when the app writes its reports. ``replay``
reads recordings and sends them again (``proxy.replay``). ``__main__`` only registers these two commands.

A secret can stay off the command line (where ``ps`` shows it): ``--merchant ID`` alone takes the key from
``CPAY_SECRET_KEY``. Secrets are never printed.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx
import yaml

from cpay import SecretKey
from cpay_emulator.proxy.app import ProxyConfig, create_proxy_app
from cpay_emulator.proxy.recording import DEFAULT_KEEP, DEFAULT_MAX_BYTES, read_recording
from cpay_emulator.proxy.replay import replay
from cpay_emulator.proxy.reports import JUNIT_NAME, MARKDOWN_NAME
from cpay_emulator.shared.codes import DOCUMENT_CODES, CodeBook, emulator_codes, parse_codes
from cpay_emulator.shared.http_server import bind, run_server
from cpay_emulator.testing.control_client import ControlClient, ControlError

__all__ = ["COMMANDS", "add_commands", "choose_codes", "run_command"]

COMMANDS = frozenset({"proxy", "replay"})
_SECRET_VARIABLE = "CPAY_SECRET_KEY"  # noqa: S105 - the name of a variable, not a secret

_PROXY_DESCRIPTION = """\
A validating proxy in front of any C-Pay deployment. Every request is forwarded unchanged and answered with
the upstream's answer unchanged; each exchange is checked against openapi.yaml (request and response,
envelope included), the sign (for merchants whose secret is given) and the known envelope codes.
Violations: a log line per exchange, the x-cpay-violations header, GET /_proxy/violations, and
proxy-report.md / proxy-junit.xml written on exit.
"""

_PROXY_EPILOG = """\
examples:
  cpay-emulator proxy --upstream https://sandbox-api.cpay.ltd --merchant 20000092 --record traffic.jsonl
      (the secret of a merchant given without one is read from CPAY_SECRET_KEY)
  cpay-emulator proxy --upstream http://127.0.0.1:8000 --port 0 --merchant 20000000:cpay-emulator-demo-secret
  cpay-emulator proxy --upstream https://sandbox-api.cpay.ltd --merchant 20000092 --record traffic.jsonl \
      --webhook-upstream http://127.0.0.1:9000/cpay/webhook   (callBackURL: the proxy's URL, same path)
  cpay-emulator replay traffic.jsonl --url http://127.0.0.1:8000 --merchant 20000000:cpay-emulator-demo-secret
"""


def _merchant(text: str) -> tuple[str, SecretKey]:
    merchant_id, separator, secret = text.partition(":")
    if not merchant_id:
        raise argparse.ArgumentTypeError("expected ID:SECRET, or ID with the secret in CPAY_SECRET_KEY")
    if not separator:
        secret = os.environ.get(_SECRET_VARIABLE, "")
        if not secret:
            raise argparse.ArgumentTypeError(f"merchant {merchant_id}: no secret given and {_SECRET_VARIABLE} is empty")
    if not secret:
        raise argparse.ArgumentTypeError(f"merchant {merchant_id}: the secret is empty")
    return merchant_id, SecretKey(secret)


def _codes_list(text: str) -> frozenset[int]:
    try:
        return parse_codes(text, "--known-codes")
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def add_commands(commands: Any) -> None:
    """Add ``proxy`` and ``replay`` to the ``cpay-emulator`` sub-command parser ``commands``."""
    formatter = argparse.RawDescriptionHelpFormatter
    proxy = commands.add_parser(
        "proxy",
        help="a validating, recording proxy in front of a C-Pay deployment",
        description=_PROXY_DESCRIPTION,
        epilog=_PROXY_EPILOG,
        formatter_class=formatter,
    )
    proxy.add_argument("--upstream", required=True, help="the deployment's base URL, e.g. https://sandbox-api.cpay.ltd")
    proxy.add_argument("--host", default="127.0.0.1", help="interface to bind (default: %(default)s)")
    proxy.add_argument("--port", type=int, default=8010, help="port; 0 picks a free one (default: %(default)s)")
    proxy.add_argument(
        "--merchant",
        action="append",
        type=_merchant,
        default=[],
        metavar="ID[:SECRET]",
        help="check the sign of this merchant's requests; repeatable (ID alone: the secret from CPAY_SECRET_KEY)",
    )
    proxy.add_argument("--spec", type=Path, default=None, help="the OpenAPI document (default: openapi.yaml)")
    proxy.add_argument(
        "--codes",
        choices=("auto", "document", "emulator"),
        default="auto",
        help="the envelope codes the upstream may answer: those C-Pay's material names (0, 1, 90751002, 90751015, "
        "90751019), the emulator's, or "
        "auto: the emulator's if the upstream answers GET /_emulator/health (default: %(default)s)",
    )
    proxy.add_argument(
        "--known-codes",
        type=_codes_list,
        default=frozenset(),
        metavar="CODE,...",
        help="more codes the upstream may answer (also CPAY_BUSINESS_CODES, CPAY_SIGN_ERROR_CODES)",
    )
    proxy.add_argument(
        "--record", type=Path, default=None, metavar="FILE", help="append each exchange to FILE (JSON lines)"
    )
    proxy.add_argument(
        "--record-max-bytes",
        type=_positive,
        default=DEFAULT_MAX_BYTES,
        metavar="N",
        help="rotate the recording past N bytes (default: %(default)s)",
    )
    proxy.add_argument(
        "--record-keep",
        type=int,
        default=DEFAULT_KEEP,
        metavar="N",
        help="rotated recordings kept: FILE.1 ... FILE.N (default: %(default)s)",
    )
    proxy.add_argument(
        "--report-dir",
        type=Path,
        default=Path("reports/proxy"),
        metavar="DIR",
        help=f"where {MARKDOWN_NAME} and {JUNIT_NAME} are written on exit (default: %(default)s)",
    )
    proxy.add_argument(
        "--timeout", type=float, default=30.0, metavar="SECONDS", help="upstream timeout, then 504 (default: 30)"
    )
    proxy.add_argument(
        "--webhook-upstream",
        default=None,
        metavar="URL",
        help="stand in front of the merchant's webhook endpoint too: a notification posted to the proxy at URL's "
        "path is checked (sign with --merchant's key, shape, the reply) and forwarded to URL unchanged",
    )
    replayer = commands.add_parser(
        "replay",
        help="send a proxy recording again to a deployment and compare the answers' shapes",
        description="Re-send each exchange of proxy recordings (re-signed) and report where the answers differ "
        "in shape: envelope code class, JSON types and keys (not values). Exit status 1 when any differ.",
        epilog=_PROXY_EPILOG,
        formatter_class=formatter,
    )
    replayer.add_argument("files", nargs="+", type=Path, metavar="FILE", help="recordings, oldest first")
    replayer.add_argument("--url", required=True, help="the deployment to send them to, e.g. http://127.0.0.1:8000")
    replayer.add_argument(
        "--merchant",
        action="append",
        type=_merchant,
        required=True,
        metavar="ID[:SECRET]",
        help="sign as this merchant (the recorded merchantId's if given, else the first); repeatable",
    )
    replayer.add_argument("--timeout", type=float, default=30.0, metavar="SECONDS", help="per request (default: 30)")


def choose_codes(choice: str, upstream: str, environ: Mapping[str, str] = os.environ) -> CodeBook:
    """The code book for ``--codes`` (``auto`` asks the upstream whether it is the emulator), with the env's codes."""
    is_emulator = choice == "emulator" or (choice == "auto" and _is_emulator(upstream))
    return (emulator_codes() if is_emulator else DOCUMENT_CODES).with_overrides(environ)


def _is_emulator(upstream: str) -> bool:
    with httpx.Client(base_url=upstream, timeout=2.0, trust_env=False) as http:
        try:
            return ControlClient(http).health().status == "ok"
        except ControlError:  # no answer, or not the emulator's health
            return False


def serve_proxy(arguments: argparse.Namespace) -> int:
    """Bind, print where the proxy listens and what it checks, serve until interrupted; the app writes its reports."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # the proxy's own line says it all, without the sign
    # A record per exchange, whose line shows only the time and the message: none of the caller's frame, thread or
    # process is gathered for it (the Logging HOWTO's "Optimization"; ~15 us of CPU per exchange here).
    logging._srcfile = None
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
    upstream = arguments.upstream.rstrip("/")
    if not upstream.startswith(("http://", "https://")):
        print(f"cpay-emulator proxy: --upstream must be an http(s) URL, not {upstream!r}", file=sys.stderr)
        return 2
    try:
        codes = choose_codes(arguments.codes, upstream).with_codes(business=arguments.known_codes)
    except ValueError as error:
        print(f"cpay-emulator proxy: {error}", file=sys.stderr)
        return 2
    report_dir = arguments.report_dir.resolve()
    config = ProxyConfig(
        upstream=upstream,
        secrets=dict(arguments.merchant),
        codes=codes,
        spec_path=arguments.spec,
        record=arguments.record,
        record_max_bytes=arguments.record_max_bytes,
        record_keep=arguments.record_keep,
        report_dir=report_dir,
        timeout=arguments.timeout,
        webhook_upstream=arguments.webhook_upstream,
    )
    try:
        app = create_proxy_app(config)
    except (OSError, ValueError, yaml.YAMLError) as error:
        print(f"cpay-emulator proxy: cannot start: {error}", file=sys.stderr)
        return 1
    try:
        sock = bind(arguments.host, arguments.port)
    except OSError as error:
        print(f"cpay-emulator proxy: cannot listen on {arguments.host}:{arguments.port}: {error}", file=sys.stderr)
        return 1
    host, port = sock.getsockname()[:2]
    base_url = f"http://{f'[{host}]' if ':' in host else host}:{port}"
    checked = ", ".join(sorted(config.secrets)) or "none (give --merchant ID:SECRET)"
    lines = [
        f"cpay-emulator proxy listening on {base_url} -> {upstream}",
        f"  sign checked for merchants: {checked}",
        f"  envelope codes: {codes.name} ({', '.join(map(str, codes.known()))})",
        f"  violations: {base_url}/_proxy/violations (and the x-cpay-violations header)",
        f"  reports on exit: {report_dir / MARKDOWN_NAME}, {report_dir / JUNIT_NAME}",
    ]
    if app.webhook is not None:
        lines.append(f"  webhooks: POST {base_url}{app.webhook.path} -> {app.webhook.upstream} (checked and forwarded)")
    if config.record is not None:
        lines.append(
            f"  recording: {config.record} (rotated past {config.record_max_bytes} bytes, {config.record_keep} kept)"
        )
    print("\n".join(lines), flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        run_server(app, sock, server_headers=False)
    return 0


def run_replay(arguments: argparse.Namespace) -> int:
    """Replay the files; print each difference and a summary; 1 if any answer differs in shape."""
    secrets = dict(arguments.merchant)
    entries: list[dict[str, Any]] = []
    try:
        for path in arguments.files:
            entries.extend(read_recording(path))
    except (OSError, ValueError) as error:
        print(f"cpay-emulator replay: {error}", file=sys.stderr)
        return 2
    try:
        with httpx.Client(base_url=arguments.url.rstrip("/"), timeout=arguments.timeout, trust_env=False) as client:
            result = replay(entries, client, secrets)
    except httpx.HTTPError as error:
        print(
            f"cpay-emulator replay: {arguments.url} cannot be reached: {type(error).__name__}: {error}", file=sys.stderr
        )
        return 2
    for skipped in result.skipped:
        print(f"skipped {skipped}")
    for difference in result.differences:
        print(difference.describe())
    differing = len({difference.exchange for difference in result.differences})
    print(
        f"replayed {result.sent} exchange(s) to {arguments.url}: {differing} answer(s) differ in shape, "
        f"{len(result.skipped)} skipped"
    )
    return 1 if result.differences else 0


def run_command(arguments: argparse.Namespace) -> int:
    """Run ``proxy`` or ``replay``."""
    if arguments.command == "proxy":
        return serve_proxy(arguments)
    return run_replay(arguments)
