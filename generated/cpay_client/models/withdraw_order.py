from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.order_status import OrderStatus
from ..types import UNSET, Unset

T = TypeVar("T", bound="WithdrawOrder")


@_attrs_define(kw_only=True)
class WithdrawOrder:
    """A crypto payout order.

    Attributes:
        merchant_trade_no (str):
        status (OrderStatus): The order's state: `0` pending, `11` processing, `14` completed (success), `15` closed
            (rejected
            or failed). An order moves 0 -> 11 -> 14 or 15; 14 and 15 are final.
        order_id (str): C-Pay's order id.
        merchant_id (int | str | Unset): A numeric id the document types as a string but shows as a JSON number in some
            responses
            (`merchantId` in sections 9 and 14); both forms are accepted.
        crypto_currency (str | Unset):
        order_amount (str | Unset): A decimal number as a string, exact (e.g. `0.03334064604`); may be empty when not
            applicable.
        received_amount (str | Unset): A decimal number as a string, exact (e.g. `0.03334064604`); may be empty when not
            applicable.
        fee (str | Unset): A decimal number as a string, exact (e.g. `0.03334064604`); may be empty when not applicable.
        remark (str | Unset):
        ext_info (str | Unset):
        network (str | Unset):
        merchant_user_id (str | Unset): The user's id in the merchant's system.
        create_time (int | str | Unset): Milliseconds since the Unix epoch, typed String by the document but shown as a
            JSON number in
            section 9; both forms are accepted.
    """

    merchant_trade_no: str
    status: OrderStatus
    order_id: str
    merchant_id: int | str | Unset = UNSET
    crypto_currency: str | Unset = UNSET
    order_amount: str | Unset = UNSET
    received_amount: str | Unset = UNSET
    fee: str | Unset = UNSET
    remark: str | Unset = UNSET
    ext_info: str | Unset = UNSET
    network: str | Unset = UNSET
    merchant_user_id: str | Unset = UNSET
    create_time: int | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        merchant_trade_no = self.merchant_trade_no

        status = self.status.value

        order_id = self.order_id

        merchant_id: int | str | Unset
        if isinstance(self.merchant_id, Unset):
            merchant_id = UNSET
        else:
            merchant_id = self.merchant_id

        crypto_currency = self.crypto_currency

        order_amount = self.order_amount

        received_amount = self.received_amount

        fee = self.fee

        remark = self.remark

        ext_info = self.ext_info

        network = self.network

        merchant_user_id = self.merchant_user_id

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
                "status": status,
                "orderId": order_id,
            }
        )
        if merchant_id is not UNSET:
            field_dict["merchantId"] = merchant_id
        if crypto_currency is not UNSET:
            field_dict["cryptoCurrency"] = crypto_currency
        if order_amount is not UNSET:
            field_dict["orderAmount"] = order_amount
        if received_amount is not UNSET:
            field_dict["receivedAmount"] = received_amount
        if fee is not UNSET:
            field_dict["fee"] = fee
        if remark is not UNSET:
            field_dict["remark"] = remark
        if ext_info is not UNSET:
            field_dict["extInfo"] = ext_info
        if network is not UNSET:
            field_dict["network"] = network
        if merchant_user_id is not UNSET:
            field_dict["merchantUserId"] = merchant_user_id
        if create_time is not UNSET:
            field_dict["createTime"] = create_time

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        merchant_trade_no = d.pop("merchantTradeNo")

        status = OrderStatus(d.pop("status"))

        order_id = d.pop("orderId")

        def _parse_merchant_id(data: object) -> int | str | Unset:
            if isinstance(data, Unset):
                return data
            return cast(int | str | Unset, data)

        merchant_id = _parse_merchant_id(d.pop("merchantId", UNSET))

        crypto_currency = d.pop("cryptoCurrency", UNSET)

        order_amount = d.pop("orderAmount", UNSET)

        received_amount = d.pop("receivedAmount", UNSET)

        fee = d.pop("fee", UNSET)

        remark = d.pop("remark", UNSET)

        ext_info = d.pop("extInfo", UNSET)

        network = d.pop("network", UNSET)

        merchant_user_id = d.pop("merchantUserId", UNSET)

        def _parse_create_time(data: object) -> int | str | Unset:
            if isinstance(data, Unset):
                return data
            return cast(int | str | Unset, data)

        create_time = _parse_create_time(d.pop("createTime", UNSET))

        withdraw_order = cls(
            merchant_trade_no=merchant_trade_no,
            status=status,
            order_id=order_id,
            merchant_id=merchant_id,
            crypto_currency=crypto_currency,
            order_amount=order_amount,
            received_amount=received_amount,
            fee=fee,
            remark=remark,
            ext_info=ext_info,
            network=network,
            merchant_user_id=merchant_user_id,
            create_time=create_time,
        )

        withdraw_order.additional_properties = d
        return withdraw_order

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
