"""``make conformance``: start the emulator (or point at a deployment), run ``st run``, stop the emulator.

Schemathesis runs as its own CLI process, so its progress display, summary, exit code and reports are its
own; the auth and checks reach it through ``schemathesis.toml``'s hooks file and the ``CPAY_*`` variables set
here. The emulator runs in this process, in a uvicorn thread on a free loopback port, with the demo
merchant's balances seeded so that payouts and exchanges can succeed.

With ``--proxy`` (``make conformance PROXY=1``) the same run goes through the emulator's validating proxy,
started here in front of the deployment (or the emulator) with the run's merchant and code book: it checks
every exchange on its own and writes its reports and recording to ``reports/proxy/``. Schemathesis sends
invalid requests on purpose, so request violations are expected there; a response violation fails the run.

Against an emulator, the runner also prints what of the spec it does not model (operations served statelessly
from the spec, response fields never filled: ``server.coverage``), read from its health after the run; ``--strict``
fails the run on them. ``--operations`` limits the run to some operationIds (without the stateful phase when
no link of the spec joins two of them).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import yaml

from cpay_conformance._auth import is_loopback_url
from cpay_conformance._coverage import EmulatorCoverage, fetch_coverage
from cpay_conformance._paths import REPO_ROOT, REPORTS_DIR, SPEC_PATH
from cpay_conformance._target import EMULATOR, REMOTE, Target
from cpay_emulator.shared.refs import References

__all__ = [
    "SEEDED_BALANCE",
    "RunOptions",
    "build_command",
    "links_within",
    "main",
    "run",
    "running_emulator",
    "running_proxy",
    "seeded_app",
    "spec_operation_ids",
]

SEEDED_BALANCE = Decimal("1000000000")
"""Available balance the demo merchant gets in every currency before a run against the emulator."""
_START_TIMEOUT = 10.0


def seeded_app(target: Target, spec_path: Path | None = None) -> Any:
    """A fresh in-memory emulator serving ``target``'s merchant, with ``SEEDED_BALANCE`` in every currency.

    Webhooks are queued but never sent: the callback URLs of generated orders are arbitrary hosts.
    ``spec_path``: the OpenAPI document it serves (default: the repository's ``openapi.yaml``).
    """
    from cpay_emulator import EmulatorConfig, Merchant, create_app

    # No webhook worker: generated callback URLs point at arbitrary hosts, which a test run must not call.
    config = EmulatorConfig(webhook_worker=False, spec_path=spec_path)
    app = create_app(config, merchants=[Merchant(merchant_id=target.merchant_id, secret_key=target.secret_key)])
    ledger = app.state.emulator.ledger
    for balance in ledger.balances(target.merchant_id):  # every currency the emulator supports
        ledger.set_balance(target.merchant_id, balance.currency, SEEDED_BALANCE)
    return app


@contextlib.contextmanager
def running_emulator(app: Any, *, server_headers: bool = True) -> Iterator[str]:
    """Serve ``app`` on a free port of 127.0.0.1 in a thread, as ``cpay-emulator serve`` and ``proxy`` serve it
    (``shared.http_server.server_config``: uvicorn on httptools, its request heads bounded); yield its base URL; stop
    it.

    ``server_headers=False``: no ``Date``/``Server`` of uvicorn's own (a proxy returns its upstream's).
    """
    import uvicorn

    from cpay_emulator.shared.http_server import bind, server_config

    sock = bind("127.0.0.1", 0)
    server = uvicorn.Server(server_config(app, server_headers=server_headers))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="cpay-emulator", daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + _START_TIMEOUT
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the emulator did not start")
            time.sleep(0.02)
        port = server.servers[0].sockets[0].getsockname()[1]
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=_START_TIMEOUT)


@dataclass(frozen=True, kw_only=True)
class RunOptions:
    """What ``make conformance`` was asked for."""

    base_url: str | None = None
    write: bool = False
    seed: int | None = None
    max_examples: int | None = None
    workers: str | None = None
    report_dir: Path = REPORTS_DIR / "conformance"
    strict: bool = False
    operations: tuple[str, ...] = ()
    extra: tuple[str, ...] = ()
    proxy: bool = False
    proxy_report_dir: Path = REPORTS_DIR / "proxy"


_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_NO_STATEFUL = "examples,coverage,fuzzing"


def _spec_operations(spec_path: Path = SPEC_PATH) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    with open(spec_path, encoding="utf-8") as stream:
        document: dict[str, Any] = yaml.safe_load(stream)
    operations = {
        operation["operationId"]: operation
        for item in document.get("paths", {}).values()
        for method, operation in item.items()
        if method in _METHODS and isinstance(operation, dict) and "operationId" in operation
    }
    return document, operations


def spec_operation_ids(spec_path: Path = SPEC_PATH) -> frozenset[str]:
    """Every ``operationId`` of the spec."""
    return frozenset(_spec_operations(spec_path)[1])


def links_within(operation_ids: Sequence[str], spec_path: Path = SPEC_PATH) -> bool:
    """Whether a response link of one of these operations leads to one of them (the stateful phase has a step)."""
    document, operations = _spec_operations(spec_path)
    chosen = set(operation_ids)
    references = References(document)
    for operation_id in chosen & set(operations):
        for response in operations[operation_id].get("responses", {}).values():
            for link in map(references.resolve, response.get("links", {}).values()):
                if link.get("operationId") in chosen:
                    return True
    return False


def build_command(options: RunOptions, base_url: str, target: Target) -> list[str]:
    """The ``st run`` command line (no secret on it: credentials travel in the environment)."""
    command = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "run",
        str(SPEC_PATH),
        "--url",
        base_url,
        "--report",
        "junit,html",
        "--report-dir",
        str(options.report_dir),
        "--report-junit-path",
        str(options.report_dir / "junit.xml"),
        "--report-html-path",
        str(options.report_dir / "html"),
    ]
    if options.seed is not None:
        command += ["--seed", str(options.seed)]
    if options.max_examples is not None:
        command += ["--max-examples", str(options.max_examples)]
    if options.workers is not None:
        command += ["--workers", options.workers]
    for operation_id in options.operations:
        command += ["--include-operation-id", operation_id]
    if target.kind == REMOTE and not target.allow_writes:
        # Read-only by default against a deployment: the GET operations create nothing and move no money.
        # Every link of the spec starts at a POST, so there is no stateful phase without them.
        command += ["--include-method", "GET", "--phases", _NO_STATEFUL]
    elif options.operations and not links_within(options.operations):
        command += ["--phases", _NO_STATEFUL]  # Schemathesis calls a stateful phase without links an error
    return [*command, *options.extra]


def _environment(target: Target) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        CPAY_TARGET=target.kind,
        CPAY_MERCHANT_ID=target.merchant_id,
        CPAY_SECRET_KEY=target.secret_key.reveal(),
        CPAY_WRITE="1" if target.allow_writes else "0",
    )
    if target.destination:
        env["CPAY_DESTINATION_URL"] = target.destination
    return env


@contextlib.contextmanager
def running_proxy(upstream: str, target: Target, report_dir: Path) -> Iterator[tuple[str, Any]]:
    """The validating proxy in front of ``upstream`` on a free loopback port; yield its URL and app.

    It checks ``target``'s merchant's signs against its code book, records every exchange to
    ``report_dir/exchanges.jsonl`` and writes its reports to ``report_dir`` when it stops.
    """
    from cpay_emulator import ProxyConfig, create_proxy_app

    app = create_proxy_app(
        ProxyConfig(
            upstream=upstream,
            secrets={target.merchant_id: target.secret_key},
            codes=target.codes,
            spec_path=SPEC_PATH,
            record=report_dir / "exchanges.jsonl",
            report_dir=report_dir,
        )
    )
    with running_emulator(app, server_headers=False) as proxy_url:
        yield proxy_url, app


def _proxied(options: RunOptions, upstream: str, target: Target) -> int:
    """``st run`` through the proxy in front of ``upstream``; st's verdict, or 1 on a response violation."""
    report_dir = options.proxy_report_dir
    report_dir.mkdir(parents=True, exist_ok=True)
    for old in report_dir.glob("exchanges.jsonl*"):  # this run's recording only
        old.unlink()
    with running_proxy(upstream, target, report_dir) as (proxy_url, app):
        print(f"conformance: through the validating proxy at {proxy_url}", flush=True)
        returncode = _run_st(options, proxy_url, attrs.evolve(target, destination=upstream))
    log = app.log
    counts = log.counts_by_direction()
    fields = sorted({field for (_, direction, field) in log.tally if direction == "response"})
    print(
        f"conformance: the proxy saw {log.exchanges} exchanges: {counts['request']} request violation(s) (expected: "
        f"the suite sends invalid requests on purpose), {counts['response']} response violation(s)"
        + (f" in {', '.join(fields)}" if fields else "")
        + f"; reports in {_shown(report_dir)}/",
        flush=True,
    )
    if counts["response"] and returncode == 0:
        print(f"conformance: failed: the proxy found response violations ({_shown(report_dir)}/proxy-report.md)")
        return 1
    return returncode


