"""Rules of the merged spec that no mock enforces: the linter's verdict and the upload contract."""

from __future__ import annotations

import os
import subprocess
from typing import Any

import pytest
import yaml
from runninghub_video._params import IMAGE_SIGNATURES

from tests.support.constants import ROOT, SPEC

REDOCLY = ROOT / "node_modules" / ".bin" / "redocly"
UPLOAD = "/openapi/v2/media/upload/binary"


def upload_body() -> dict[str, Any]:
    spec = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    body: dict[str, Any] = spec["paths"][UPLOAD]["post"]["requestBody"]["content"][
        "multipart/form-data"
    ]
    return {**body, "components": spec["components"]}


@pytest.mark.integration  # redocly (Node)
def test_spec_passes_redocly_recommended_strict() -> None:
    """No error under recommended-strict (openapi/redocly.yaml: only info-license is a warning)."""
    run = subprocess.run(
        [str(REDOCLY), "lint", "--config", "openapi/redocly.yaml", "--format", "stylish",
         str(SPEC)],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
        env={**os.environ, "REDOCLY_TELEMETRY": "off", "NO_UPDATE_NOTIFIER": "1"},
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    assert " error " not in run.stdout, run.stdout


def test_upload_declares_the_media_the_vendor_takes() -> None:
    """Images, a ZIP, audio and video [OFF core/upload.py][SJ]; the wrapper's images among them."""
    body = upload_body()
    declared = {t.strip() for t in body["encoding"]["file"]["contentType"].split(",")}
    assert {"image/jpeg", "image/png", "image/webp", "application/zip"} <= declared
    assert {"audio/mpeg", "audio/wav", "audio/flac"} <= declared
    assert {"video/mp4", "video/quicktime", "video/x-matroska", "video/x-msvideo"} <= declared
    # The wrapper's own, stricter check for imageUrl inputs stays within what upload takes.
    assert set(IMAGE_SIGNATURES) < declared


def test_upload_allows_exactly_one_field() -> None:
    """The extra-field rule the sandbox follows: `file` required, nothing else allowed."""
    schema = upload_body()["components"]["schemas"]["UploadMediaRequest"]
    assert schema["additionalProperties"] is False
    assert (list(schema["properties"]), schema["required"]) == (["file"], ["file"])
