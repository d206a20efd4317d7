"""``ControlClient.health()``: the control API's health read back into the emulator's own records."""

from __future__ import annotations

import httpx
import pytest

from cpay_emulator.backends import control_views
from cpay_emulator.backends.model import NotModeledOperation, UnfilledField
from cpay_emulator.testing import CPayEmulator, EmulatorUnreachableError
from cpay_emulator.testing.control_client import ControlClient, EmulatorHealth

from .conftest import new_order

NOT_MODELED = (
    NotModeledOperation("createCryptoOrder", "POST", "/openapi/v1/createCryptoOrder", "example"),
    NotModeledOperation("refund", "POST", "/openapi/v1/refund", "none", problem="no example fits the schema"),
)
UNFILLED = (UnfilledField("getMerchantBalance", "data[].pendingBalance"),)


def test_the_health_the_emulator_writes_reads_back_as_its_own_records() -> None:
    data = control_views.health(3, NOT_MODELED, UNFILLED, {"createCryptoOrder": 2})
    health = EmulatorHealth.from_data(data)
    assert (health.status, health.pending_webhooks) == ("ok", 3)
    assert health.not_modeled == NOT_MODELED
    assert health.answered == {"createCryptoOrder": 2, "refund": 0}
    assert health.unfilled == UNFILLED


@pytest.mark.parametrize(
    "data",
    [
        {"status": "ok", "pendingWebhooks": 0},  # an emulator older than the coverage lists
        {"status": "ok", "pendingWebhooks": "0", "notModeled": [], "unfilledFields": []},
        {"status": "ok", "pendingWebhooks": 0, "notModeled": ["createOrder"], "unfilledFields": []},
        {"status": "ok", "pendingWebhooks": 0, "notModeled": [], "unfilledFields": [{"field": "data.x"}]},
        None,
    ],
    ids=["no-coverage", "count-as-text", "entry-not-an-object", "entry-without-operation", "no-data"],
)
def test_a_health_of_another_shape_is_refused(data: object) -> None:
    with pytest.raises(ValueError, match="not the emulator's health"):
        EmulatorHealth.from_data(data)


def test_health_counts_the_pending_webhooks_of_a_running_emulator(cpay_emulator: CPayEmulator) -> None:
    assert cpay_emulator.control.health() == EmulatorHealth(
        status="ok", pending_webhooks=0, not_modeled=(), answered={}, unfilled=()
    )
    cpay_emulator.hold_webhooks()
    cpay_emulator.pay(new_order(cpay_emulator, "health-1"))
    cpay_emulator.pay(new_order(cpay_emulator, "health-2"))
    assert cpay_emulator.control.health().pending_webhooks == 2  # each COMPLETED, held back


def test_a_server_that_is_not_the_emulator_is_unreachable_as_an_emulator() -> None:
    def other(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"code": 0, "msg": "success", "data": {"status": "up"}})

    control = ControlClient(httpx.Client(base_url="http://other.test", transport=httpx.MockTransport(other)))
    with pytest.raises(EmulatorUnreachableError, match="answered /_emulator/health: not the emulator's health"):
        control.health()
