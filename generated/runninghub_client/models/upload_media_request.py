from __future__ import annotations

from collections.abc import Mapping
from io import BytesIO
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from .. import types
from ..types import File

T = TypeVar("T", bound="UploadMediaRequest")


@_attrs_define
class UploadMediaRequest:
    """One multipart field, file [OFF core/upload.py]; no other field is documented, so none is allowed (the sandbox
    applies the same rule).

        Attributes:
            file (File): The file to upload: an image (JPG, PNG, WEBP), a ZIP of images, audio (MP3, WAV, FLAC) or video
                (MP4, AVI, MOV, MKV). This endpoint's imageUrl takes JPG or PNG only.
    """

    file: File

    def to_dict(self) -> dict[str, Any]:
        file = self.file.to_tuple()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "file": file,
            }
        )

        return field_dict

    def to_multipart(self) -> types.RequestFiles:
        files: types.RequestFiles = []

        files.append(("file", self.file.to_tuple()))

        return files

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        file = File(payload=BytesIO(d.pop("file")))

        upload_media_request = cls(
            file=file,
        )

        return upload_media_request
