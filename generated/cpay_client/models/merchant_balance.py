from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="MerchantBalance")


@_attrs_define(kw_only=True)
class MerchantBalance:
    """The merchant's balance in one currency (crypto or fiat, despite the field's name).

    Attributes:
        available_balance (str): A decimal number as a string, exact (e.g. `0.03334064604`); may be empty when not
            applicable.
        freeze_balance (str): A decimal number as a string, exact (e.g. `0.03334064604`); may be empty when not
            applicable.
        crypto_currency (str):
    """

    available_balance: str
    freeze_balance: str
    crypto_currency: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        available_balance = self.available_balance

        freeze_balance = self.freeze_balance

        crypto_currency = self.crypto_currency

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "availableBalance": available_balance,
                "freezeBalance": freeze_balance,
                "cryptoCurrency": crypto_currency,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        available_balance = d.pop("availableBalance")

        freeze_balance = d.pop("freezeBalance")

        crypto_currency = d.pop("cryptoCurrency")

        merchant_balance = cls(
            available_balance=available_balance,
            freeze_balance=freeze_balance,
            crypto_currency=crypto_currency,
        )

        merchant_balance.additional_properties = d
        return merchant_balance

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
