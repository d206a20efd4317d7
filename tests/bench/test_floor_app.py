"""The bench's floor server checks the signature it is meant to cost (a floor that skipped it would flatter it)."""

from __future__ import annotations

import sqlite3
import warnings
from pathlib import Path

from cpay import CPayAuth, SecretKey

from .scripts import load_bench_script

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # Starlette 1.x prefers httpx2 for its test client; httpx still works
    from starlette.testclient import TestClient

MERCHANT_ID = "20009999"
SECRET = SecretKey("floor-secret")


def test_the_floor_answers_code_0_only_to_a_correctly_signed_request() -> None:
    app = load_bench_script("floor_app").floor_app(MERCHANT_ID, SECRET)
    with TestClient(app) as client:
        signed = client.get("/openapi/v1/getMerchantBalance", auth=CPayAuth(MERCHANT_ID, SECRET))
        assert (signed.status_code, signed.json()["code"]) == (200, 0)
        form = {"merchantTradeNo": "t1", "amount": "12.5"}
        posted = client.post("/openapi/v1/createOrder", data=form, auth=CPayAuth(MERCHANT_ID, SECRET))
        assert posted.json()["code"] == 0
        wrong_key = client.post("/openapi/v1/createOrder", data=form, auth=CPayAuth(MERCHANT_ID, "other-secret"))
        assert wrong_key.json()["code"] == 10102
        other_merchant = client.get("/openapi/v1/getMerchantBalance", auth=CPayAuth("1", SECRET))
        assert other_merchant.json()["code"] == 10103


def test_the_write_floor_commits_each_signed_order_and_nothing_else(tmp_path: Path) -> None:
    floor = load_bench_script("floor_app")
    store = floor.order_store(tmp_path / "orders.db")
    with TestClient(floor.floor_app(MERCHANT_ID, SECRET, store)) as client:
        form = {"merchantTradeNo": "t1", "amount": "12.5"}
        assert client.post("/openapi/v1/createOrder", data=form, auth=CPayAuth(MERCHANT_ID, SECRET)).json()["code"] == 0
        refused = client.post("/openapi/v1/createOrder", data=form, auth=CPayAuth(MERCHANT_ID, "other-secret"))
        assert refused.json()["code"] == 10102
        client.get("/openapi/v1/getMerchantBalance", auth=CPayAuth(MERCHANT_ID, SECRET))
    rows = sqlite3.connect(tmp_path / "orders.db").execute("SELECT merchant_id, parameters FROM orders").fetchall()
    assert rows == [(MERCHANT_ID, "merchantTradeNo=t1&amount=12.5")]
