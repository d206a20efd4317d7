from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ExchangeResult")


@_attrs_define(kw_only=True)
class ExchangeResult:
    """
    Attributes:
        exchange_rate (str): A decimal number as a string, exact (e.g. `0.03334064604`); may be empty when not
            applicable.
        target_amount (str): A decimal number as a string, exact (e.g. `0.03334064604`); may be empty when not
            applicable.
        target_currency (str):
        fee (str): A decimal number as a string, exact (e.g. `0.03334064604`); may be empty when not applicable.
    """

    exchange_rate: str
    target_amount: str
    target_currency: str
    fee: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        exchange_rate = self.exchange_rate

        target_amount = self.target_amount

        target_currency = self.target_currency

        fee = self.fee

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "exchangeRate": exchange_rate,
                "targetAmount": target_amount,
                "targetCurrency": target_currency,
                "fee": fee,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        exchange_rate = d.pop("exchangeRate")

        target_amount = d.pop("targetAmount")

        target_currency = d.pop("targetCurrency")

        fee = d.pop("fee")

        exchange_result = cls(
            exchange_rate=exchange_rate,
            target_amount=target_amount,
            target_currency=target_currency,
            fee=fee,
        )

        exchange_result.additional_properties = d
        return exchange_result

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
