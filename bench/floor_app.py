"""The floors of bench_emulator.py: a bare Starlette app that checks the signature of the same requests, and, with
``--database``, also writes each createOrder to SQLite (the write floor).

It is served exactly as ``cpay-emulator serve`` is (``cpay_emulator.shared.http_server``: uvicorn with uvloop and
httptools, one process, the same socket options and write-combining protocol) and answers the benchmark's two
operations: it checks ``merchantId`` and the HMAC ``sign`` of the query string (and a POST's form body) with
the emulator's own verifier, ``cpay.verify_request_parameters``, and answers a JSON envelope with code
0. No validation against the spec, no state, no order. The emulator's throughput divided by this one shows
what the emulator's own work costs (validation, SQLite, the answer's fields).

The write floor (``--database FILE``) adds to a POST the least an emulator that keeps its orders must do: one
``INSERT`` of the order's parameters into a SQLite file in WAL mode and its ``COMMIT`` before the answer, with
the stdlib's ``sqlite3`` (``synchronous=NORMAL``, the emulator's setting). The emulator's POST divided by it
shows what validation, the order's rules and its answer cost beyond keeping the order.

Run on its own: ``.venv/bin/python bench/floor_app.py --port 0 --merchant ID:SECRET [--database FILE]`` (prints
its URL).
"""

from __future__ import annotations

import argparse
import contextlib
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from cpay import (
    MalformedParametersError,
    SecretKey,
    SignatureError,
    SignatureProblem,
    verify_request_parameters,
)
from cpay_emulator.shared.http_server import bind, run_server

PATHS = ("/openapi/v1/getMerchantBalance", "/openapi/v1/createOrder")
TRACEID = "000000000000X0000000"


def order_store(path: Path) -> sqlite3.Connection:
    """The write floor's SQLite file: WAL, ``synchronous=NORMAL`` (as the emulator's store), one table of orders."""
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute("CREATE TABLE IF NOT EXISTS orders (merchant_id TEXT, parameters TEXT)")
    return connection


def floor_app(merchant_id: str, secret: SecretKey, store: sqlite3.Connection | None = None) -> Starlette:
    """The app: GET getMerchantBalance and POST createOrder, each answered ``code`` 0 when the sign is right.

    With ``store``, each signed createOrder is inserted and committed before it is answered.
    """

    def answer(code: int, msg: str) -> JSONResponse:
        return JSONResponse({"code": code, "msg": msg, "data": None, "traceid": TRACEID})

    def secret_of(candidate: str) -> SecretKey | None:
        return secret if candidate == merchant_id else None

    async def signed(request: Request) -> JSONResponse:
        body = await request.body() if request.method == "POST" else None
        try:
            verified = verify_request_parameters(request.scope["query_string"], body, secret_key=secret_of)
        except MalformedParametersError:
            return answer(10002, "malformed request")
        except SignatureError as error:
            return answer(10103 if error.problem is SignatureProblem.UNKNOWN_MERCHANT else 10102, "refused sign")
        if store is not None and body is not None:
            store.execute("BEGIN")
            store.execute("INSERT INTO orders VALUES (?, ?)", (verified.merchant_id, body.decode()))
            store.execute("COMMIT")
        return answer(0, "success")

    return Starlette(
        routes=[Route(PATHS[0], signed, methods=["GET"]), Route(PATHS[1], signed, methods=["POST"])],
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--merchant", required=True, metavar="ID:SECRET")
    parser.add_argument("--database", type=Path, default=None, help="the write floor: insert each createOrder here")
    args = parser.parse_args(argv)
    merchant_id, _, secret = args.merchant.partition(":")
    if not merchant_id or not secret:
        parser.error("--merchant needs ID:SECRET")
    sock = bind(args.host, args.port)
    host, port = sock.getsockname()[:2]
    print(f"floor listening on http://{host}:{port}", flush=True)
    store = order_store(args.database) if args.database is not None else None
    with contextlib.suppress(KeyboardInterrupt):
        run_server(floor_app(merchant_id, SecretKey(secret), store), sock)
    return 0


if __name__ == "__main__":
    sys.exit(main())
