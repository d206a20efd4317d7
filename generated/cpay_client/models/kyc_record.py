from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.kyc_record_gender import KycRecordGender
from ..types import UNSET, Unset

T = TypeVar("T", bound="KycRecord")


@_attrs_define(kw_only=True)
class KycRecord:
    """One user's KYC data (section 11). Field names as the document spells them (`brithday`, `IdCardUrls`).

    Attributes:
        user_id (str): The user's unique id in the merchant's system.
        first_name (str): Given name.
        last_name (str): Family name.
        brithday (datetime.date): Date of birth (the document's spelling).
        gender (KycRecordGender): The document's sample says `male/female`.
        country (str): ISO 3166-1 alpha-2 country code.
        email (str): The user's e-mail address.
        mobile (str): Mobile number without the calling code.
        middle_name (str | Unset): Middle name; may be empty.
        idd_code (str | Unset): International dialling code without `+`.
        personal_code (str | Unset): National personal identification number.
        certificate_date_start (datetime.date | Unset): The identity document is valid from this date.
        certificate_date_end (datetime.date | Unset): The identity document is valid until this date.
        id_card_urls (list[str] | Unset): URLs of images of the identity card (the document's capitalisation).
        document_urls (list[str] | Unset): URLs of supporting documents.
    """

    user_id: str
    first_name: str
    last_name: str
    brithday: datetime.date
    gender: KycRecordGender
    country: str
    email: str
    mobile: str
    middle_name: str | Unset = UNSET
    idd_code: str | Unset = UNSET
    personal_code: str | Unset = UNSET
    certificate_date_start: datetime.date | Unset = UNSET
    certificate_date_end: datetime.date | Unset = UNSET
    id_card_urls: list[str] | Unset = UNSET
    document_urls: list[str] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        user_id = self.user_id

        first_name = self.first_name

        last_name = self.last_name

        brithday = self.brithday.isoformat()

        gender = self.gender.value

        country = self.country

        email = self.email

        mobile = self.mobile

        middle_name = self.middle_name

        idd_code = self.idd_code

        personal_code = self.personal_code

        certificate_date_start: str | Unset = UNSET
        if not isinstance(self.certificate_date_start, Unset):
            certificate_date_start = self.certificate_date_start.isoformat()

        certificate_date_end: str | Unset = UNSET
        if not isinstance(self.certificate_date_end, Unset):
            certificate_date_end = self.certificate_date_end.isoformat()

        id_card_urls: list[str] | Unset = UNSET
        if not isinstance(self.id_card_urls, Unset):
            id_card_urls = self.id_card_urls

        document_urls: list[str] | Unset = UNSET
        if not isinstance(self.document_urls, Unset):
            document_urls = self.document_urls

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "userId": user_id,
                "firstName": first_name,
                "lastName": last_name,
                "brithday": brithday,
                "gender": gender,
                "country": country,
                "email": email,
                "mobile": mobile,
            }
        )
        if middle_name is not UNSET:
            field_dict["middleName"] = middle_name
        if idd_code is not UNSET:
            field_dict["iddCode"] = idd_code
        if personal_code is not UNSET:
            field_dict["personalCode"] = personal_code
        if certificate_date_start is not UNSET:
            field_dict["certificateDateStart"] = certificate_date_start
        if certificate_date_end is not UNSET:
            field_dict["certificateDateEnd"] = certificate_date_end
        if id_card_urls is not UNSET:
            field_dict["IdCardUrls"] = id_card_urls
        if document_urls is not UNSET:
            field_dict["documentUrls"] = document_urls

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        user_id = d.pop("userId")

        first_name = d.pop("firstName")

        last_name = d.pop("lastName")

        brithday = datetime.date.fromisoformat(d.pop("brithday"))

        gender = KycRecordGender(d.pop("gender"))

        country = d.pop("country")

        email = d.pop("email")

        mobile = d.pop("mobile")

        middle_name = d.pop("middleName", UNSET)

        idd_code = d.pop("iddCode", UNSET)

        personal_code = d.pop("personalCode", UNSET)

        _certificate_date_start = d.pop("certificateDateStart", UNSET)
        certificate_date_start: datetime.date | Unset
        if isinstance(_certificate_date_start, Unset):
            certificate_date_start = UNSET
        else:
            certificate_date_start = datetime.date.fromisoformat(_certificate_date_start)

        _certificate_date_end = d.pop("certificateDateEnd", UNSET)
        certificate_date_end: datetime.date | Unset
        if isinstance(_certificate_date_end, Unset):
            certificate_date_end = UNSET
        else:
            certificate_date_end = datetime.date.fromisoformat(_certificate_date_end)

        id_card_urls = cast(list[str], d.pop("IdCardUrls", UNSET))

        document_urls = cast(list[str], d.pop("documentUrls", UNSET))

        kyc_record = cls(
            user_id=user_id,
            first_name=first_name,
            last_name=last_name,
            brithday=brithday,
            gender=gender,
            country=country,
            email=email,
            mobile=mobile,
            middle_name=middle_name,
            idd_code=idd_code,
            personal_code=personal_code,
            certificate_date_start=certificate_date_start,
            certificate_date_end=certificate_date_end,
            id_card_urls=id_card_urls,
            document_urls=document_urls,
        )

        kyc_record.additional_properties = d
        return kyc_record

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
