from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ErrorResponse")


@_attrs_define
class ErrorResponse:
    """An error body. The real API's error bodies are not published; Prism answers problem+json (type, title, status,
    detail) or {"error": {...}}. All fields optional; fields other than these stay in additional_properties, so that an
    error's field whose type differs from a task's field of the same name (e.g. problem+json's integer status) never
    becomes a typed attribute; the names both carry (errorCode, errorMessage and their snake_case spellings) are strings
    in both.

        Attributes:
            errorCode (None | str | Unset):
            errorMessage (None | str | Unset):
            code (int | None | str | Unset): The upload call's integer code; other servers may send a string.
            message (None | str | Unset):
            msg (None | str | Unset):
            error_code (None | str | Unset): The snake_case spelling some servers use [KIT].
            error_message (None | str | Unset): The snake_case spelling some servers use [KIT].
    """

    errorCode: None | str | Unset = UNSET
    errorMessage: None | str | Unset = UNSET
    code: int | None | str | Unset = UNSET
    message: None | str | Unset = UNSET
    msg: None | str | Unset = UNSET
    error_code: None | str | Unset = UNSET
    error_message: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        errorCode: None | str | Unset
        if isinstance(self.errorCode, Unset):
            errorCode = UNSET
        else:
            errorCode = self.errorCode

        errorMessage: None | str | Unset
        if isinstance(self.errorMessage, Unset):
            errorMessage = UNSET
        else:
            errorMessage = self.errorMessage

        code: int | None | str | Unset
        if isinstance(self.code, Unset):
            code = UNSET
        else:
            code = self.code

        message: None | str | Unset
        if isinstance(self.message, Unset):
            message = UNSET
        else:
            message = self.message

        msg: None | str | Unset
        if isinstance(self.msg, Unset):
            msg = UNSET
        else:
            msg = self.msg

        error_code: None | str | Unset
        if isinstance(self.error_code, Unset):
            error_code = UNSET
        else:
            error_code = self.error_code

        error_message: None | str | Unset
        if isinstance(self.error_message, Unset):
            error_message = UNSET
        else:
            error_message = self.error_message

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if errorCode is not UNSET:
            field_dict["errorCode"] = errorCode
        if errorMessage is not UNSET:
            field_dict["errorMessage"] = errorMessage
        if code is not UNSET:
            field_dict["code"] = code
        if message is not UNSET:
            field_dict["message"] = message
        if msg is not UNSET:
            field_dict["msg"] = msg
        if error_code is not UNSET:
            field_dict["error_code"] = error_code
        if error_message is not UNSET:
            field_dict["error_message"] = error_message

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)

        def _parse_errorCode(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        errorCode = _parse_errorCode(d.pop("errorCode", UNSET))

        def _parse_errorMessage(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        errorMessage = _parse_errorMessage(d.pop("errorMessage", UNSET))

        def _parse_code(data: object) -> int | None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | str | Unset, data)

        code = _parse_code(d.pop("code", UNSET))

        def _parse_message(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        message = _parse_message(d.pop("message", UNSET))

        def _parse_msg(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        msg = _parse_msg(d.pop("msg", UNSET))

        def _parse_error_code(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        error_code = _parse_error_code(d.pop("error_code", UNSET))

        def _parse_error_message(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        error_message = _parse_error_message(d.pop("error_message", UNSET))

        error_response = cls(
            errorCode=errorCode,
            errorMessage=errorMessage,
            code=code,
            message=message,
            msg=msg,
            error_code=error_code,
            error_message=error_message,
        )

        error_response.additional_properties = d
        return error_response

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
