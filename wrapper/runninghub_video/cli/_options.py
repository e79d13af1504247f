"""The options the CLI's shared parts read (the run, the client, logging, errors), typed and
read from the parsed arguments in one place: each command defines only some of them, and the
others keep their defaults here, not in a getattr at every use."""

from __future__ import annotations

import argparse
import dataclasses


@dataclasses.dataclass(frozen=True)
class Options:
    """What a command was given beyond its endpoint's fields (those are read by name)."""

    command: str = ""
    base_url: str | None = None
    allow_insecure_http: bool = False
    api_key: str | None = None
    verbose: bool = False
    json: bool = False
    output: str | None = None
    overwrite: bool = False
    timeout: float | None = None
    poll_interval: float | None = None
    no_wait: bool = False
    dry_run: bool = False
    new: bool = False
    prompt: str | None = None

    @classmethod
    def of(cls, args: argparse.Namespace) -> Options:
        """The options in args; those its command does not define (or left unset) default."""
        given = vars(args)
        return cls(**{
            field.name: given[field.name]
            for field in dataclasses.fields(cls)
            if given.get(field.name) is not None
        })  # fmt: skip
