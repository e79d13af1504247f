from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="UploadedMedia")


@_attrs_define
class UploadedMedia:
    """
    Attributes:
        download_url (str): Use as imageUrl; lives about one day.
        type_ (str | Unset): e.g. image.
        file_name (str | Unset):
        size (str | Unset): Bytes, as a string.
    """

    download_url: str
    type_: str | Unset = UNSET
    file_name: str | Unset = UNSET
    size: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        download_url = self.download_url

        type_ = self.type_

        file_name = self.file_name

        size = self.size

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "download_url": download_url,
            }
        )
        if type_ is not UNSET:
            field_dict["type"] = type_
        if file_name is not UNSET:
            field_dict["fileName"] = file_name
        if size is not UNSET:
            field_dict["size"] = size

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        download_url = d.pop("download_url")

        type_ = d.pop("type", UNSET)

        file_name = d.pop("fileName", UNSET)

        size = d.pop("size", UNSET)

        uploaded_media = cls(
            download_url=download_url,
            type_=type_,
            file_name=file_name,
            size=size,
        )

        uploaded_media.additional_properties = d
        return uploaded_media

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
