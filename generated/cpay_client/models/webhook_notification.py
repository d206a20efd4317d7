from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.order_status import OrderStatus
from ..models.webhook_notification_order_status_type_1 import WebhookNotificationOrderStatusType1
from ..types import UNSET, Unset

T = TypeVar("T", bound="WebhookNotification")


@_attrs_define(kw_only=True)
class WebhookNotification:
    """The fields of a webhook call (section 15, and the fields the vendor's later documentation adds): a
    JSON object, a flat form, or the JSON inside a `param` form (`WebhookParamForm`). Verify `sign`
    (computed over all the other non-empty fields, a JSON number as its text, by the algorithm of the
    `sign` security scheme) before trusting it. The later documentation marks `actualAmount`, `fee`
    (replaced by `serviceFee`), `cryptoCurrency`, `network` and `hash` deprecated; it still sends them.

        Attributes:
            merchant_id (int | str): A numeric id the document types as a string but shows as a JSON number in some
                responses
                (`merchantId` in sections 9 and 14); both forms are accepted.
            order_status (OrderStatus | WebhookNotificationOrderStatusType1): The order's status, as a string (section 15's
                table) or a JSON number (the later documentation).
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
            order_amount (str | Unset): A decimal number as a string, exact (e.g. `0.03334064604`); may be empty when not
                applicable.
            service_fee (str | Unset): A decimal number as a string, exact (e.g. `0.03334064604`); may be empty when not
                applicable.
            currency (str | Unset): The order's currency, fiat or crypto (the later documentation).
            crypto_currency (str | Unset):
            network (str | Unset):
            remark (str | Unset):
            ext_info (str | Unset):
            sign (str | Unset): The signature; the document marks it optional, but an unsigned notification cannot be
                trusted.
    """

    merchant_id: int | str
    order_status: OrderStatus | WebhookNotificationOrderStatusType1
    actual_amount: str
    received_amount: str
    fee: str
    create_time: int | str
    merchant_trade_no: str | Unset = UNSET
    merchant_user_id: str | Unset = UNSET
    order_id: str | Unset = UNSET
    hash_: str | Unset = UNSET
    order_amount: str | Unset = UNSET
    service_fee: str | Unset = UNSET
    currency: str | Unset = UNSET
    crypto_currency: str | Unset = UNSET
    network: str | Unset = UNSET
    remark: str | Unset = UNSET
    ext_info: str | Unset = UNSET
    sign: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        merchant_id: int | str
        merchant_id = self.merchant_id

        order_status: int | str
        if isinstance(self.order_status, OrderStatus):
            order_status = self.order_status.value
        else:
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

        order_amount = self.order_amount

        service_fee = self.service_fee

        currency = self.currency

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
        if order_amount is not UNSET:
            field_dict["orderAmount"] = order_amount
        if service_fee is not UNSET:
            field_dict["serviceFee"] = service_fee
        if currency is not UNSET:
            field_dict["currency"] = currency
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

        def _parse_order_status(data: object) -> OrderStatus | WebhookNotificationOrderStatusType1:
            try:
                if not isinstance(data, str):
                    raise TypeError()
                order_status_type_0 = OrderStatus(data)

                return order_status_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, int):
                raise TypeError(
                    f"order_status: expected WebhookNotificationOrderStatusType1, got {type(data).__name__}"
                )
            order_status_type_1 = WebhookNotificationOrderStatusType1(data)

            return order_status_type_1

        order_status = _parse_order_status(d.pop("orderStatus"))

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

        order_amount = d.pop("orderAmount", UNSET)

        service_fee = d.pop("serviceFee", UNSET)

        currency = d.pop("currency", UNSET)

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
            order_amount=order_amount,
            service_fee=service_fee,
            currency=currency,
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
