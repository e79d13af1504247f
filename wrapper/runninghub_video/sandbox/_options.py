"""Checks of the sandbox's settings, shared by Sandbox(...) and serve(), and the one parser of
its command line, shared by `python -m runninghub_video.sandbox` and `runninghub-video sandbox`."""

from __future__ import annotations

import argparse
import dataclasses
import ipaddress
import math
import socket
import textwrap
from typing import Any, Final

from runninghub_video.sandbox._limits import MB, Limits

DESCRIPTION: Final = (
    "Run a stateful local RunningHub image-to-video API (real MP4 results, failures on "
    "demand) until Ctrl-C."
)
MAX_SPEED: Final = 100_000.0
REMOTE_WARNING: Final = (
    "WARNING: the sandbox listens on {host}, reachable from other machines. It accepts any "
    "API key and is not a security boundary: anyone who reaches it can use its CPU and disk."
)


def check_speed(speed: float) -> float:
    """speed if it is a finite number in (0, MAX_SPEED], else ValueError saying so."""
    if isinstance(speed, bool) or not isinstance(speed, int | float):
        raise ValueError(f"speed must be a number, got {speed!r}")
    if not math.isfinite(speed) or not 0 < speed <= MAX_SPEED:
        raise ValueError(f"speed must be a number > 0 and <= {MAX_SPEED:g}, got {speed!r}")
    return float(speed)


def check_port(port: int) -> int:
    """port if it is a whole number 0-65535 (0 picks a free port), else ValueError."""
    if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
        raise ValueError(f"port must be a whole number 0-65535 (0 = any free port), got {port!r}")
    return port


def is_loopback(host: str) -> bool:
    """Whether host names only this machine (127.0.0.0/8, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        try:
            infos = socket.getaddrinfo(host, None)
        except OSError:
            return False
        return bool(infos) and all(
            ipaddress.ip_address(str(info[4][0]).split("%")[0]).is_loopback for info in infos
        )


def check_host(host: str, allow_remote: bool) -> str | None:
    """None for a loopback host; the warning to print for another host if allow_remote, else
    ValueError naming the flag that allows it."""
    if is_loopback(host):
        return None
    if not allow_remote:
        raise ValueError(
            f"host {host!r} is not a loopback address; the sandbox accepts any key and is not a "
            "security boundary. Pass --allow-remote (Sandbox(allow_remote=True)) to bind it anyway."
        )
    return REMOTE_WARNING.format(host=host)


def _port_arg(text: str) -> int:
    """argparse type for --port."""
    try:
        return check_port(int(text))
    except ValueError:
        message = f"must be a whole number 0-65535 (0 = any free port), got {text!r}"
        raise argparse.ArgumentTypeError(message) from None


def _speed_arg(text: str) -> float:
    """argparse type for --speed."""
    try:
        return check_speed(float(text))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _positive_arg(text: str) -> float:
    """argparse type for --ttl and --max-disk-mb: a finite number > 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"must be a finite number > 0: {text!r}")
    return value


def _limit_arg(text: str) -> tuple[str, float]:
    """argparse type for --limit: NAME=VALUE, a field of Limits and a value it accepts."""
    names = {field.name: field.type for field in dataclasses.fields(Limits)}
    name, _, number = text.partition("=")
    if name not in names:
        raise argparse.ArgumentTypeError(f"{text!r}: unknown limit; known: {', '.join(names)}")
    try:
        value = int(number) if names[name] in ("int", int) else float(number)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: not a number") from None
    try:
        Limits(**{name: value})  # type: ignore[arg-type]  # each field is checked alone
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return name, value


def configure_parser(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """The sandbox's command line, defined once: `python -m runninghub_video.sandbox` builds
    its parser with it, `runninghub-video sandbox` configures its subcommand with it."""
    from runninghub_video.sandbox import INVALID_API_KEY, MARKERS

    markers = "\n".join(
        f"  {marker}\n"
        + textwrap.fill(meaning, 79, initial_indent=" " * 6, subsequent_indent=" " * 6)
        for marker, meaning in MARKERS.items()
    )
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.description = textwrap.fill(DESCRIPTION, 79)
    parser.epilog = (
        f"Any API key works except {INVALID_API_KEY!r}, which is refused (HTTP 401).\n"
        "Ctrl-C stops the sandbox (exit code 0).\n\n"
        f"prompt markers (put them in --prompt to make things go wrong on purpose):\n{markers}"
    )
    parser.add_argument("--host", default="127.0.0.1", help="default: %(default)s (loopback)")
    parser.add_argument(
        "--allow-remote",
        action="store_true",
        help=(
            "allow a --host other than loopback (prints a warning: any key is accepted) and "
            "webhookUrls on other machines (by default only loopback ones are called)"
        ),
    )
    parser.add_argument(
        "--port", type=_port_arg, default=4011, help="default: %(default)s (0: any free port)"
    )
    parser.add_argument(
        "--speed",
        type=_speed_arg,
        default=1.0,
        metavar="FACTOR",
        help="divides every task's duration (default %(default)s: about 5 s a task)",
    )
    parser.add_argument(
        "--ttl",
        type=_positive_arg,
        default=None,
        metavar="SECONDS",
        help="forget tasks, uploads and renders unused this long (default: one day)",
    )
    parser.add_argument(
        "--max-disk-mb",
        type=_positive_arg,
        default=None,
        metavar="MB",
        help="disk cap for uploads + renders, least recently used first out (default: 2048)",
    )
    parser.add_argument("--data-dir", default=None, help="default: a temporary folder")
    parser.add_argument("--public-url", default=None, help="prefix of result/upload URLs")
    parser.add_argument(
        "--limit",
        type=_limit_arg,
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="set any field of runninghub_video.sandbox.Limits (repeatable), e.g. header_timeout=2",
    )
    parser.add_argument(
        "--verbose",
        action="store_true",
        default=argparse.SUPPRESS,  # not False: `runninghub-video --verbose sandbox` holds
        help="debug logging on stderr",
    )
    return parser


def serve_kwargs(args: argparse.Namespace) -> dict[str, Any]:
    """serve() keyword arguments from the options of configure_parser (a --limit wins over
    --ttl and --max-disk-mb; ValueError for a combination Limits refuses)."""
    changes: dict[str, Any] = {}
    if args.ttl is not None:
        changes["ttl"] = args.ttl
    if args.max_disk_mb is not None:
        changes["max_disk_bytes"] = int(args.max_disk_mb * MB)
    changes.update(args.limit)
    return {
        "host": args.host,
        "port": args.port,
        "speed": args.speed,
        "allow_remote": args.allow_remote,
        "data_dir": args.data_dir,
        "public_url": args.public_url,
        "limits": Limits(**changes),
    }
