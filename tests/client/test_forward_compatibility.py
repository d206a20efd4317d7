"""What the real API may add later (a status value, a field) parses; what breaks the contract raises.

Upstream openapi-python-client raises ``ValueError`` on an unknown enum value and then silently returns the
raw ``dict`` as ``data``; ``generator/templates/`` changes both (see generator/README.md).
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from cpay import unwrap
from cpay_client.api.payouts import withdraw
from cpay_client.models import OrderStatus, PurchaseType, WithdrawRequest, WithdrawResponse

from .conftest import OPERATIONS, ClientFactory, FakeCPay


def withdraw_answer(**data_changes: Any) -> dict[str, Any]:
    answer = copy.deepcopy(OPERATIONS["withdraw"].response_example())
    answer["data"].update(data_changes)
    return answer


def test_an_unknown_status_becomes_a_pseudo_member_equal_to_its_value() -> None:
    status = OrderStatus("99")
    assert isinstance(status, OrderStatus)
    assert status == "99"
    assert str(status) == "99"
    assert status.name == "UNKNOWN"
    assert not status.is_known
    assert status not in list(OrderStatus)
    assert len(OrderStatus) == 4


def test_known_statuses_are_still_the_members_themselves() -> None:
    assert OrderStatus("14") is OrderStatus.COMPLETED
    assert OrderStatus("0") is OrderStatus.PENDING
    assert all(status.is_known for status in OrderStatus)


@pytest.mark.parametrize("value", [14, None, b"14"])
def test_a_status_of_the_wrong_type_is_still_refused(value: object) -> None:
    with pytest.raises(ValueError, match="is not a valid OrderStatus"):
        OrderStatus(value)  # type: ignore[arg-type]  # the wrong type on purpose


def test_integer_enums_accept_unknown_integers_only() -> None:
    assert PurchaseType(7) == 7
    assert PurchaseType(7).name == "UNKNOWN"
    assert not PurchaseType(7).is_known
    assert PurchaseType(1).is_known
    assert PurchaseType(1) is PurchaseType.BY_TARGET_AMOUNT
    with pytest.raises(ValueError, match="is not a valid PurchaseType"):
        PurchaseType("1")  # type: ignore[arg-type]  # the wrong type on purpose


def test_a_new_status_and_new_fields_from_the_api_parse_and_round_trip(fake_cpay_client: ClientFactory) -> None:
    answer = withdraw_answer(status="16", riskLevel="low")
    answer["requestCost"] = 3
    client = fake_cpay_client(FakeCPay(OPERATIONS["withdraw"], answer))
    request = WithdrawRequest.from_dict(OPERATIONS["withdraw"].request_example())
    envelope = withdraw.sync(client=client, body=request)
    assert envelope is not None
    order = unwrap(envelope)
    assert order.status == "16"
    assert isinstance(order.status, OrderStatus)
    assert order.status.name == "UNKNOWN"
    assert order.additional_properties == {"riskLevel": "low"}
    assert envelope.additional_properties == {"requestCost": 3}
    assert order.fee == "0.0123"
    assert envelope.to_dict() == answer


def test_data_missing_a_required_field_raises_instead_of_returning_a_dict() -> None:
    answer = withdraw_answer()
    del answer["data"]["orderId"]
    with pytest.raises(KeyError, match="orderId"):
        WithdrawResponse.from_dict(answer)


@pytest.mark.parametrize("data", ["", [], 0])
def test_data_of_the_wrong_json_type_raises_a_clear_type_error(data: object) -> None:
    answer = withdraw_answer()
    answer["data"] = data
    with pytest.raises(TypeError, match=f"data: expected WithdrawOrder or null, got {type(data).__name__}"):
        WithdrawResponse.from_dict(answer)


def test_null_data_of_a_business_error_still_parses() -> None:
    envelope = WithdrawResponse.from_dict({"code": 1, "msg": "fail", "data": None, "traceid": "T"})
    assert envelope.data is None
