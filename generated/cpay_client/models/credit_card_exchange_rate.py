from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="CreditCardExchangeRate")


@_attrs_define(kw_only=True)
class CreditCardExchangeRate:
    """
    Attributes:
        exchange_rate (str): A decimal number as a string, exact (e.g. `0.03334064604`); may be empty when not
            applicable.
        amount_exchanged (str): A decimal number as a string, exact (e.g. `0.03334064604`); may be empty when not
            applicable.
    """

    exchange_rate: str
    amount_exchanged: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        exchange_rate = self.exchange_rate

        amount_exchanged = self.amount_exchanged

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "exchangeRate": exchange_rate,
                "amountExchanged": amount_exchanged,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        exchange_rate = d.pop("exchangeRate")

        amount_exchanged = d.pop("amountExchanged")

        credit_card_exchange_rate = cls(
            exchange_rate=exchange_rate,
            amount_exchanged=amount_exchanged,
        )

        credit_card_exchange_rate.additional_properties = d
        return credit_card_exchange_rate

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
