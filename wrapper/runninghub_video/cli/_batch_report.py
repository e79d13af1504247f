"""The batch's two reports beside its outputs: report.json (every row, JSON) and report.html (a
contact sheet: one first-frame thumbnail per video, its status, cost and a link to the file).
Each is written whole or not at all, never through a planted link."""

from __future__ import annotations

import base64
import concurrent.futures
import html
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from .._redaction import redact
from ._errors import CliError
from ._output import write_whole

if TYPE_CHECKING:
    from .._batch import BatchReport, RowReport

MAX_THUMBNAILS = 1000
"""Embedded thumbnails at most (about 15 kB each); the rest show the video element alone."""
THUMBNAIL_SECONDS = 30.0


def write_reports(folder: Path, report: BatchReport) -> None:
    """report.json and report.html in folder (CliError when one cannot be written)."""
    from .._batch import REPORT_FILE, REPORT_HTML

    folder.mkdir(parents=True, exist_ok=True)
    for name, text in ((REPORT_FILE, json.dumps(report.to_dict(), indent=2) + "\n"),
                       (REPORT_HTML, contact_sheet(folder, report))):  # fmt: skip
        try:
            write_whole(folder / name, text, replace=True)
        except OSError as error:
            raise CliError(f"cannot write {folder / name}: {error}") from None


def contact_sheet(folder: Path, report: BatchReport) -> str:
    """The HTML page: totals, then one card per row (every text escaped and redacted)."""
    done = [row for row in report.rows if row.state == "done" and row.output]
    thumbnails = _thumbnails([Path(row.output or "") for row in done[:MAX_THUMBNAILS]])
    totals = ", ".join(f"{count} {state}" for state, count in report.totals.items()
                       if count and state != "rows")  # fmt: skip
    cards = "\n".join(_card(folder, row, thumbnails.get(row.output or "")) for row in report.rows)
    return _PAGE.format(
        title=_text(f"{report.totals['rows']} rows: {totals}; cost {report.cost}"), cards=cards
    )


def _card(folder: Path, row: RowReport, thumbnail: str | None) -> str:
    link = ""
    if row.output and row.state == "done":
        relative = os.path.relpath(row.output, folder.resolve())
        href = html.escape(quote(relative), quote=True)
        picture = (f'<img src="{thumbnail}" alt="">' if thumbnail else
                   f'<video src="{href}#t=0.1" preload="metadata" muted></video>')  # fmt: skip
        link = f'<a href="{href}">{picture}<br>{_text(relative)}</a>'
    facts = [f"row {row.index}", row.state, row.task_id and f"task {row.task_id}",
             row.cost and f"cost {row.cost}", row.error]  # fmt: skip
    lines = "".join(f"<div>{_text(fact)}</div>" for fact in facts if fact)
    return f'<figure class="{_text(row.state)}">{link}<figcaption>{lines}</figcaption></figure>'


def _text(value: object) -> str:
    return html.escape(redact(str(value)), quote=True)


def _thumbnails(videos: list[Path]) -> dict[str, str]:
    """output -> a data: URL of its first frame (a 320-pixel-wide JPEG), where an ffmpeg is
    found (on PATH, or imageio-ffmpeg's); none without one (the page then shows the video)."""
    ffmpeg = _ffmpeg()
    if ffmpeg is None or not videos:
        return {}
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        frames = pool.map(lambda video: _first_frame(ffmpeg, video), videos)
        return {str(video): frame for video, frame in zip(videos, frames, strict=True) if frame}


def _ffmpeg() -> str | None:
    found = shutil.which("ffmpeg")
    if found:
        return found
    try:
        import imageio_ffmpeg  # the sandbox's extra ships one
    except ImportError:
        return None
    try:
        return str(imageio_ffmpeg.get_ffmpeg_exe())
    except RuntimeError:
        return None


def _first_frame(ffmpeg: str, video: Path) -> str | None:
    command = [ffmpeg, "-nostdin", "-v", "error", "-i", str(video.resolve()), "-frames:v", "1",
               "-vf", "scale=320:-2", "-f", "image2", "-c:v", "mjpeg", "pipe:1"]  # fmt: skip
    try:
        done = subprocess.run(  # noqa: S603 (fixed arguments and our own file's path)
            command, capture_output=True, timeout=THUMBNAIL_SECONDS, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0 or not done.stdout.startswith(b"\xff\xd8"):
        return None
    return "data:image/jpeg;base64," + base64.b64encode(done.stdout).decode("ascii")


_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ font: 14px system-ui, sans-serif; margin: 1em; }}
main {{ display: flex; flex-wrap: wrap; gap: 12px; }}
figure {{ width: 320px; margin: 0; padding: 6px; border: 1px solid #ccc; border-radius: 6px; }}
figure img, figure video {{ width: 320px; display: block; }}
.failed, .invalid {{ border-color: #c33; }} .unconfirmed {{ border-color: #e90; }}
</style></head>
<body><h1>{title}</h1>
<main>
{cards}
</main></body></html>
"""
