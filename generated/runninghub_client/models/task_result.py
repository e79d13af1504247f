from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.task_status import TaskStatus, check_task_status
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.failed_reason import FailedReason
    from ..models.task_output import TaskOutput
    from ..models.task_usage import TaskUsage


T = TypeVar("T", bound="TaskResult")


@_attrs_define
class TaskResult:
    """生成任务提交结果. A task as answered by submit and by query.

    Attributes:
        task_id (str | Unset): 任务ID.
        status (TaskStatus | Unset): 状态. QUEUED and RUNNING (and CREATE) are not final; SUCCESS, FAILED and CANCEL are.
        error_code (None | str | Unset): 错误码. Empty or null when there is no error; see the errorCode table in
            docs/library.md.
        error_message (None | str | Unset): 错误信息. Empty or null when there is no error.
        results (list[TaskOutput] | None | Unset): 结果. Null while the task runs.
        client_id (None | str | Unset):
        prompt_tips (None | str | Unset): A JSON-encoded string.
        failed_reason (FailedReason | None | str | Unset): Why the task failed ({} on success); one export types it as a
            plain string [DOC].
        usage (None | TaskUsage | Unset): What the task cost. Strings or null.
    """

    task_id: str | Unset = UNSET
    status: TaskStatus | Unset = UNSET
    error_code: None | str | Unset = UNSET
    error_message: None | str | Unset = UNSET
    results: list[TaskOutput] | None | Unset = UNSET
    client_id: None | str | Unset = UNSET
    prompt_tips: None | str | Unset = UNSET
    failed_reason: FailedReason | None | str | Unset = UNSET
    usage: None | TaskUsage | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.failed_reason import FailedReason
        from ..models.task_usage import TaskUsage

        task_id = self.task_id

        status: str | Unset = UNSET
        if not isinstance(self.status, Unset):
            status = self.status

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

        results: list[dict[str, Any]] | None | Unset
        if isinstance(self.results, Unset):
            results = UNSET
        elif isinstance(self.results, list):
            results = []
            for results_type_0_item_data in self.results:
                results_type_0_item = results_type_0_item_data.to_dict()
                results.append(results_type_0_item)

        else:
            results = self.results

        client_id: None | str | Unset
        if isinstance(self.client_id, Unset):
            client_id = UNSET
        else:
            client_id = self.client_id

        prompt_tips: None | str | Unset
        if isinstance(self.prompt_tips, Unset):
            prompt_tips = UNSET
        else:
            prompt_tips = self.prompt_tips

        failed_reason: dict[str, Any] | None | str | Unset
        if isinstance(self.failed_reason, Unset):
            failed_reason = UNSET
        elif isinstance(self.failed_reason, FailedReason):
            failed_reason = self.failed_reason.to_dict()
        else:
            failed_reason = self.failed_reason

        usage: dict[str, Any] | None | Unset
        if isinstance(self.usage, Unset):
            usage = UNSET
        elif isinstance(self.usage, TaskUsage):
            usage = self.usage.to_dict()
        else:
            usage = self.usage

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if task_id is not UNSET:
            field_dict["taskId"] = task_id
        if status is not UNSET:
            field_dict["status"] = status
        if error_code is not UNSET:
            field_dict["errorCode"] = error_code
        if error_message is not UNSET:
            field_dict["errorMessage"] = error_message
        if results is not UNSET:
            field_dict["results"] = results
        if client_id is not UNSET:
            field_dict["clientId"] = client_id
        if prompt_tips is not UNSET:
            field_dict["promptTips"] = prompt_tips
        if failed_reason is not UNSET:
            field_dict["failedReason"] = failed_reason
        if usage is not UNSET:
            field_dict["usage"] = usage

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.failed_reason import FailedReason
        from ..models.task_output import TaskOutput
        from ..models.task_usage import TaskUsage

        d = dict(src_dict)
        task_id = d.pop("taskId", UNSET)

        _status = d.pop("status", UNSET)
        status: TaskStatus | Unset
        if isinstance(_status, Unset):
            status = UNSET
        else:
            status = check_task_status(_status)

        def _parse_error_code(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        error_code = _parse_error_code(d.pop("errorCode", UNSET))

        def _parse_error_message(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        error_message = _parse_error_message(d.pop("errorMessage", UNSET))

        def _parse_results(data: object) -> list[TaskOutput] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                results_type_0 = []
                _results_type_0 = data
                for results_type_0_item_data in _results_type_0:
                    results_type_0_item = TaskOutput.from_dict(results_type_0_item_data)

                    results_type_0.append(results_type_0_item)

                return results_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            raise TypeError("results: the value matches no type the spec allows")

        results = _parse_results(d.pop("results", UNSET))

        def _parse_client_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        client_id = _parse_client_id(d.pop("clientId", UNSET))

        def _parse_prompt_tips(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        prompt_tips = _parse_prompt_tips(d.pop("promptTips", UNSET))

        def _parse_failed_reason(data: object) -> FailedReason | None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_failed_reason_type_0 = FailedReason.from_dict(data)

                return componentsschemas_failed_reason_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if isinstance(data, str):
                return data
            raise TypeError("failed_reason: the value matches no type the spec allows")

        failed_reason = _parse_failed_reason(d.pop("failedReason", UNSET))

        def _parse_usage(data: object) -> None | TaskUsage | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_task_usage_type_0 = TaskUsage.from_dict(data)

                return componentsschemas_task_usage_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            raise TypeError("usage: the value matches no type the spec allows")

        usage = _parse_usage(d.pop("usage", UNSET))

        task_result = cls(
            task_id=task_id,
            status=status,
            error_code=error_code,
            error_message=error_message,
            results=results,
            client_id=client_id,
            prompt_tips=prompt_tips,
            failed_reason=failed_reason,
            usage=usage,
        )

        task_result.additional_properties = d
        return task_result

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
