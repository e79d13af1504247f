from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="PricePreview")


@_attrs_define
class PricePreview:
    """What a task call would cost, asked before paying for it.

    Example:
        {'errorCode': '', 'errorMessage': '', 'estimatedPrice': 3.2, 'currency': 'CNY', 'priceText': '3.2 元',
            'priceTextEn': '3.2 CNY', 'freeLimit': False, 'freeLimitCount': 0, 'remainingFreeLimitCount': 0,
            'isFreeThisCall': False}

    Attributes:
        error_code (None | str | Unset):
        error_message (None | str | Unset):
        estimated_price (float | str | Unset): The estimated price in `currency`.
        currency (None | str | Unset):
        price_text (None | str | Unset):
        price_text_en (None | str | Unset):
        free_limit (bool | int | str | Unset):
        free_limit_count (int | str | Unset):
        remaining_free_limit_count (int | str | Unset):
        is_free_this_call (bool | None | Unset):
    """

    error_code: None | str | Unset = UNSET
    error_message: None | str | Unset = UNSET
    estimated_price: float | str | Unset = UNSET
    currency: None | str | Unset = UNSET
    price_text: None | str | Unset = UNSET
    price_text_en: None | str | Unset = UNSET
    free_limit: bool | int | str | Unset = UNSET
    free_limit_count: int | str | Unset = UNSET
    remaining_free_limit_count: int | str | Unset = UNSET
    is_free_this_call: bool | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
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

        estimated_price: float | str | Unset
        if isinstance(self.estimated_price, Unset):
            estimated_price = UNSET
        else:
            estimated_price = self.estimated_price

        currency: None | str | Unset
        if isinstance(self.currency, Unset):
            currency = UNSET
        else:
            currency = self.currency

        price_text: None | str | Unset
        if isinstance(self.price_text, Unset):
            price_text = UNSET
        else:
            price_text = self.price_text

        price_text_en: None | str | Unset
        if isinstance(self.price_text_en, Unset):
            price_text_en = UNSET
        else:
            price_text_en = self.price_text_en

        free_limit: bool | int | str | Unset
        if isinstance(self.free_limit, Unset):
            free_limit = UNSET
        else:
            free_limit = self.free_limit

        free_limit_count: int | str | Unset
        if isinstance(self.free_limit_count, Unset):
            free_limit_count = UNSET
        else:
            free_limit_count = self.free_limit_count

        remaining_free_limit_count: int | str | Unset
        if isinstance(self.remaining_free_limit_count, Unset):
            remaining_free_limit_count = UNSET
        else:
            remaining_free_limit_count = self.remaining_free_limit_count

        is_free_this_call: bool | None | Unset
        if isinstance(self.is_free_this_call, Unset):
            is_free_this_call = UNSET
        else:
            is_free_this_call = self.is_free_this_call

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if error_code is not UNSET:
            field_dict["errorCode"] = error_code
        if error_message is not UNSET:
            field_dict["errorMessage"] = error_message
        if estimated_price is not UNSET:
            field_dict["estimatedPrice"] = estimated_price
        if currency is not UNSET:
            field_dict["currency"] = currency
        if price_text is not UNSET:
            field_dict["priceText"] = price_text
        if price_text_en is not UNSET:
            field_dict["priceTextEn"] = price_text_en
        if free_limit is not UNSET:
            field_dict["freeLimit"] = free_limit
        if free_limit_count is not UNSET:
            field_dict["freeLimitCount"] = free_limit_count
        if remaining_free_limit_count is not UNSET:
            field_dict["remainingFreeLimitCount"] = remaining_free_limit_count
        if is_free_this_call is not UNSET:
            field_dict["isFreeThisCall"] = is_free_this_call

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)

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

        def _parse_estimated_price(data: object) -> float | str | Unset:
            if isinstance(data, Unset):
                return data
            return cast(float | str | Unset, data)

        estimated_price = _parse_estimated_price(d.pop("estimatedPrice", UNSET))

        def _parse_currency(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        currency = _parse_currency(d.pop("currency", UNSET))

        def _parse_price_text(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        price_text = _parse_price_text(d.pop("priceText", UNSET))

        def _parse_price_text_en(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        price_text_en = _parse_price_text_en(d.pop("priceTextEn", UNSET))

        def _parse_free_limit(data: object) -> bool | int | str | Unset:
            if isinstance(data, Unset):
                return data
            return cast(bool | int | str | Unset, data)

        free_limit = _parse_free_limit(d.pop("freeLimit", UNSET))

        def _parse_free_limit_count(data: object) -> int | str | Unset:
            if isinstance(data, Unset):
                return data
            return cast(int | str | Unset, data)

        free_limit_count = _parse_free_limit_count(d.pop("freeLimitCount", UNSET))

        def _parse_remaining_free_limit_count(data: object) -> int | str | Unset:
            if isinstance(data, Unset):
                return data
            return cast(int | str | Unset, data)

        remaining_free_limit_count = _parse_remaining_free_limit_count(
            d.pop("remainingFreeLimitCount", UNSET)
        )

        def _parse_is_free_this_call(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        is_free_this_call = _parse_is_free_this_call(d.pop("isFreeThisCall", UNSET))

        price_preview = cls(
            error_code=error_code,
            error_message=error_message,
            estimated_price=estimated_price,
            currency=currency,
            price_text=price_text,
            price_text_en=price_text_en,
            free_limit=free_limit,
            free_limit_count=free_limit_count,
            remaining_free_limit_count=remaining_free_limit_count,
            is_free_this_call=is_free_this_call,
        )

        price_preview.additional_properties = d
        return price_preview

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
