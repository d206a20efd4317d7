"""The shop under test, wired to the emulator of the ``cpay_emulator`` fixture (from the installed pytest plugin).

The shop gets the emulator's client, built with ``recover_lost_writes=True`` as in production, and the
emulator posts its webhooks to the shop in-process (``deliver_to``).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import pytest

from cpay import SecretKey
from cpay_emulator.testing import CPayEmulator
from merchant_app.shop import create_shop

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # Starlette 1.x would rather have httpx2 under its test client
    from starlette.testclient import TestClient

WEBHOOK_URL = "https://shop.example/cpay/webhook"


@pytest.fixture
def shop(cpay_emulator: CPayEmulator) -> Iterator[TestClient]:
    """The shop's HTTP API, as its customers' browsers would call it."""
    client = cpay_emulator.new_client(recover_lost_writes=True)
    app = create_shop(client, SecretKey(cpay_emulator.secret_key), webhook_url=WEBHOOK_URL)
    cpay_emulator.deliver_to(app)
    with TestClient(app) as browser:
        yield browser
