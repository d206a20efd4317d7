from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.order_status import OrderStatus
from ..types import UNSET, Unset

T = TypeVar("T", bound="CardOrder")


@_attrs_define(kw_only=True)
class CardOrder:
    """A card payment order.

    Attributes:
        merchant_trade_no (str):
        order_id (str):
        order_status (OrderStatus): The order's state: `0` pending, `11` processing, `14` completed (success), `15`
            closed (rejected
            or failed). An order moves 0 -> 11 -> 14 or 15; 14 and 15 are final.
        cashier_url (str): The acquirer's payment page to send the user to.
        merchant_id (int | str | Unset): A numeric id the document types as a string but shows as a JSON number in some
            responses
            (`merchantId` in sections 9 and 14); both forms are accepted.
        order_currency (str | Unset):
        order_amount (str | Unset): A decimal number as a string, exact (e.g. `0.03334064604`); may be empty when not
            applicable.
        received_amount (str | Unset): A decimal number as a string, exact (e.g. `0.03334064604`); may be empty when not
            applicable.
        pledge_amount (str | Unset): A decimal number as a string, exact (e.g. `0.03334064604`); may be empty when not
            applicable.
        fee (str | Unset): A decimal number as a string, exact (e.g. `0.03334064604`); may be empty when not applicable.
        success_url (str | Unset):
        fail_url (str | Unset):
        sign (str | Unset): Signature of the data fields by the algorithm of the `sign` scheme.
    """

    merchant_trade_no: str
    order_id: str
    order_status: OrderStatus
    cashier_url: str
    merchant_id: int | str | Unset = UNSET
    order_currency: str | Unset = UNSET
    order_amount: str | Unset = UNSET
    received_amount: str | Unset = UNSET
    pledge_amount: str | Unset = UNSET
    fee: str | Unset = UNSET
    success_url: str | Unset = UNSET
    fail_url: str | Unset = UNSET
    sign: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        merchant_trade_no = self.merchant_trade_no

        order_id = self.order_id

        order_status = self.order_status.value

        cashier_url = self.cashier_url

        merchant_id: int | str | Unset
        if isinstance(self.merchant_id, Unset):
            merchant_id = UNSET
        else:
            merchant_id = self.merchant_id

        order_currency = self.order_currency

        order_amount = self.order_amount

        received_amount = self.received_amount

        pledge_amount = self.pledge_amount

        fee = self.fee

        success_url = self.success_url

        fail_url = self.fail_url

        sign = self.sign

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "merchantTradeNo": merchant_trade_no,
                "orderId": order_id,
                "orderStatus": order_status,
                "cashierURL": cashier_url,
            }
        )
        if merchant_id is not UNSET:
            field_dict["merchantId"] = merchant_id
        if order_currency is not UNSET:
            field_dict["orderCurrency"] = order_currency
        if order_amount is not UNSET:
            field_dict["orderAmount"] = order_amount
        if received_amount is not UNSET:
            field_dict["receivedAmount"] = received_amount
        if pledge_amount is not UNSET:
            field_dict["pledgeAmount"] = pledge_amount
        if fee is not UNSET:
            field_dict["fee"] = fee
        if success_url is not UNSET:
            field_dict["successURL"] = success_url
        if fail_url is not UNSET:
            field_dict["failURL"] = fail_url
        if sign is not UNSET:
            field_dict["sign"] = sign

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        merchant_trade_no = d.pop("merchantTradeNo")

        order_id = d.pop("orderId")

        order_status = OrderStatus(d.pop("orderStatus"))

        cashier_url = d.pop("cashierURL")

        def _parse_merchant_id(data: object) -> int | str | Unset:
            if isinstance(data, Unset):
                return data
            return cast(int | str | Unset, data)

        merchant_id = _parse_merchant_id(d.pop("merchantId", UNSET))

        order_currency = d.pop("orderCurrency", UNSET)

        order_amount = d.pop("orderAmount", UNSET)

        received_amount = d.pop("receivedAmount", UNSET)

        pledge_amount = d.pop("pledgeAmount", UNSET)

        fee = d.pop("fee", UNSET)

        success_url = d.pop("successURL", UNSET)

        fail_url = d.pop("failURL", UNSET)

        sign = d.pop("sign", UNSET)

        card_order = cls(
            merchant_trade_no=merchant_trade_no,
            order_id=order_id,
            order_status=order_status,
            cashier_url=cashier_url,
            merchant_id=merchant_id,
            order_currency=order_currency,
            order_amount=order_amount,
            received_amount=received_amount,
            pledge_amount=pledge_amount,
            fee=fee,
            success_url=success_url,
            fail_url=fail_url,
            sign=sign,
        )

        card_order.additional_properties = d
        return card_order

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
