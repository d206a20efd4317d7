"""Fixtures of the conformance tests: the suite's targets, the real emulator, a throwaway envelope app."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest
import yaml
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from cpay import verify_sign
from cpay_conformance import EMULATOR, SPEC_PATH, Target, emulator_codes
from cpay_conformance._checks import activate
from cpay_conformance._runner import seeded_app

CRYPTO_ORDER_PATH = "/openapi/v1/createCryptoOrder"
FAKE_MERCHANT_ID = "1001"
FAKE_SECRET = "fake-secret-for-tests"


@pytest.fixture(autouse=True)
def _checks_off_after_each_test() -> Any:
    """The envelope checks are global: leave them switched off for other tests."""
    yield
    activate(None)


@pytest.fixture
def emulator_target() -> Target:
    return Target.emulator()


@pytest.fixture
def emulator_app(emulator_target: Target) -> Any:
    """A fresh in-memory emulator with the demo merchant's balances seeded."""
    return seeded_app(emulator_target)


@pytest.fixture
def fake_target() -> Target:
    return Target(
        kind=EMULATOR, merchant_id=FAKE_MERCHANT_ID, secret_key=FAKE_SECRET, allow_writes=False, codes=emulator_codes()
    )


def write_changed_spec(destination: Path, *, add_operation: bool = False, add_balance_field: bool = False) -> Path:
    """``openapi.yaml`` as C-Pay might change it (issue 13): a copy of createOrder at a new path (operationId
    ``createCryptoOrder``) and/or an optional ``pendingBalance`` in ``MerchantBalance``, written to ``destination``."""
    spec = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    if add_operation:
        operation = copy.deepcopy(spec["paths"]["/openapi/v1/createOrder"])
        operation["post"]["operationId"] = "createCryptoOrder"
        spec["paths"][CRYPTO_ORDER_PATH] = operation
    if add_balance_field:
        balance = spec["components"]["schemas"]["MerchantBalance"]
        balance["properties"]["pendingBalance"] = {"$ref": "#/components/schemas/DecimalString"}
    destination.write_text(yaml.safe_dump(spec, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return destination


def envelope(code: int, msg: str = "", data: object = None) -> JSONResponse:
    return JSONResponse({"code": code, "msg": msg or ("success" if code == 0 else "error"), "data": data})


FakeBehaviour = Callable[[dict[str, str]], Response | None]


def make_fake_app(
    *,
    verify: Callable[[dict[str, str], str], bool] | None = None,
    check_sign: bool = True,
    wallet: FakeBehaviour | None = None,
) -> Starlette:
    """A tiny stand-in for C-Pay with two GET operations, correct unless told otherwise.

    ``verify(params, sign)`` replaces the signature check; ``check_sign=False`` skips it; ``wallet(params)``
    may answer getWalletAddress instead of the correct handler.
    """
    verify = verify or (lambda params, sign: verify_sign(params, FAKE_SECRET, sign))

    def authenticated(request: Request) -> tuple[dict[str, str], Response | None]:
        params = dict(parse_qsl(request.url.query, keep_blank_values=True))
        if not check_sign:
            return params, None
        if not params.get("merchantId") or not params.get("sign"):
            return params, envelope(10101, "missing merchantId or sign")
        if params["merchantId"] != FAKE_MERCHANT_ID:
            return params, envelope(10103, "unknown merchant")
        if not verify(params, params["sign"]):
            return params, envelope(10102, "invalid sign")
        return params, None

    async def get_wallet_address(request: Request) -> Response:
        params, refused = authenticated(request)
        if refused is not None:
            return refused
        if wallet is not None:
            answer = wallet(params)
            if answer is not None:
                return answer
        user_id = params.get("userId", "")
        unknown = set(params) - {"userId", "merchantId", "sign"}
        if not user_id or len(user_id) > 64 or unknown:
            return envelope(10001, "invalid parameter userId")
        return envelope(0, data=[{"currency": "USDT", "address": "T" + "1" * 33, "network": "TRON(TRC-20)"}])

    async def get_merchant_balance(request: Request) -> Response:
        params, refused = authenticated(request)
        if refused is not None:
            return refused
        if set(params) - {"merchantId", "sign"}:
            return envelope(10001, "unexpected parameter")
        return envelope(0, data=[{"availableBalance": "10.5", "freezeBalance": "0", "cryptoCurrency": "USDT"}])

    return Starlette(
        routes=[
            Route("/openapi/v1/getWalletAddress", get_wallet_address, methods=["GET"]),
            Route("/openapi/v1/getMerchantBalance", get_merchant_balance, methods=["GET"]),
        ]
    )


def json_body(response: Any) -> Any:
    return json.loads(response.content)
