from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="Product")


@_attrs_define(kw_only=True)
class Product:
    """One line of the merchant's order.

    Attributes:
        name (str): The product name.
        price (str): A decimal amount with at most 2 decimals, e.g. `19.01`. C-Pay rounds more decimals down
            (19.011 -> 19.01); this description rejects them so that what is sent is what is charged. As for
            `CryptoAmount`, a zero or too small amount is a business error, not a malformed request.
        num (str): The quantity.
        currency (str): ISO 4217 currency of the price.
    """

    name: str
    price: str
    num: str
    currency: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        price = self.price

        num = self.num

        currency = self.currency

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "name": name,
                "price": price,
                "num": num,
                "currency": currency,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        name = d.pop("name")

        price = d.pop("price")

        num = d.pop("num")

        currency = d.pop("currency")

        product = cls(
            name=name,
            price=price,
            num=num,
            currency=currency,
        )

        product.additional_properties = d
        return product

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
