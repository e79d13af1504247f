"""Peak memory of one API call against a server that answers a 300 MB body.

Prints figures only (no assertions): the client's peak RSS (ru_maxrss of a child process
that makes the call), the bytes the server managed to send before the client hung up, and
the time. Run: `.venv/bin/python -m benchmarks.bench_huge_body [--python PYTHON]` (another
interpreter, e.g. an older checkout's, measures the client installed there).
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import threading

SIZE = 300_000_000
CHILD = """
import resource, sys, time
from runninghub_video import RunningHub, RunningHubError
start = time.monotonic()
with RunningHub("bench-key", base_url=sys.argv[1]) as rh:
    try:
        rh.get("2013508786110730241")
    except RunningHubError as error:
        outcome = type(error).__name__
print(outcome, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
      round(time.monotonic() - start, 2))
"""


def serve(status: int, sent: list[int], ready: threading.Event, port: list[int]) -> None:
    """A server that answers every request with SIZE bytes, counting what it sent."""

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while (await reader.readline()) not in (b"\r\n", b""):
            pass
        await reader.read(1 << 16)
        head = f"HTTP/1.1 {status} X\r\nContent-Type: text/html\r\nContent-Length: {SIZE}\r\n\r\n"
        writer.write(head.encode())
        block = b"x" * (1 << 16)
        try:
            while sent[0] < SIZE:
                writer.write(block)
                await writer.drain()
                sent[0] += len(block)
        except ConnectionError:
            pass
        writer.close()

    async def main() -> None:
        server = await asyncio.start_server(answer, "127.0.0.1", 0)
        port.append(server.sockets[0].getsockname()[1])
        ready.set()
        await asyncio.sleep(3600)

    asyncio.run(main())


def measure(python: str, status: int) -> None:
    sent: list[int] = [0]
    ready = threading.Event()
    port: list[int] = []
    threading.Thread(target=serve, args=(status, sent, ready, port), daemon=True).start()
    ready.wait()
    done = subprocess.run(  # noqa: S603 - our own interpreter, our own script
        [python, "-c", CHILD, f"http://127.0.0.1:{port[0]}"],
        capture_output=True, text=True, check=False, timeout=600,
    )  # fmt: skip
    outcome, rss, seconds = [*done.stdout.split(), "?", "?", "?"][:3]
    print(
        f"HTTP {status}, {SIZE // 1_000_000} MB body: {outcome}, peak RSS {rss} MB, "
        f"{seconds} s, server sent {sent[0] / 1e6:.1f} MB before the client hung up"
    )
    if done.returncode:
        print(done.stderr[-500:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--python", default=sys.executable)
    args = parser.parse_args()
    for status in (500, 200):
        measure(args.python, status)


if __name__ == "__main__":
    main()
