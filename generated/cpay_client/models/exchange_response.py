from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.exchange_result import ExchangeResult


T = TypeVar("T", bound="ExchangeResponse")


@_attrs_define(kw_only=True)
class ExchangeResponse:
    """The envelope: `code` 0 with `data` on success, a non-zero `code` and empty `data` on a business error.

    Attributes:
        code (int): 0 = success. Any other value is a business error, sent with HTTP 200. C-Pay's material names
            1 (fail, section 16), 90751002 (illegal IP: the caller is not on the merchant's IP whitelist; the
            vendor's reference), 90751015 (pay fail, a declined card in `pwpp`, section 12) and 90751019
            (create order fail, with `data` null; the vendor's later documentation of `pwpp`). The emulator's
            codes are listed in docs/spec-notes.md.
        msg (str): `success` or `ok` on success; otherwise what went wrong.
        data (ExchangeResult | None | Unset): The exchange. Empty (null) on a business error.
        traceid (str | Unset): C-Pay's id of this request, for support.
    """

    code: int
    msg: str
    data: ExchangeResult | None | Unset = UNSET
    traceid: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.exchange_result import ExchangeResult  # noqa: PLC0415

        code = self.code

        msg = self.msg

        data: dict[str, Any] | None | Unset
        if isinstance(self.data, Unset):
            data = UNSET
        elif isinstance(self.data, ExchangeResult):
            data = self.data.to_dict()
        else:
            data = self.data

        traceid = self.traceid

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "code": code,
                "msg": msg,
            }
        )
        if data is not UNSET:
            field_dict["data"] = data
        if traceid is not UNSET:
            field_dict["traceid"] = traceid

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.exchange_result import ExchangeResult  # noqa: PLC0415

        d = dict(src_dict)
        code = d.pop("code")

        msg = d.pop("msg")

        def _parse_data(data: object) -> ExchangeResult | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            if not isinstance(data, dict):
                raise TypeError(f"data: expected ExchangeResult or null, got {type(data).__name__}")
            data_type_0 = ExchangeResult.from_dict(data)

            return data_type_0

        data = _parse_data(d.pop("data", UNSET))

        traceid = d.pop("traceid", UNSET)

        exchange_response = cls(
            code=code,
            msg=msg,
            data=data,
            traceid=traceid,
        )

        exchange_response.additional_properties = d
        return exchange_response

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
