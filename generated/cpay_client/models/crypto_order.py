from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.order_status import OrderStatus
from ..types import UNSET, Unset

T = TypeVar("T", bound="CryptoOrder")


@_attrs_define(kw_only=True)
class CryptoOrder:
    """A crypto pay-in order.

    Attributes:
        crypto_currency (str):
        order_amount (str): A decimal number as a string, exact (e.g. `0.03334064604`); may be empty when not
            applicable.
        merchant_trade_no (str):
        cashier_url (str): The cashier page to send the user to.
        order_id (str):
        merchant_id (int | str | Unset): A numeric id the document types as a string but shows as a JSON number in some
            responses
            (`merchantId` in sections 9 and 14); both forms are accepted.
        received_amount (str | Unset): A decimal number as a string, exact (e.g. `0.03334064604`); may be empty when not
            applicable.
        pledge_amount (str | Unset): A decimal number as a string, exact (e.g. `0.03334064604`); may be empty when not
            applicable.
        remark (str | Unset):
        ext_info (str | Unset):
        status (OrderStatus | Unset): The order's state: `0` pending, `11` processing, `14` completed (success), `15`
            closed (rejected
            or failed). An order moves 0 -> 11 -> 14 or 15; 14 and 15 are final.
        network (str | Unset):
        merchant_user_id (str | Unset):
        return_url (str | Unset):
        success_url (str | Unset):
        fail_url (str | Unset):
        fee (str | Unset): A decimal number as a string, exact (e.g. `0.03334064604`); may be empty when not applicable.
        create_time (int | str | Unset): Milliseconds since the Unix epoch, typed String by the document but shown as a
            JSON number in
            section 9; both forms are accepted.
    """

    crypto_currency: str
    order_amount: str
    merchant_trade_no: str
    cashier_url: str
    order_id: str
    merchant_id: int | str | Unset = UNSET
    received_amount: str | Unset = UNSET
    pledge_amount: str | Unset = UNSET
    remark: str | Unset = UNSET
    ext_info: str | Unset = UNSET
    status: OrderStatus | Unset = UNSET
    network: str | Unset = UNSET
    merchant_user_id: str | Unset = UNSET
    return_url: str | Unset = UNSET
    success_url: str | Unset = UNSET
    fail_url: str | Unset = UNSET
    fee: str | Unset = UNSET
    create_time: int | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        crypto_currency = self.crypto_currency

        order_amount = self.order_amount

        merchant_trade_no = self.merchant_trade_no

        cashier_url = self.cashier_url

        order_id = self.order_id

        merchant_id: int | str | Unset
        if isinstance(self.merchant_id, Unset):
            merchant_id = UNSET
        else:
            merchant_id = self.merchant_id

        received_amount = self.received_amount

        pledge_amount = self.pledge_amount

        remark = self.remark

        ext_info = self.ext_info

        status: str | Unset = UNSET
        if not isinstance(self.status, Unset):
            status = self.status.value

        network = self.network

        merchant_user_id = self.merchant_user_id

        return_url = self.return_url

        success_url = self.success_url

        fail_url = self.fail_url

        fee = self.fee

        create_time: int | str | Unset
        if isinstance(self.create_time, Unset):
            create_time = UNSET
        else:
            create_time = self.create_time

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "cryptoCurrency": crypto_currency,
                "orderAmount": order_amount,
                "merchantTradeNo": merchant_trade_no,
                "cashierURL": cashier_url,
                "orderId": order_id,
            }
        )
        if merchant_id is not UNSET:
            field_dict["merchantId"] = merchant_id
        if received_amount is not UNSET:
            field_dict["receivedAmount"] = received_amount
        if pledge_amount is not UNSET:
            field_dict["pledgeAmount"] = pledge_amount
        if remark is not UNSET:
            field_dict["remark"] = remark
        if ext_info is not UNSET:
            field_dict["extInfo"] = ext_info
        if status is not UNSET:
            field_dict["status"] = status
        if network is not UNSET:
            field_dict["network"] = network
        if merchant_user_id is not UNSET:
            field_dict["merchantUserId"] = merchant_user_id
        if return_url is not UNSET:
            field_dict["returnURL"] = return_url
        if success_url is not UNSET:
            field_dict["successURL"] = success_url
        if fail_url is not UNSET:
            field_dict["failURL"] = fail_url
        if fee is not UNSET:
            field_dict["fee"] = fee
        if create_time is not UNSET:
            field_dict["createTime"] = create_time

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        crypto_currency = d.pop("cryptoCurrency")

        order_amount = d.pop("orderAmount")

        merchant_trade_no = d.pop("merchantTradeNo")

        cashier_url = d.pop("cashierURL")

        order_id = d.pop("orderId")

        def _parse_merchant_id(data: object) -> int | str | Unset:
            if isinstance(data, Unset):
                return data
            return cast(int | str | Unset, data)

        merchant_id = _parse_merchant_id(d.pop("merchantId", UNSET))

        received_amount = d.pop("receivedAmount", UNSET)

        pledge_amount = d.pop("pledgeAmount", UNSET)

        remark = d.pop("remark", UNSET)

        ext_info = d.pop("extInfo", UNSET)

        _status = d.pop("status", UNSET)
        status: OrderStatus | Unset
        if isinstance(_status, Unset):
            status = UNSET
        else:
            status = OrderStatus(_status)

        network = d.pop("network", UNSET)

        merchant_user_id = d.pop("merchantUserId", UNSET)

        return_url = d.pop("returnURL", UNSET)

        success_url = d.pop("successURL", UNSET)

        fail_url = d.pop("failURL", UNSET)

        fee = d.pop("fee", UNSET)

        def _parse_create_time(data: object) -> int | str | Unset:
            if isinstance(data, Unset):
                return data
            return cast(int | str | Unset, data)

        create_time = _parse_create_time(d.pop("createTime", UNSET))

        crypto_order = cls(
            crypto_currency=crypto_currency,
            order_amount=order_amount,
            merchant_trade_no=merchant_trade_no,
            cashier_url=cashier_url,
            order_id=order_id,
            merchant_id=merchant_id,
            received_amount=received_amount,
            pledge_amount=pledge_amount,
            remark=remark,
            ext_info=ext_info,
            status=status,
            network=network,
            merchant_user_id=merchant_user_id,
            return_url=return_url,
            success_url=success_url,
            fail_url=fail_url,
            fee=fee,
            create_time=create_time,
        )

        crypto_order.additional_properties = d
        return crypto_order

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
