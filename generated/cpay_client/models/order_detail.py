from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.order_status import OrderStatus
from ..types import UNSET, Unset

T = TypeVar("T", bound="OrderDetail")


@_attrs_define(kw_only=True)
class OrderDetail:
    """An order of any kind, as `getOrderDetail` returns it.

    Attributes:
        order_id (str):
        status (OrderStatus): The order's state: `0` pending, `11` processing, `14` completed (success), `15` closed
            (rejected
            or failed). An order moves 0 -> 11 -> 14 or 15; 14 and 15 are final.
        merchant_trade_no (str | Unset):
        merchant_user_id (str | Unset):
        hash_ (str | Unset): Transaction hash on chain, if any.
        actual_amount (str | Unset): A decimal number as a string, exact (e.g. `0.03334064604`); may be empty when not
            applicable.
        received_amount (str | Unset): A decimal number as a string, exact (e.g. `0.03334064604`); may be empty when not
            applicable.
        pledge_amount (str | Unset): A decimal number as a string, exact (e.g. `0.03334064604`); may be empty when not
            applicable.
        fee (str | Unset): A decimal number as a string, exact (e.g. `0.03334064604`); may be empty when not applicable.
        currency (str | Unset):
        create_time (int | str | Unset): Milliseconds since the Unix epoch, typed String by the document but shown as a
            JSON number in
            section 9; both forms are accepted.
        merchant_id (int | str | Unset): A numeric id the document types as a string but shows as a JSON number in some
            responses
            (`merchantId` in sections 9 and 14); both forms are accepted.
        ext_info (str | Unset):
        network (str | Unset):
        remark (str | Unset):
    """

    order_id: str
    status: OrderStatus
    merchant_trade_no: str | Unset = UNSET
    merchant_user_id: str | Unset = UNSET
    hash_: str | Unset = UNSET
    actual_amount: str | Unset = UNSET
    received_amount: str | Unset = UNSET
    pledge_amount: str | Unset = UNSET
    fee: str | Unset = UNSET
    currency: str | Unset = UNSET
    create_time: int | str | Unset = UNSET
    merchant_id: int | str | Unset = UNSET
    ext_info: str | Unset = UNSET
    network: str | Unset = UNSET
    remark: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        order_id = self.order_id

        status = self.status.value

        merchant_trade_no = self.merchant_trade_no

        merchant_user_id = self.merchant_user_id

        hash_ = self.hash_

        actual_amount = self.actual_amount

        received_amount = self.received_amount

        pledge_amount = self.pledge_amount

        fee = self.fee

        currency = self.currency

        create_time: int | str | Unset
        if isinstance(self.create_time, Unset):
            create_time = UNSET
        else:
            create_time = self.create_time

        merchant_id: int | str | Unset
        if isinstance(self.merchant_id, Unset):
            merchant_id = UNSET
        else:
            merchant_id = self.merchant_id

        ext_info = self.ext_info

        network = self.network

        remark = self.remark

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "orderId": order_id,
                "status": status,
            }
        )
        if merchant_trade_no is not UNSET:
            field_dict["merchantTradeNo"] = merchant_trade_no
        if merchant_user_id is not UNSET:
            field_dict["merchantUserId"] = merchant_user_id
        if hash_ is not UNSET:
            field_dict["hash"] = hash_
        if actual_amount is not UNSET:
            field_dict["actualAmount"] = actual_amount
        if received_amount is not UNSET:
            field_dict["receivedAmount"] = received_amount
        if pledge_amount is not UNSET:
            field_dict["pledgeAmount"] = pledge_amount
        if fee is not UNSET:
            field_dict["fee"] = fee
        if currency is not UNSET:
            field_dict["currency"] = currency
        if create_time is not UNSET:
            field_dict["createTime"] = create_time
        if merchant_id is not UNSET:
            field_dict["merchantId"] = merchant_id
        if ext_info is not UNSET:
            field_dict["extInfo"] = ext_info
        if network is not UNSET:
            field_dict["network"] = network
        if remark is not UNSET:
            field_dict["remark"] = remark

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        order_id = d.pop("orderId")

        status = OrderStatus(d.pop("status"))

        merchant_trade_no = d.pop("merchantTradeNo", UNSET)

        merchant_user_id = d.pop("merchantUserId", UNSET)

        hash_ = d.pop("hash", UNSET)

        actual_amount = d.pop("actualAmount", UNSET)

        received_amount = d.pop("receivedAmount", UNSET)

        pledge_amount = d.pop("pledgeAmount", UNSET)

        fee = d.pop("fee", UNSET)

        currency = d.pop("currency", UNSET)

        def _parse_create_time(data: object) -> int | str | Unset:
            if isinstance(data, Unset):
                return data
            return cast(int | str | Unset, data)

        create_time = _parse_create_time(d.pop("createTime", UNSET))

        def _parse_merchant_id(data: object) -> int | str | Unset:
            if isinstance(data, Unset):
                return data
            return cast(int | str | Unset, data)

        merchant_id = _parse_merchant_id(d.pop("merchantId", UNSET))

        ext_info = d.pop("extInfo", UNSET)

        network = d.pop("network", UNSET)

        remark = d.pop("remark", UNSET)

        order_detail = cls(
            order_id=order_id,
            status=status,
            merchant_trade_no=merchant_trade_no,
            merchant_user_id=merchant_user_id,
            hash_=hash_,
            actual_amount=actual_amount,
            received_amount=received_amount,
            pledge_amount=pledge_amount,
            fee=fee,
            currency=currency,
            create_time=create_time,
            merchant_id=merchant_id,
            ext_info=ext_info,
            network=network,
            remark=remark,
        )

        order_detail.additional_properties = d
        return order_detail

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
