from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="WebhookDelivery")


@_attrs_define
class WebhookDelivery:
    """A task-end notification, legacy or v2 shape; every field optional.

    Attributes:
        event (None | str | Unset): TASK_END.
        task_id (None | str | Unset):
        parent_task_id (None | str | Unset):
        event_data (Any | Unset): The query answer, as a JSON string (legacy) or as an object (v2).
        task_usage_list (list[Any] | None | Unset):
    """

    event: None | str | Unset = UNSET
    task_id: None | str | Unset = UNSET
    parent_task_id: None | str | Unset = UNSET
    event_data: Any | Unset = UNSET
    task_usage_list: list[Any] | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        event: None | str | Unset
        if isinstance(self.event, Unset):
            event = UNSET
        else:
            event = self.event

        task_id: None | str | Unset
        if isinstance(self.task_id, Unset):
            task_id = UNSET
        else:
            task_id = self.task_id

        parent_task_id: None | str | Unset
        if isinstance(self.parent_task_id, Unset):
            parent_task_id = UNSET
        else:
            parent_task_id = self.parent_task_id

        event_data = self.event_data

        task_usage_list: list[Any] | None | Unset
        if isinstance(self.task_usage_list, Unset):
            task_usage_list = UNSET
        elif isinstance(self.task_usage_list, list):
            task_usage_list = self.task_usage_list

        else:
            task_usage_list = self.task_usage_list

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if event is not UNSET:
            field_dict["event"] = event
        if task_id is not UNSET:
            field_dict["taskId"] = task_id
        if parent_task_id is not UNSET:
            field_dict["parentTaskId"] = parent_task_id
        if event_data is not UNSET:
            field_dict["eventData"] = event_data
        if task_usage_list is not UNSET:
            field_dict["taskUsageList"] = task_usage_list

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)

        def _parse_event(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        event = _parse_event(d.pop("event", UNSET))

        def _parse_task_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        task_id = _parse_task_id(d.pop("taskId", UNSET))

        def _parse_parent_task_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        parent_task_id = _parse_parent_task_id(d.pop("parentTaskId", UNSET))

        event_data = d.pop("eventData", UNSET)

        def _parse_task_usage_list(data: object) -> list[Any] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                task_usage_list_type_0 = cast(list[Any], data)

                return task_usage_list_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            raise TypeError(
                "task_usage_list: the value matches no type the spec allows"
            )

        task_usage_list = _parse_task_usage_list(d.pop("taskUsageList", UNSET))

        webhook_delivery = cls(
            event=event,
            task_id=task_id,
            parent_task_id=parent_task_id,
            event_data=event_data,
            task_usage_list=task_usage_list,
        )

        webhook_delivery.additional_properties = d
        return webhook_delivery

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
