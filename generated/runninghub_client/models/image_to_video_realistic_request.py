from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.aspect_ratio import AspectRatio, check_aspect_ratio
from ..models.duration import Duration, check_duration
from ..models.resolution import Resolution, check_resolution
from ..types import UNSET, Unset

T = TypeVar("T", bound="ImageToVideoRealisticRequest")


@_attrs_define
class ImageToVideoRealisticRequest:
    """
    Attributes:
        prompt (str): 提示词. What the video should show.
        resolution (Resolution): 分辨率. Output resolution.
        aspect_ratio (AspectRatio): 比例. Output aspect ratio. Default: '16:9'.
        image_url (str): 图片地址. Public http(s) URL of a JPG or PNG image of at most 10 MB, e.g. data.download_url of POST
            /openapi/v2/media/upload/binary.
        duration (Duration): 视频时长. Video length in seconds, as a string.
        webhook_url (str | Unset): Optional. The vendor POSTs to this URL when the task ends; payload and signing are
            undocumented.
    """

    prompt: str
    resolution: Resolution
    image_url: str
    duration: Duration
    aspect_ratio: AspectRatio = "16:9"
    webhook_url: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        prompt = self.prompt

        resolution: str = self.resolution

        aspect_ratio: str = self.aspect_ratio

        image_url = self.image_url

        duration: str = self.duration

        webhook_url = self.webhook_url

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "prompt": prompt,
                "resolution": resolution,
                "aspectRatio": aspect_ratio,
                "imageUrl": image_url,
                "duration": duration,
            }
        )
        if webhook_url is not UNSET:
            field_dict["webhookUrl"] = webhook_url

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        prompt = d.pop("prompt")

        resolution = check_resolution(d.pop("resolution"))

        aspect_ratio = check_aspect_ratio(d.pop("aspectRatio"))

        image_url = d.pop("imageUrl")

        duration = check_duration(d.pop("duration"))

        webhook_url = d.pop("webhookUrl", UNSET)

        image_to_video_realistic_request = cls(
            prompt=prompt,
            resolution=resolution,
            aspect_ratio=aspect_ratio,
            image_url=image_url,
            duration=duration,
            webhook_url=webhook_url,
        )

        image_to_video_realistic_request.additional_properties = d
        return image_to_video_realistic_request

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
