from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="WalletAddress")


@_attrs_define(kw_only=True)
class WalletAddress:
    """A deposit address of the user for one currency on one network.

    Attributes:
        currency (str):
        address (str):
        network (str): A blockchain network. The document names `Bitcoin`, `Ethereum(ERC-20)`, `TRON(TRC-20)` and
            `BSC(BEP-20)` (and shows `TRON` in a response); other values may come.
    """

    currency: str
    address: str
    network: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        currency = self.currency

        address = self.address

        network = self.network

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "currency": currency,
                "address": address,
                "network": network,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        currency = d.pop("currency")

        address = d.pop("address")

        network = d.pop("network")

        wallet_address = cls(
            currency=currency,
            address=address,
            network=network,
        )

        wallet_address.additional_properties = d
        return wallet_address

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
