"""Download: a 1 GB result streamed to disk with `RunningHub.download`, versus `curl -o` on the
same URL in the same run; and the client's peak RSS for 10 MB, 100 MB and 1 GB results.

The files are served by aiohttp (sendfile) from a temporary folder, in another process. Each
RunningHub download runs in its own process, which reports the download's wall time and its
peak RSS (VmHWM) before and after. RunningHub.download fsyncs the file before renaming it
into place; curl does not, so `curl -o` + fsync is shown too.
"""

# ruff: noqa: S603  (benchmark code runs its own fixed commands: python, curl, make...)

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.common import (
    Section,
    bench_server,
    emit,
    median,
    peak_rss_mb,
    run_worker,
    verdict,
)

MB = 1000 * 1000
SIZES = {"10 MB": 10 * MB, "100 MB": 100 * MB, "1 GB": 1000 * MB}
BIG = "1 GB"
ROUNDS = 3
THROUGHPUT_TARGET = 0.9
RSS_TARGET_MB = 60.0
VARIANTS = {
    "shipped": "RunningHub.download",
}


# ------------------------------------------------------------------ worker (client process)


def worker(url: str, destination: str, variant: str) -> None:
    """Download url to destination once; print seconds and peak RSS."""
    from runninghub_video import RunningHub, Task
    from runninghub_video.types import OutputFile

    task = Task(id="1", status="SUCCESS", results=(OutputFile(url=url, output_type="mp4"),))
    with RunningHub("bench-key", base_url="http://127.0.0.1:9") as hub:
        before = peak_rss_mb()
        started = time.perf_counter()
        path = hub.download(task, destination)
        seconds = time.perf_counter() - started
    size = path.stat().st_size
    path.unlink()
    emit({"seconds": seconds, "bytes": size, "rss_before_mb": before, "peak_rss_mb": peak_rss_mb()})


# ------------------------------------------------------------------ parent


def make_file(path: Path, size: int) -> None:
    """A file of `size` random-looking bytes (one random MiB repeated)."""
    block = os.urandom(1 << 20)
    with path.open("wb") as handle:
        left = size
        while left > 0:
            handle.write(block[: min(left, len(block))])
            left -= len(block)


def fsync_file(path: Path) -> None:
    """Flush path to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def curl(url: str, destination: Path, *, sync: bool) -> float:
    """Seconds for `curl -o` (then fsync if sync), measured around the curl process."""
    curl_path = shutil.which("curl")
    if curl_path is None:
        raise RuntimeError("curl is not installed (apt-get install -y curl)")
    started = time.perf_counter()
    subprocess.run([curl_path, "-sS", "--fail", "-o", str(destination), url], check=True)
    if sync:
        fsync_file(destination)
    seconds = time.perf_counter() - started
    destination.unlink()
    return seconds


def ours(url: str, destination: Path, variant: str) -> dict[str, Any]:
    """One RunningHub.download in a worker process."""
    return run_worker("benchmarks.bench_download", url, str(destination), variant)


def run() -> Section:
    """Measure and tabulate."""
    section = Section("download", "3. Download: RunningHub.download vs curl")
    with tempfile.TemporaryDirectory(prefix="rh-bench-download-") as tmp:
        folder = Path(tmp)
        served, out = folder / "served", folder / "out"
        served.mkdir()
        out.mkdir()
        for size in SIZES.values():
            make_file(served / f"{size}.mp4", size)
        with bench_server("files", "--root", str(served)) as (base, _pid):
            big_url = f"{base}/{SIZES[BIG]}.mp4"
            times: dict[str, list[float]] = {
                "curl": [],
                "curl+fsync": [],
                **{v: [] for v in VARIANTS},
            }
            big: dict[str, list[dict[str, Any]]] = {v: [] for v in VARIANTS}
            order = list(times)
            for round_number in range(ROUNDS):
                # Rotate the order each round: no variant always follows the same one.
                shift = round_number % len(order)
                for key in order[shift:] + order[:shift]:
                    if key.startswith("curl"):
                        seconds = curl(big_url, out / "curl.mp4", sync=key == "curl+fsync")
                        times[key].append(seconds)
                        continue
                    result = ours(big_url, out / "ours.mp4", key)
                    assert result["bytes"] == SIZES[BIG], result
                    times[key].append(result["seconds"])
                    big[key].append(result)
            rss_rows: list[list[str]] = []
            rss_peaks: list[float] = []
            for label, size in SIZES.items():
                for variant, name in VARIANTS.items():
                    # 1 GB: the throughput runs' medians; smaller sizes: one run each.
                    runs = (
                        big[variant]
                        if label == BIG
                        else [ours(f"{base}/{size}.mp4", out / "ours.mp4", variant)]
                    )
                    before = median(r["rss_before_mb"] for r in runs)
                    peak = median(r["peak_rss_mb"] for r in runs)
                    if variant == "shipped":
                        rss_peaks.append(peak)
                    rss_rows.append([label, name, f"{before:.1f}", f"{peak:.1f}"])
    curl_median = median(times["curl"])
    rows: list[list[str]] = []
    for key in times:
        seconds = median(times[key])
        speed = curl_median / seconds
        target = ""
        if key == "shipped":
            target = f"{verdict(speed >= THROUGHPUT_TARGET)} (>= {THROUGHPUT_TARGET}x curl)"
        name = VARIANTS.get(key, f"`{key.replace('+', ' -o + ')}`" if "+" in key else "`curl -o`")
        rows.append(
            [name, f"{seconds:.2f}", f"{SIZES[BIG] / seconds / MB:.0f}", f"{speed:.2f}x", target]
        )
    section.table(["1 GB to disk", "seconds", "MB/s", "speed vs curl", "target"], rows)
    flat = max(rss_peaks) - min(rss_peaks)
    ok_rss = max(rss_peaks) < RSS_TARGET_MB
    section.table(["result size", "client", "RSS before MB", "peak RSS MB"], rss_rows)
    section.note(
        f"Peak RSS of the shipped client for 10 MB to 1 GB: {min(rss_peaks):.1f} to "
        f"{max(rss_peaks):.1f} MB (spread {flat:.1f} MB): "
        f"{verdict(ok_rss and flat < 5)} (flat, under {RSS_TARGET_MB:.0f} MB). "
        f"Throughput: medians of {ROUNDS} rounds, one process per download, the four "
        "alternating in a rotating order, from an aiohttp sendfile server in another process "
        "into a temporary folder on the same disk (deleted afterwards). 'RSS before' is the "
        "worker's peak RSS after imports and client creation, before the download."
    )
    section.data["missed"] = [
        *(["throughput"] if curl_median / median(times["shipped"]) < THROUGHPUT_TARGET else []),
        *([] if ok_rss and flat < 5 else ["rss"]),
    ]
    return section


def main() -> None:
    """Worker entry point: python -m benchmarks.bench_download --worker URL DEST VARIANT."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--worker", action="store_true", required=True)
    parser.add_argument("url")
    parser.add_argument("destination")
    parser.add_argument("variant", choices=list(VARIANTS))
    args = parser.parse_args()
    worker(args.url, args.destination, args.variant)


if __name__ == "__main__":
    main()
