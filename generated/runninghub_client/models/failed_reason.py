from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="FailedReason")


@_attrs_define
class FailedReason:
    """Why a task failed; {} on success. Its keys are observed, not specified (one export types the whole field as a
    string): all optional.

        Attributes:
            exception_type (None | str | Unset):
            node_id (None | str | Unset):
            node_name (None | str | Unset):
            exception_message (None | str | Unset):
            traceback (list[str] | None | Unset):
    """

    exception_type: None | str | Unset = UNSET
    node_id: None | str | Unset = UNSET
    node_name: None | str | Unset = UNSET
    exception_message: None | str | Unset = UNSET
    traceback: list[str] | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        exception_type: None | str | Unset
        if isinstance(self.exception_type, Unset):
            exception_type = UNSET
        else:
            exception_type = self.exception_type

        node_id: None | str | Unset
        if isinstance(self.node_id, Unset):
            node_id = UNSET
        else:
            node_id = self.node_id

        node_name: None | str | Unset
        if isinstance(self.node_name, Unset):
            node_name = UNSET
        else:
            node_name = self.node_name

        exception_message: None | str | Unset
        if isinstance(self.exception_message, Unset):
            exception_message = UNSET
        else:
            exception_message = self.exception_message

        traceback: list[str] | None | Unset
        if isinstance(self.traceback, Unset):
            traceback = UNSET
        elif isinstance(self.traceback, list):
            traceback = self.traceback

        else:
            traceback = self.traceback

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if exception_type is not UNSET:
            field_dict["exception_type"] = exception_type
        if node_id is not UNSET:
            field_dict["node_id"] = node_id
        if node_name is not UNSET:
            field_dict["node_name"] = node_name
        if exception_message is not UNSET:
            field_dict["exception_message"] = exception_message
        if traceback is not UNSET:
            field_dict["traceback"] = traceback

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)

        def _parse_exception_type(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        exception_type = _parse_exception_type(d.pop("exception_type", UNSET))

        def _parse_node_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        node_id = _parse_node_id(d.pop("node_id", UNSET))

        def _parse_node_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        node_name = _parse_node_name(d.pop("node_name", UNSET))

        def _parse_exception_message(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        exception_message = _parse_exception_message(d.pop("exception_message", UNSET))

        def _parse_traceback(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                traceback_type_0 = cast(list[str], data)

                return traceback_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            raise TypeError("traceback: the value matches no type the spec allows")

        traceback = _parse_traceback(d.pop("traceback", UNSET))

        failed_reason = cls(
            exception_type=exception_type,
            node_id=node_id,
            node_name=node_name,
            exception_message=exception_message,
            traceback=traceback,
        )

        failed_reason.additional_properties = d
        return failed_reason

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