def _shown(path: Path) -> Path:
    return path.relative_to(REPO_ROOT) if path.is_relative_to(REPO_ROOT) else path


def run(options: RunOptions) -> int:
    """Run the suite; return Schemathesis's exit code (0 passed, 1 failures, 2 error)."""
    options.report_dir.mkdir(parents=True, exist_ok=True)
    unknown = sorted(set(options.operations) - spec_operation_ids())
    if unknown:
        raise ValueError(f"openapi.yaml has no operation {', '.join(unknown)} (see its operationIds)")
    if options.base_url:
        env = dict(os.environ)
        # A loopback URL is taken for an emulator started by hand (`make emulator`) unless CPAY_TARGET says not.
        env.setdefault("CPAY_TARGET", EMULATOR if is_loopback_url(options.base_url) else REMOTE)
        if options.write:
            env["CPAY_WRITE"] = "1"
        target = Target.from_env(env)
        mode = "read and write" if target.allow_writes else "read-only (WRITE=1 to include orders and payouts)"
        print(f"conformance: {options.base_url} as merchant {target.merchant_id}, {mode}", flush=True)
        emulator = options.base_url if target.kind == EMULATOR else None
        return _judged(options, _suite(options, options.base_url, target), emulator)
    target = Target.from_env({**os.environ, "CPAY_TARGET": EMULATOR})
    with running_emulator(seeded_app(target)) as base_url:
        print(f"conformance: emulator at {base_url}, merchant {target.merchant_id}", flush=True)
        return _judged(options, _suite(options, base_url, target), base_url)


