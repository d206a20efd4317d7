from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.order_status import OrderStatus
from ..types import UNSET, Unset

T = TypeVar("T", bound="FiatPayoutOrder")


@_attrs_define(kw_only=True)
class FiatPayoutOrder:
    """A fiat payout order.

    Attributes:
        merchant_trade_no (str):
        currency (str):
        order_amount (str): A decimal number as a string, exact (e.g. `0.03334064604`); may be empty when not
            applicable.
        received_amount (str): A decimal number as a string, exact (e.g. `0.03334064604`); may be empty when not
            applicable.
        status (OrderStatus): The order's state: `0` pending, `11` processing, `14` completed (success), `15` closed
            (rejected
            or failed). An order moves 0 -> 11 -> 14 or 15; 14 and 15 are final.
        order_id (str):
        fee (str): A decimal number as a string, exact (e.g. `0.03334064604`); may be empty when not applicable.
        merchant_id (int | str | Unset): A numeric id the document types as a string but shows as a JSON number in some
            responses
            (`merchantId` in sections 9 and 14); both forms are accepted.
        merchant_user_id (str | Unset):
        remark (str | Unset):
        create_time (int | str | Unset): Milliseconds since the Unix epoch, typed String by the document but shown as a
            JSON number in
            section 9; both forms are accepted.
    """

    merchant_trade_no: str
    currency: str
    order_amount: str
    received_amount: str
    status: OrderStatus
    order_id: str
    fee: str
    merchant_id: int | str | Unset = UNSET
    merchant_user_id: str | Unset = UNSET
    remark: str | Unset = UNSET
    create_time: int | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        merchant_trade_no = self.merchant_trade_no

        currency = self.currency

        order_amount = self.order_amount

        received_amount = self.received_amount

        status = self.status.value

        order_id = self.order_id

        fee = self.fee

        merchant_id: int | str | Unset
        if isinstance(self.merchant_id, Unset):
            merchant_id = UNSET
        else:
            merchant_id = self.merchant_id

        merchant_user_id = self.merchant_user_id

        remark = self.remark

        create_time: int | str | Unset
        if isinstance(self.create_time, Unset):
            create_time = UNSET
        else:
            create_time = self.create_time

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "merchantTradeNo": merchant_trade_no,
                "currency": currency,
                "orderAmount": order_amount,
                "receivedAmount": received_amount,
                "status": status,
                "orderId": order_id,
                "fee": fee,
            }
        )
        if merchant_id is not UNSET:
            field_dict["merchantId"] = merchant_id
        if merchant_user_id is not UNSET:
            field_dict["merchantUserId"] = merchant_user_id
        if remark is not UNSET:
            field_dict["remark"] = remark
        if create_time is not UNSET:
            field_dict["createTime"] = create_time

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        merchant_trade_no = d.pop("merchantTradeNo")

        currency = d.pop("currency")

        order_amount = d.pop("orderAmount")

        received_amount = d.pop("receivedAmount")

        status = OrderStatus(d.pop("status"))

        order_id = d.pop("orderId")

        fee = d.pop("fee")

        def _parse_merchant_id(data: object) -> int | str | Unset:
            if isinstance(data, Unset):
                return data
            return cast(int | str | Unset, data)

        merchant_id = _parse_merchant_id(d.pop("merchantId", UNSET))

        merchant_user_id = d.pop("merchantUserId", UNSET)

        remark = d.pop("remark", UNSET)

        def _parse_create_time(data: object) -> int | str | Unset:
            if isinstance(data, Unset):
                return data
            return cast(int | str | Unset, data)

        create_time = _parse_create_time(d.pop("createTime", UNSET))

        fiat_payout_order = cls(
            merchant_trade_no=merchant_trade_no,
            currency=currency,
            order_amount=order_amount,
            received_amount=received_amount,
            status=status,
            order_id=order_id,
            fee=fee,
            merchant_id=merchant_id,
            merchant_user_id=merchant_user_id,
            remark=remark,
            create_time=create_time,
        )

        fiat_payout_order.additional_properties = d
        return fiat_payout_order

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
