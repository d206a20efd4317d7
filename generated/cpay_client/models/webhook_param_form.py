from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="WebhookParamForm")


@_attrs_define(kw_only=True)
class WebhookParamForm:
    """The later documentation's webhook body: `application/x-www-form-urlencoded` with one field, `param`,
    whose value is the notification as a JSON object. The `sign` is inside that JSON.

        Attributes:
            param (str): The notification's fields as one JSON object.
    """

    param: str

    def to_dict(self) -> dict[str, Any]:
        param = self.param

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "param": param,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        param = d.pop("param")

        webhook_param_form = cls(
            param=param,
        )

        return webhook_param_form
