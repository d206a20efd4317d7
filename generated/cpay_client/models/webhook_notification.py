from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.order_status import OrderStatus
from ..types import UNSET, Unset

T = TypeVar("T", bound="WebhookNotification")


@_attrs_define
class WebhookNotification:
    """The body of a webhook call (section 15), form-encoded or JSON. Verify `sign` (computed over all
    the other non-empty fields by the algorithm of the `sign` security scheme) before trusting it.

        Attributes:
            merchant_id (int | str): A numeric id the document types as a string but shows as a JSON number in some
                responses
                (`merchantId` in sections 9 and 14); both forms are accepted.
            order_status (OrderStatus): The order's state: `0` pending, `11` processing, `14` completed (success), `15`
                closed (rejected
                or failed). An order moves 0 -> 11 -> 14 or 15; 14 and 15 are final.
            actual_amount (str): A decimal number as a string, exact (e.g. `0.03334064604`); may be empty when not
                applicable.
            received_amount (str): A decimal number as a string, exact (e.g. `0.03334064604`); may be empty when not
                applicable.
            fee (str): A decimal number as a string, exact (e.g. `0.03334064604`); may be empty when not applicable.
            create_time (int | str): Milliseconds since the Unix epoch, typed String by the document but shown as a JSON
                number in
                section 9; both forms are accepted.
            merchant_trade_no (str | Unset):
            merchant_user_id (str | Unset):
            order_id (str | Unset):
            hash_ (str | Unset): Transaction hash on chain, if any.
            crypto_currency (str | Unset):
            network (str | Unset):
            remark (str | Unset):
            ext_info (str | Unset):
            sign (str | Unset): The signature; the document marks it optional, but an unsigned notification cannot be
                trusted.
    """

    merchant_id: int | str
    order_status: OrderStatus
    actual_amount: str
    received_amount: str
    fee: str
    create_time: int | str
    merchant_trade_no: str | Unset = UNSET
    merchant_user_id: str | Unset = UNSET
    order_id: str | Unset = UNSET
    hash_: str | Unset = UNSET
    crypto_currency: str | Unset = UNSET
    network: str | Unset = UNSET
    remark: str | Unset = UNSET
    ext_info: str | Unset = UNSET
    sign: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        merchant_id: int | str
        merchant_id = self.merchant_id

        order_status = self.order_status.value

        actual_amount = self.actual_amount

        received_amount = self.received_amount

        fee = self.fee

        create_time: int | str
        create_time = self.create_time

        merchant_trade_no = self.merchant_trade_no

        merchant_user_id = self.merchant_user_id

        order_id = self.order_id

        hash_ = self.hash_

        crypto_currency = self.crypto_currency

        network = self.network

        remark = self.remark

        ext_info = self.ext_info

        sign = self.sign

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "merchantId": merchant_id,
                "orderStatus": order_status,
                "actualAmount": actual_amount,
                "receivedAmount": received_amount,
                "fee": fee,
                "createTime": create_time,
            }
        )
        if merchant_trade_no is not UNSET:
            field_dict["merchantTradeNo"] = merchant_trade_no
        if merchant_user_id is not UNSET:
            field_dict["merchantUserId"] = merchant_user_id
        if order_id is not UNSET:
            field_dict["orderId"] = order_id
        if hash_ is not UNSET:
            field_dict["hash"] = hash_
        if crypto_currency is not UNSET:
            field_dict["cryptoCurrency"] = crypto_currency
        if network is not UNSET:
            field_dict["network"] = network
        if remark is not UNSET:
            field_dict["remark"] = remark
        if ext_info is not UNSET:
            field_dict["extInfo"] = ext_info
        if sign is not UNSET:
            field_dict["sign"] = sign

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_merchant_id(data: object) -> int | str:
            return cast(int | str, data)

        merchant_id = _parse_merchant_id(d.pop("merchantId"))

        order_status = OrderStatus(d.pop("orderStatus"))

        actual_amount = d.pop("actualAmount")

        received_amount = d.pop("receivedAmount")

        fee = d.pop("fee")

        def _parse_create_time(data: object) -> int | str:
            return cast(int | str, data)

        create_time = _parse_create_time(d.pop("createTime"))

        merchant_trade_no = d.pop("merchantTradeNo", UNSET)

        merchant_user_id = d.pop("merchantUserId", UNSET)

        order_id = d.pop("orderId", UNSET)

        hash_ = d.pop("hash", UNSET)

        crypto_currency = d.pop("cryptoCurrency", UNSET)

        network = d.pop("network", UNSET)

        remark = d.pop("remark", UNSET)

        ext_info = d.pop("extInfo", UNSET)

        sign = d.pop("sign", UNSET)

        webhook_notification = cls(
            merchant_id=merchant_id,
            order_status=order_status,
            actual_amount=actual_amount,
            received_amount=received_amount,
            fee=fee,
            create_time=create_time,
            merchant_trade_no=merchant_trade_no,
            merchant_user_id=merchant_user_id,
            order_id=order_id,
            hash_=hash_,
            crypto_currency=crypto_currency,
            network=network,
            remark=remark,
            ext_info=ext_info,
            sign=sign,
        )

        webhook_notification.additional_properties = d
        return webhook_notification

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
