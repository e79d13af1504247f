from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="AccountStatusDataType0")


@_attrs_define
class AccountStatusDataType0:
    """
    Attributes:
        remain_coins (float | str | Unset): The coins left (RH coins), e.g. "177814".
        current_task_counts (int | str | Unset): The key's tasks now.
        remain_money (None | str | Unset): The money left, where the account has money (null on a coin account).
        currency (None | str | Unset): The currency of remainMoney (CNY on .cn, USD on .ai).
        api_type (None | str | Unset): NORMAL, SHARED or EXCLUSIVE.
    """

    remain_coins: float | str | Unset = UNSET
    current_task_counts: int | str | Unset = UNSET
    remain_money: None | str | Unset = UNSET
    currency: None | str | Unset = UNSET
    api_type: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        remain_coins: float | str | Unset
        if isinstance(self.remain_coins, Unset):
            remain_coins = UNSET
        else:
            remain_coins = self.remain_coins

        current_task_counts: int | str | Unset
        if isinstance(self.current_task_counts, Unset):
            current_task_counts = UNSET
        else:
            current_task_counts = self.current_task_counts

        remain_money: None | str | Unset
        if isinstance(self.remain_money, Unset):
            remain_money = UNSET
        else:
            remain_money = self.remain_money

        currency: None | str | Unset
        if isinstance(self.currency, Unset):
            currency = UNSET
        else:
            currency = self.currency

        api_type: None | str | Unset
        if isinstance(self.api_type, Unset):
            api_type = UNSET
        else:
            api_type = self.api_type

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if remain_coins is not UNSET:
            field_dict["remainCoins"] = remain_coins
        if current_task_counts is not UNSET:
            field_dict["currentTaskCounts"] = current_task_counts
        if remain_money is not UNSET:
            field_dict["remainMoney"] = remain_money
        if currency is not UNSET:
            field_dict["currency"] = currency
        if api_type is not UNSET:
            field_dict["apiType"] = api_type

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)

        def _parse_remain_coins(data: object) -> float | str | Unset:
            if isinstance(data, Unset):
                return data
            return cast(float | str | Unset, data)

        remain_coins = _parse_remain_coins(d.pop("remainCoins", UNSET))

        def _parse_current_task_counts(data: object) -> int | str | Unset:
            if isinstance(data, Unset):
                return data
            return cast(int | str | Unset, data)

        current_task_counts = _parse_current_task_counts(
            d.pop("currentTaskCounts", UNSET)
        )

        def _parse_remain_money(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        remain_money = _parse_remain_money(d.pop("remainMoney", UNSET))

        def _parse_currency(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        currency = _parse_currency(d.pop("currency", UNSET))

        def _parse_api_type(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        api_type = _parse_api_type(d.pop("apiType", UNSET))

        account_status_data_type_0 = cls(
            remain_coins=remain_coins,
            current_task_counts=current_task_counts,
            remain_money=remain_money,
            currency=currency,
            api_type=api_type,
        )

        account_status_data_type_0.additional_properties = d
        return account_status_data_type_0

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
