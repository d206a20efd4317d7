"""The pytest plugin: the fixture is a fresh in-process emulator, opens no socket, and takes its options from a
marker or an overridden fixture; a project that only installs the package gets it through the entry point."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import textwrap
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest

from cpay import OrderStatus, parse_webhook, unwrap
from cpay_client.api.balances import get_merchant_balance
from cpay_emulator.backends.views import webhook_body
from cpay_emulator.testing import CPayEmulator, EmulatorOptions

from .conftest import new_order

REPO = Path(__file__).resolve().parents[3]


class SocketOpenedError(AssertionError):
    pass


def test_the_in_process_fixture_opens_no_socket(cpay_emulator: CPayEmulator, monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[Any] = []

    def forbidden(*args: Any, **kwargs: Any) -> socket.socket:
        opened.append(args)
        raise SocketOpenedError("the in-process emulator opened a socket")

    monkeypatch.setattr(socket, "socket", forbidden)
    with pytest.raises(SocketOpenedError):  # the trap works: anything that connects goes through socket.socket
        httpx.get("http://127.0.0.1:9/", timeout=1)
    opened.clear()
    order_id = new_order(cpay_emulator, "no-socket")
    cpay_emulator.pay(order_id)
    assert cpay_emulator.webhooks[-1].event.order_status is OrderStatus.COMPLETED
    assert opened == []


def test_each_test_gets_a_fresh_emulator(cpay_emulator: CPayEmulator) -> None:
    assert cpay_emulator.orders() == []  # the other tests of this file created orders in their own
    new_order(cpay_emulator, "fresh")
    assert len(cpay_emulator.orders()) == 1


@pytest.mark.cpay_emulator(merchant_id="20009999", secret_key="marker-secret", webhook_format="form", order_ttl=None)
def test_the_marker_sets_the_merchant_ttl_and_webhook_format(cpay_emulator: CPayEmulator) -> None:
    assert (cpay_emulator.merchant_id, cpay_emulator.secret_key) == ("20009999", "marker-secret")
    order_id = new_order(cpay_emulator, "marked")
    assert cpay_emulator.advance(86400 * 365) == []  # no TTL: never expires
    cpay_emulator.pay(order_id)
    raw = cpay_emulator.control.webhooks()[0]
    assert raw["contentType"] == "application/x-www-form-urlencoded"
    assert cpay_emulator.webhooks[0].event.merchant_id == "20009999"  # verified with the marker's secret


@pytest.mark.parametrize("webhook_format", ["json", "form", "param"])
def test_the_harness_verifies_the_bytes_the_merchant_received(webhook_format: str) -> None:
    posted: list[tuple[str, bytes]] = []

    async def merchant(scope: dict, receive: Any, send: Any) -> None:  # type: ignore[type-arg]
        body, more = b"", True
        while more:
            message = await receive()
            body, more = body + message.get("body", b""), message.get("more_body", False)
        posted.append((dict(scope["headers"])[b"content-type"].decode(), body))
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"OK"})

    with CPayEmulator(EmulatorOptions(webhook_format=webhook_format)) as emulator:  # type: ignore[arg-type]
        emulator.deliver_to(merchant)
        emulator.fail(new_order(emulator, "bytes-1"), reason="café ☕ & a=b+c")  # non-ASCII and form syntax
        deliveries = emulator.webhooks
        (recorded,) = emulator.control.webhooks()
    assert len(posted) == len(deliveries) == 1
    content_type, body = posted[0]
    assert webhook_body(recorded["payload"], recorded["shape"]) == body == deliveries[0].body  # what it parses
    assert deliveries[0].event == parse_webhook(body, content_type, emulator.secret_key)
    assert json.loads(deliveries[0].event.ext_info or "{}")["reason"] == "café ☕ & a=b+c"


def test_sync_calls_from_another_thread_and_async_calls_from_another_loop_both_work(
    cpay_emulator: CPayEmulator,
) -> None:
    results: list[Any] = []
    thread = threading.Thread(target=lambda: results.append(get_merchant_balance.sync(client=cpay_emulator.client)))
    thread.start()
    thread.join(timeout=30)
    results.append(asyncio.run(get_merchant_balance.asyncio(client=cpay_emulator.client)))
    assert [len(unwrap(result)) for result in results] == [8, 8]


def test_the_socket_fixture_serves_on_loopback(cpay_emulator_server: CPayEmulator) -> None:
    assert cpay_emulator_server.base_url.startswith("http://127.0.0.1:")
    response = httpx.get(f"{cpay_emulator_server.base_url}/_emulator/health", timeout=5)
    assert response.json()["data"]["status"] == "ok"
    assert len(unwrap(get_merchant_balance.sync(client=cpay_emulator_server.client))) == 8


def test_amounts_are_never_floats(cpay_emulator: CPayEmulator) -> None:
    with pytest.raises(TypeError, match="never float"):
        cpay_emulator.set_balance("USDT", 1.5)  # type: ignore[arg-type]


OUTSIDE_TEST = '''
"""A merchant's own test: only the installed package provides the fixture (no conftest, no repo on the path)."""

