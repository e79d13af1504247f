"""A stateful local RunningHub: the spec's API calls, real MP4 results and failures on demand.

Routes and request validation come from the OpenAPI spec at run time (_contract.py), so a
regenerated spec needs no edit here; every client's work and the sandbox's state are bounded
(Limits: body sizes, timeouts, pixels, render budget, TTL, disk cap).

Tasks go CREATE -> QUEUED -> RUNNING -> SUCCESS over about 5 s (divided by `speed`), results
are real H.264 MP4s rendered with imageio-ffmpeg from the submitted (uploaded) image (or, for a task
endpoint without an image, that endpoint's title card), and the API key
`sandbox-invalid-key` (INVALID_API_KEY) is refused with HTTP 401; any other key is accepted.

Prompt markers (like test card numbers) make things go wrong on purpose:

- `[sandbox:fail=CODE]`: the task runs, then ends FAILED with errorCode CODE (e.g. 1505, 1501,
  1006, 1015), the vendor's message and a filled failedReason.
- `[sandbox:cancel]`: the task runs, then ends with status CANCEL.
- `[sandbox:submit429=N]`: the first N submits carrying this exact prompt answer HTTP 429
  (Retry-After: 1, errorCode 1003) and create no task.
- `[sandbox:query5xx=N]`: the first N queries of the task answer HTTP 503 (errorCode 1010).
- `[sandbox:expire]`: the task succeeds but its result URL answers 403, like an expired link.
- `[sandbox:instant]`: the submit itself answers the final status (SUCCESS with results).
- `[sandbox:queuefull]`: the submit is refused as when the key's queue is full: HTTP 200,
  errorCode 1520, no task.
- `[sandbox:shape=SHAPE]`: the task's answers take a shape the vendor's developer kit
  documents: `minimal` (submit `{"taskId"}`, queries `{"status"}`, a final `{"status",
  "results": [{"url"}]}`), `task_id` (the id as task_id), `outputUrl` (results as
  `{"outputUrl"}`) or `envelope` (the submit answer inside `{"code": 0, "msg", "data"}`).

An unknown or malformed marker is answered HTTP 422 (errorCode 1007), so typos don't pass
silently. An upload the service refuses (too large, empty, not a media type) answers the
vendor's documented HTTP 200 with `code != 0` and a `message`. An unknown path answers 404
with errorCode 1001, a wrong method 405 with errorCode 1009 and an `Allow` header. A query
for an unknown taskId answers HTTP 200 with status FAILED, errorCode 1004 ("task not
found"), as the vendor's docs describe.

    with Sandbox(port=0, speed=50) as sb:
        ...  # client at sb.base_url; sb.stats counts submits, queries, uploads, file requests
"""

from runninghub_video.sandbox._app import INVALID_API_KEY
from runninghub_video.sandbox._faults import MARKERS, FaultPlan, MarkerError, parse_faults
from runninghub_video.sandbox._limits import Limits
from runninghub_video.sandbox._server import Sandbox, serve
from runninghub_video.sandbox._stats import Stats

__all__ = [
    "INVALID_API_KEY",
    "MARKERS",
    "FaultPlan",
    "Limits",
    "MarkerError",
    "Sandbox",
    "Stats",
    "parse_faults",
    "serve",
]
