"""The floor of bench_emulator.py: a bare Starlette app that only checks the signature of the same requests.

It is served exactly as ``cpay-emulator serve`` is (``cpay_emulator._server``: uvicorn with uvloop and
httptools, one process, the same socket options and write-combining protocol) and answers the benchmark's two
operations: it checks ``merchantId`` and the HMAC ``sign`` of the query string (and a POST's form body) with
the emulator's own verifier, ``cpay_signing.verify_request_parameters``, and answers a JSON envelope with code
0. No validation against the spec, no state, no order. The emulator's throughput divided by this one shows
what the emulator's own work costs (validation, SQLite, the answer's fields).

Run on its own: ``.venv/bin/python bench/floor_app.py --port 0 --merchant ID:SECRET`` (prints its URL).
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Sequence

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from cpay_emulator._server import bind, run_server
from cpay_signing import (
    MalformedParametersError,
    SecretKey,
    SignatureError,
    SignatureProblem,
    verify_request_parameters,
)

PATHS = ("/openapi/v1/getMerchantBalance", "/openapi/v1/createOrder")
TRACEID = "000000000000X0000000"


def floor_app(merchant_id: str, secret: SecretKey) -> Starlette:
    """The app: GET getMerchantBalance and POST createOrder, each answered ``code`` 0 when the sign is right."""

    def answer(code: int, msg: str) -> JSONResponse:
        return JSONResponse({"code": code, "msg": msg, "data": None, "traceid": TRACEID})

    def secret_of(candidate: str) -> SecretKey | None:
        return secret if candidate == merchant_id else None

    async def signed(request: Request) -> JSONResponse:
        body = await request.body() if request.method == "POST" else None
        try:
            verify_request_parameters(request.scope["query_string"], body, secret_key=secret_of)
        except MalformedParametersError:
            return answer(10002, "malformed request")
        except SignatureError as error:
            return answer(10103 if error.problem is SignatureProblem.UNKNOWN_MERCHANT else 10102, "refused sign")
        return answer(0, "success")

    return Starlette(
        routes=[Route(PATHS[0], signed, methods=["GET"]), Route(PATHS[1], signed, methods=["POST"])],
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--merchant", required=True, metavar="ID:SECRET")
    args = parser.parse_args(argv)
    merchant_id, _, secret = args.merchant.partition(":")
    if not merchant_id or not secret:
        parser.error("--merchant needs ID:SECRET")
    sock = bind(args.host, args.port)
    host, port = sock.getsockname()[:2]
    print(f"floor listening on http://{host}:{port}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        run_server(floor_app(merchant_id, SecretKey(secret)), sock)
    return 0


if __name__ == "__main__":
    sys.exit(main())
