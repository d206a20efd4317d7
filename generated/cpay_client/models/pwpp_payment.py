from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="PwppPayment")


@_attrs_define(kw_only=True)
class PwppPayment:
    """
    Attributes:
        order_id (str): The payment's order id; appended to successURL/failURL as `txnRef`.
        page_data (str | Unset): An HTML document leading to 3-D Secure or the success/fail URL; open or render it.
        redirect_url (str | Unset): A URL to redirect the user to.
        cc_storage_id (str | Unset): The id of the stored card.
    """

    order_id: str
    page_data: str | Unset = UNSET
    redirect_url: str | Unset = UNSET
    cc_storage_id: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        order_id = self.order_id

        page_data = self.page_data

        redirect_url = self.redirect_url

        cc_storage_id = self.cc_storage_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "orderId": order_id,
            }
        )
        if page_data is not UNSET:
            field_dict["pageData"] = page_data
        if redirect_url is not UNSET:
            field_dict["redirectURL"] = redirect_url
        if cc_storage_id is not UNSET:
            field_dict["ccStorageID"] = cc_storage_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        order_id = d.pop("orderId")

        page_data = d.pop("pageData", UNSET)

        redirect_url = d.pop("redirectURL", UNSET)

        cc_storage_id = d.pop("ccStorageID", UNSET)

        pwpp_payment = cls(
            order_id=order_id,
            page_data=page_data,
            redirect_url=redirect_url,
            cc_storage_id=cc_storage_id,
        )

        pwpp_payment.additional_properties = d
        return pwpp_payment

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
