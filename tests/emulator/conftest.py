"""Fixtures for the emulator's tests: an in-memory app, a signed client, and a real server process."""

from __future__ import annotations

import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
import yaml

from cpay import CPayAuth, SecretKey

with warnings.catch_warnings():
    # Starlette 1.x prefers httpx2 for its test client; httpx (what the project pins) still works.
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from emulator_process import EmulatorProcess, free_port

from cpay_emulator import EmulatorConfig, Merchant, WebhookPolicy, WebhookSettings, create_app
from cpay_emulator.shared.refs import inline_refs

MERCHANT_ID = "20001234"
SECRET_KEY = "emulator-test-secret"
OTHER_MERCHANT_ID = "20005678"
OTHER_SECRET_KEY = "another-merchant-secret"
REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def merchants(callback_url: str = "") -> tuple[Merchant, ...]:
    return (
        Merchant(merchant_id=MERCHANT_ID, secret_key=SecretKey(SECRET_KEY), callback_url=callback_url),
        Merchant(merchant_id=OTHER_MERCHANT_ID, secret_key=SecretKey(OTHER_SECRET_KEY)),
    )


FAST_WEBHOOKS = WebhookPolicy(timeout=1.0, poll_interval=0.05)
FAST_RETRIES = WebhookSettings(schedule=(0, 0.05, 0.1))  # three attempts, tens of milliseconds apart


@pytest.fixture
def app() -> Iterator[Any]:
    application = create_app(
        EmulatorConfig(
            merchants=merchants(), webhook_policy=FAST_WEBHOOKS, webhook_settings=FAST_RETRIES, webhook_worker=False
        )
    )
    yield application
    application.state.store.close()


@pytest.fixture
def client(app: Any) -> Iterator[TestClient]:
    """Signs every request as MERCHANT_ID (no lifespan: no webhook worker)."""
    with TestClient(app, raise_server_exceptions=True) as test_client:
        test_client.auth = CPayAuth(MERCHANT_ID, SECRET_KEY)
        yield test_client


@pytest.fixture
def unsigned(app: Any) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def spec() -> dict[str, Any]:
    with open(REPO / "openapi.yaml", encoding="utf-8") as stream:
        document: dict[str, Any] = yaml.safe_load(stream)
    return document


@pytest.fixture(scope="session")
def response_validator(spec: dict[str, Any]) -> Any:
    """``check(operation_id, body)``: assert an envelope matches the operation's 200 response schema."""
    validators: dict[str, jsonschema_rs.Validator] = {}
    for item in spec["paths"].values():
        for method, operation in item.items():
            if method not in ("get", "post"):
                continue
            schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
            validators[operation["operationId"]] = jsonschema_rs.validator_for(
                inline_refs(spec, schema), validate_formats=True
            )

    def check(operation_id: str, body: Any) -> None:
        errors = [error.message for error in validators[operation_id].iter_errors(body)]
        assert not errors, f"{operation_id} response breaks the spec: {errors}"

    return check


__all__ = ["EmulatorProcess", "free_port"]