def _suite(options: RunOptions, base_url: str, target: Target) -> int:
    """``st run`` against ``base_url``, through the validating proxy with ``--proxy``."""
    if options.proxy:
        return _proxied(options, base_url, target)
    return _run_st(options, base_url, target)


def _judged(options: RunOptions, code: int, emulator_url: str | None) -> int:
    """``code`` (Schemathesis's), after printing what the emulator does not model; non-zero if ``--strict`` fails."""
    if emulator_url is None:
        if options.strict:
            print("conformance: STRICT applies to the emulator; a deployment answers from its own state", flush=True)
        return code
    try:
        coverage: EmulatorCoverage = fetch_coverage(emulator_url)
    except ValueError as error:
        if options.strict:
            print(f"conformance: STRICT: cannot tell what the emulator models: {error}", file=sys.stderr, flush=True)
            return code or 2
        print(f"conformance: cannot tell what the emulator models: {error}", flush=True)
        return code
    print("\n".join(coverage.describe(counts=True)), flush=True)
    failure = coverage.strict_failure() if options.strict else None
    if failure is None:
        return code
    print(failure, file=sys.stderr, flush=True)
    return code or 1


def _run_st(options: RunOptions, base_url: str, target: Target) -> int:
    command = build_command(options, base_url, target)
    started = time.monotonic()
    completed = subprocess.run(command, cwd=REPO_ROOT, env=_environment(target), check=False)
    elapsed = time.monotonic() - started
    reports = _shown(options.report_dir)
    print(f"conformance: st exited {completed.returncode} after {elapsed:.1f} s; reports in {reports}/", flush=True)
    return completed.returncode


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m cpay_conformance",
        description=(
            "Property-test openapi.yaml with Schemathesis against the emulator (default) or a deployment. "
            "Credentials come from CPAY_MERCHANT_ID and CPAY_SECRET_KEY (never from the command line)."
        ),
    )
    parser.add_argument("--base-url", help="a deployment to test, e.g. https://sandbox-api.cpay.ltd")
    parser.add_argument("--write", action="store_true", help="against a deployment, also create orders and payouts")
    parser.add_argument("--seed", type=int, help="Schemathesis seed, to reproduce a run")
    parser.add_argument("--max-examples", type=int, help="test cases per operation and phase")
    parser.add_argument("--workers", help="concurrent Schemathesis workers (a number or 'auto')")
    parser.add_argument(
        "--operations",
        default="",
        metavar="ID,ID",
        help="only these operationIds (comma-separated); the stateful phase runs when a link joins two of them",
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="fail when the emulator serves an operation statelessly from the spec or never fills a response field",
    )
    parser.add_argument("--report-dir", type=Path, default=REPORTS_DIR / "conformance")
    parser.add_argument(
        "--proxy", action="store_true", help="run through the validating proxy (`cpay-emulator proxy`) in front"
    )
    parser.add_argument("--proxy-report-dir", type=Path, default=REPORTS_DIR / "proxy")
    parser.add_argument("extra", nargs="*", help="more `st run` options, after --")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m cpay_conformance`` and ``make conformance``."""
    arguments = _parser().parse_args(argv)
    options = RunOptions(
        base_url=arguments.base_url or None,
        write=arguments.write,
        seed=arguments.seed,
        max_examples=arguments.max_examples,
        workers=arguments.workers,
        report_dir=arguments.report_dir.resolve(),
        strict=arguments.strict,
        operations=tuple(name.strip() for name in arguments.operations.split(",") if name.strip()),
        extra=tuple(arguments.extra),
        proxy=arguments.proxy,
        proxy_report_dir=arguments.proxy_report_dir.resolve(),
    )
    try:
        return run(options)
    except ValueError as error:
        print(f"conformance: {error}", file=sys.stderr)
        return 2
