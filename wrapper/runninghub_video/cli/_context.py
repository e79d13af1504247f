"""What a command's handler gets: its options, the display, its task run, the API client."""

from __future__ import annotations

import argparse
import os
from typing import TYPE_CHECKING, NamedTuple

from ._options import Options
from ._output import Display
from ._task_run import TaskRun

if TYPE_CHECKING:
    from .._sync_client import RunningHub


class Context(NamedTuple):
    """One command's options, display and task run (the error handler reads the run)."""

    args: argparse.Namespace
    display: Display
    run: TaskRun

    @property
    def options(self) -> Options:
        """The typed options (the run's: read from args once)."""
        return self.run.options

    @classmethod
    def create(cls, args: argparse.Namespace, display: Display) -> Context:
        """A context with a fresh task run."""
        return cls(args, display, TaskRun(args, display))

    def client(self) -> RunningHub:
        """The API client, configured from the options and the environment."""
        from .._errors import ConfigurationError
        from .._policy import Policy
        from .._settings import ENV_API_KEY
        from .._sync_client import RunningHub

        options = self.options
        if not (options.api_key or os.environ.get(ENV_API_KEY, "")).strip():
            raise ConfigurationError(
                f"no API key: set {ENV_API_KEY} (or pass --api-key, which other users can see "
                "in ps); keys belong to one site, runninghub.cn or runninghub.ai"
            )
        interval = options.poll_interval
        policy = Policy() if interval is None else Policy(poll_interval=interval)
        return RunningHub(
            options.api_key,
            base_url=options.base_url,
            policy=policy,
            allow_insecure_http=options.allow_insecure_http,
        )