from cpay_client.api.crypto_pay_in import create_order
from cpay_client.models import CreateOrderRequest
from cpay import OrderStatus, unwrap


def test_create_pay_and_see_the_completed_webhook(cpay_emulator):
    body = CreateOrderRequest.from_dict(
        {"merchantTradeNo": "shop-1", "createTime": cpay_emulator.now_ms(), "userId": "u1", "amount": "25",
         "cryptoCurrency": "USDT"}
    )
    order = unwrap(create_order.sync(client=cpay_emulator.client, body=body))
    cpay_emulator.pay(order.order_id)
    completed = cpay_emulator.webhooks[-1]
    assert completed.event.order_status is OrderStatus.COMPLETED
    assert completed.event.merchant_trade_no == "shop-1"
'''


def test_a_project_that_only_installs_the_package_gets_the_fixture(tmp_path: Path) -> None:
    """A test file in a temporary directory outside the repo, run by this environment's Python.

    Nothing of the repository is on its path and no conftest is near it: the fixture can only come from the
    ``pytest11`` entry point of the installed distribution. The environment has it installed in development
    mode (``pip install -e .``), so this does not prove the wheel's contents: building the wheel needs hatchling
    (the build backend, fetched by pip into an isolated environment) and installing it into a fresh virtual
    environment needs its dependencies from PyPI, which ``make test`` must not depend on (nor spend the half
    minute on). The wheel's contents were checked by hand when the plugin was added (README, "Test your
    integration").
    """
    (tmp_path / "test_shop.py").write_text(textwrap.dedent(OUTSIDE_TEST))
    assert run_pytest(tmp_path, "test_shop.py") == "1 passed"


def run_pytest(project: Path, test_file: str) -> str:
    """Run pytest in ``project`` with this environment's Python; returns the summary's counts."""
    assert not project.resolve().is_relative_to(REPO)
    environment = {name: value for name, value in os.environ.items() if not name.startswith(("PYTEST", "PYTHON"))}
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", test_file],
        cwd=project,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return completed.stdout.strip().splitlines()[-1].split(" in ")[0]


def test_the_options_fixture_can_be_overridden_by_a_project_s_conftest(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text(
        "import pytest\nfrom cpay_emulator.testing import EmulatorOptions\n\n\n@pytest.fixture\n"
        "def cpay_emulator_options():\n    return EmulatorOptions(merchant_id='20001111', order_ttl=120)\n"
    )
    (tmp_path / "test_options.py").write_text(
        "def test_options(cpay_emulator):\n"
        "    assert cpay_emulator.merchant_id == '20001111'\n"
        "    assert cpay_emulator.control.clock()['orderTtlSeconds'] == 120\n"
    )
    assert run_pytest(tmp_path, "test_options.py") == "1 passed"


def test_default_options_are_documented_values() -> None:
    options = EmulatorOptions()
    assert (options.clock, options.order_ttl, options.webhook_format) == ("frozen", 3600.0, "json")


@pytest.mark.cpay_emulator(webhook_types="strings")
def test_the_fixture_sends_section_15_s_strings_when_asked(cpay_emulator: CPayEmulator) -> None:
    cpay_emulator.pay(new_order(cpay_emulator, "strings-1"))
    (delivery,) = cpay_emulator.webhooks
    assert (json.loads(delivery.body)["orderStatus"], json.loads(delivery.body)["merchantId"]) == ("14", "20000000")


def test_set_webhook_settings_changes_what_follows(cpay_emulator: CPayEmulator) -> None:
    cpay_emulator.pay(new_order(cpay_emulator, "before"))
    settings = cpay_emulator.set_webhook_settings(statuses="all", accept=["OK"])
    assert (settings["statuses"], settings["accept"], settings["types"]) == ("all", ["OK"], "numbers")
    cpay_emulator.pay(new_order(cpay_emulator, "after"))
    assert [delivery.order_status.value for delivery in cpay_emulator.webhooks] == ["14", "11", "14"]
