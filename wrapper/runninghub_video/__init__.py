"""runninghub-video: from an image on disk to a video on disk, on RunningHub's image-to-video API.

    from runninghub_video import RunningHub

    with RunningHub() as rh:                      # key from RUNNINGHUB_API_KEY
        task = rh.run(prompt="a cat turns its head", image="cat.jpg")
        rh.download(task, "cat.mp4")

`AsyncRunningHub` has the same methods as coroutines. Every error is a RunningHubError.
The types (Task and its parts, the request literals) are also in `runninghub_video.types`.

The public names are imported on first use (module `__getattr__`, PEP 562): `import
runninghub_video` alone loads neither httpx nor the generated client, which keeps the CLI's
startup fast. Type checkers and IDEs see the names through the TYPE_CHECKING imports below.
"""

from __future__ import annotations

import importlib
import logging
from typing import TYPE_CHECKING

from ._redaction import install_on

# Silent unless the application configures logging; every record redacted.
install_on(logging.getLogger(__name__))

if TYPE_CHECKING:
    from ._account import Account, Price, Queue
    from ._async_client import AsyncRunningHub
    from ._errors import (
        APIConnectionError,
        APIError,
        APITimeoutError,
        AuthenticationError,
        ConfigurationError,
        ContentRejectedError,
        DownloadError,
        InvalidInputError,
        InvalidRequestError,
        RateLimitError,
        RunningHubError,
        ServerError,
        TaskFailedError,
        TaskNotFoundError,
        UnexpectedResponseError,
        WaitTimeoutError,
    )
    from ._policy import Policy
    from ._sync_client import RunningHub
    from ._task import FailureReason, OutputFile, Task, Usage, Video

__version__ = "0.1.0"

__all__ = [
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "Account",
    "AsyncRunningHub",
    "AuthenticationError",
    "ConfigurationError",
    "ContentRejectedError",
    "DownloadError",
    "FailureReason",
    "InvalidInputError",
    "InvalidRequestError",
    "OutputFile",
    "Policy",
    "Price",
    "Queue",
    "RateLimitError",
    "RunningHub",
    "RunningHubError",
    "ServerError",
    "Task",
    "TaskFailedError",
    "TaskNotFoundError",
    "UnexpectedResponseError",
    "Usage",
    "Video",
    "WaitTimeoutError",
    "__version__",
]

# Public name -> the submodule defining it.
_LAZY: dict[str, str] = {
    "AsyncRunningHub": "._async_client",
    "Policy": "._policy",
    "Account": "._account",
    "Price": "._account",
    "Queue": "._account",
    "RunningHub": "._sync_client",
    **dict.fromkeys(("FailureReason", "OutputFile", "Task", "Usage", "Video"), "._task"),
    **{name: "._errors" for name in __all__ if name.endswith("Error")},
}


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


if not TYPE_CHECKING:
    # Hidden from type checkers, so that a misspelt name stays an error instead of Any.

    def __getattr__(name: str) -> object:
        module = _LAZY.get(name)
        if module is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module, __name__), name)
        globals()[name] = value  # later lookups skip __getattr__
        return value
