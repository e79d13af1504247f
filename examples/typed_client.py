"""runninghub_client used directly: upload -> submit -> poll -> result URL, typed end to end.

The generated functions answer `TaskResult | ErrorResponse | None` (or `UploadResult | ...`):
an error body has no `status`, `task_id` or `data`, so mypy --strict refuses to read one as a
task until an isinstance check has ruled it out. Those checks are the only guards needed.
`make lint` type-checks this file; tests/contract/test_typed_client.py runs it against the
sandbox. Most users want the `runninghub_video` wrapper instead (retries, deadlines, errors).

    RUNNINGHUB_API_KEY=... [RUNNINGHUB_BASE_URL=...] python examples/typed_client.py IMAGE PROMPT
"""

from __future__ import annotations

import mimetypes
import os
import sys
import time
from pathlib import Path

from runninghub_client import AuthenticatedClient
from runninghub_client.api.video import image_to_video_realistic, query_task, upload_media
from runninghub_client.models import (
    ImageToVideoRealisticRequest,
    QueryTaskRequest,
    TaskResult,
    UploadedMedia,
    UploadMediaRequest,
    UploadResult,
)
from runninghub_client.types import File

FINAL = {"SUCCESS", "FAILED", "CANCEL"}


def main(image: Path, prompt: str) -> str:
    """Return the URL of the finished video; raise SystemExit with the API's words otherwise."""
    base_url = os.environ.get("RUNNINGHUB_BASE_URL", "https://www.runninghub.cn")
    poll_every = float(os.environ.get("POLL_SECONDS", "5"))
    with AuthenticatedClient(base_url=base_url, token=os.environ["RUNNINGHUB_API_KEY"]) as client:
        with image.open("rb") as payload:
            mime_type = mimetypes.guess_type(image.name)[0] or "application/octet-stream"
            media = File(payload=payload, file_name=image.name, mime_type=mime_type)
            uploaded = upload_media.sync(client=client, body=UploadMediaRequest(file=media))
        if not isinstance(uploaded, UploadResult) or not isinstance(uploaded.data, UploadedMedia):
            raise SystemExit(f"upload failed: {uploaded}")
        request = ImageToVideoRealisticRequest(
            prompt=prompt,
            resolution="720p",
            aspect_ratio="16:9",
            image_url=uploaded.data.download_url,
            duration="4",
        )
        task = image_to_video_realistic.sync(client=client, body=request)
        # Every field of a task answer is optional in the spec (the vendor's kit answers a
        # bare {"taskId"} to a submit and {"status", "results"} to a query).
        if not isinstance(task, TaskResult) or not isinstance(task.task_id, str):
            raise SystemExit(f"submit answered no task id: {task}")
        task_id = task.task_id
        while isinstance(task, TaskResult) and task.status not in FINAL:
            time.sleep(poll_every)
            task = query_task.sync(client=client, body=QueryTaskRequest(task_id=task_id))
        if not isinstance(task, TaskResult):
            raise SystemExit(f"error answer: {task}")
        url = task.results[0].url if isinstance(task.results, list) and task.results else None
        if task.status != "SUCCESS" or not isinstance(url, str):
            raise SystemExit(f"task {task_id} {task.status}: {task.error_message}")
        return url


if __name__ == "__main__":
    print(main(Path(sys.argv[1]), sys.argv[2]))
