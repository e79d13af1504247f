from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.queue_status_data_type_0 import QueueStatusDataType0


T = TypeVar("T", bound="QueueStatus")


@_attrs_define
class QueueStatus:
    """A key's concurrency and its tasks now, bare or in a {code, msg, data} envelope.

    Attributes:
        api_key_type (None | str | Unset): NORMAL, SHARED or EXCLUSIVE.
        concurrent_limit (int | str | Unset): How many tasks the key may run at once (default 50).
        running_count (int | str | Unset): The key's tasks running now.
        queued_count (int | str | Unset): The key's tasks waiting for a slot.
        total_current_tasks (int | str | Unset): Running and queued together.
        code (int | str | Unset): The envelope's code (0 is success), when wrapped.
        msg (None | str | Unset):
        data (None | QueueStatusDataType0 | Unset): The wrapped form's fields.
    """

    api_key_type: None | str | Unset = UNSET
    concurrent_limit: int | str | Unset = UNSET
    running_count: int | str | Unset = UNSET
    queued_count: int | str | Unset = UNSET
    total_current_tasks: int | str | Unset = UNSET
    code: int | str | Unset = UNSET
    msg: None | str | Unset = UNSET
    data: None | QueueStatusDataType0 | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.queue_status_data_type_0 import QueueStatusDataType0

        api_key_type: None | str | Unset
        if isinstance(self.api_key_type, Unset):
            api_key_type = UNSET
        else:
            api_key_type = self.api_key_type

        concurrent_limit: int | str | Unset
        if isinstance(self.concurrent_limit, Unset):
            concurrent_limit = UNSET
        else:
            concurrent_limit = self.concurrent_limit

        running_count: int | str | Unset
        if isinstance(self.running_count, Unset):
            running_count = UNSET
        else:
            running_count = self.running_count

        queued_count: int | str | Unset
        if isinstance(self.queued_count, Unset):
            queued_count = UNSET
        else:
            queued_count = self.queued_count

        total_current_tasks: int | str | Unset
        if isinstance(self.total_current_tasks, Unset):
            total_current_tasks = UNSET
        else:
            total_current_tasks = self.total_current_tasks

        code: int | str | Unset
        if isinstance(self.code, Unset):
            code = UNSET
        else:
            code = self.code

        msg: None | str | Unset
        if isinstance(self.msg, Unset):
            msg = UNSET
        else:
            msg = self.msg

        data: dict[str, Any] | None | Unset
        if isinstance(self.data, Unset):
            data = UNSET
        elif isinstance(self.data, QueueStatusDataType0):
            data = self.data.to_dict()
        else:
            data = self.data

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if api_key_type is not UNSET:
            field_dict["apiKeyType"] = api_key_type
        if concurrent_limit is not UNSET:
            field_dict["concurrentLimit"] = concurrent_limit
        if running_count is not UNSET:
            field_dict["runningCount"] = running_count
        if queued_count is not UNSET:
            field_dict["queuedCount"] = queued_count
        if total_current_tasks is not UNSET:
            field_dict["totalCurrentTasks"] = total_current_tasks
        if code is not UNSET:
            field_dict["code"] = code
        if msg is not UNSET:
            field_dict["msg"] = msg
        if data is not UNSET:
            field_dict["data"] = data

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.queue_status_data_type_0 import QueueStatusDataType0

        d = dict(src_dict)

        def _parse_api_key_type(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        api_key_type = _parse_api_key_type(d.pop("apiKeyType", UNSET))

        def _parse_concurrent_limit(data: object) -> int | str | Unset:
            if isinstance(data, Unset):
                return data
            return cast(int | str | Unset, data)

        concurrent_limit = _parse_concurrent_limit(d.pop("concurrentLimit", UNSET))

        def _parse_running_count(data: object) -> int | str | Unset:
            if isinstance(data, Unset):
                return data
            return cast(int | str | Unset, data)

        running_count = _parse_running_count(d.pop("runningCount", UNSET))

        def _parse_queued_count(data: object) -> int | str | Unset:
            if isinstance(data, Unset):
                return data
            return cast(int | str | Unset, data)

        queued_count = _parse_queued_count(d.pop("queuedCount", UNSET))

        def _parse_total_current_tasks(data: object) -> int | str | Unset:
            if isinstance(data, Unset):
                return data
            return cast(int | str | Unset, data)

        total_current_tasks = _parse_total_current_tasks(
            d.pop("totalCurrentTasks", UNSET)
        )

        def _parse_code(data: object) -> int | str | Unset:
            if isinstance(data, Unset):
                return data
            return cast(int | str | Unset, data)

        code = _parse_code(d.pop("code", UNSET))

        def _parse_msg(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        msg = _parse_msg(d.pop("msg", UNSET))

        def _parse_data(data: object) -> None | QueueStatusDataType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_queue_status_data_type_0 = (
                    QueueStatusDataType0.from_dict(data)
                )

                return componentsschemas_queue_status_data_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            raise TypeError("data: the value matches no type the spec allows")

        data = _parse_data(d.pop("data", UNSET))

        queue_status = cls(
            api_key_type=api_key_type,
            concurrent_limit=concurrent_limit,
            running_count=running_count,
            queued_count=queued_count,
            total_current_tasks=total_current_tasks,
            code=code,
            msg=msg,
            data=data,
        )

        queue_status.additional_properties = d
        return queue_status

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
