"""runninghub-video: from an image on disk to a video on disk, on RunningHub's image-to-video API.

    from runninghub_video import RunningHub

    with RunningHub() as rh:                      # key from RUNNINGHUB_API_KEY
        task = rh.run(prompt="a cat turns its head", image="cat.jpg")
        rh.download(task, "cat.mp4")

`AsyncRunningHub` has the same methods as coroutines. Every error is a RunningHubError.
"""

from __future__ import annotations

from .async_client import AsyncRunningHub
from .errors import (
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
    UnexpectedResponseError,
    WaitTimeoutError,
)
from .policy import Policy
from .sync_client import RunningHub
from .task import Task

__version__ = "0.1.0"

__all__ = [
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AsyncRunningHub",
    "AuthenticationError",
    "ConfigurationError",
    "ContentRejectedError",
    "DownloadError",
    "InvalidInputError",
    "InvalidRequestError",
    "Policy",
    "RateLimitError",
    "RunningHub",
    "RunningHubError",
    "ServerError",
    "Task",
    "TaskFailedError",
    "UnexpectedResponseError",
    "WaitTimeoutError",
    "__version__",
]
