"""Peak memory of one API call against a server that answers a 300 MB body, and against a
compressed bomb: about 1,900 bytes of `Content-Encoding: gzip, gzip` that inflate to 2 GB.

Prints figures only (no assertions): the client's peak RSS (ru_maxrss of a child process
that makes the call), the bytes the server managed to send before the client hung up, and
the time. Run: `.venv/bin/python -m benchmarks.bench_huge_body [--python PYTHON]` (another
interpreter, e.g. an older checkout's, measures the client installed there).
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import subprocess
import sys
import threading
import zlib

SIZE = 300_000_000
BOMB_INFLATED = 1 << 30
CHILD = """
import asyncio, resource, sys, time
from runninghub_video import AsyncRunningHub, RunningHub
start = time.monotonic()
outcome = "accepted"
try:
    if sys.argv[2] == "async":
        async def go():
            async with AsyncRunningHub("bench-key", base_url=sys.argv[1]) as rh:
                await rh.get("2013508786110730241")
        asyncio.run(go())
    else:
        with RunningHub("bench-key", base_url=sys.argv[1]) as rh:
            rh.get("2013508786110730241")
except BaseException as error:
    outcome = type(error).__name__
print(outcome, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
      round(time.monotonic() - start, 2))
"""


def bomb() -> bytes:
    """A task answer followed by BOMB_INFLATED spaces (still valid JSON), gzip twice."""
    inner = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    block = b" " * (1 << 24)
    once = inner.compress(b'{"taskId": "2013508786110730241", "status": "RUNNING"}')
    once += b"".join(inner.compress(block) for _ in range(BOMB_INFLATED >> 24)) + inner.flush()
    return gzip.compress(once, 9)


def serve(status: int, sent: list[int], ready: threading.Event, port: list[int]) -> None:
    """A server that answers every request with SIZE bytes, counting what it sent (status
    0: the bomb, as a 200)."""
    payload = bomb() if status == 0 else b""

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while (await reader.readline()) not in (b"\r\n", b""):
            pass
        await reader.read(1 << 16)
        if payload:
            writer.write(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip, "
                b"gzip\r\nContent-Length: %d\r\n\r\n%s" % (len(payload), payload)
            )
            sent[0] = len(payload)
            await writer.drain()
            writer.close()
            return
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


def measure(python: str, status: int, mode: str = "sync") -> None:
    sent: list[int] = [0]
    ready = threading.Event()
    port: list[int] = []
    threading.Thread(target=serve, args=(status, sent, ready, port), daemon=True).start()
    ready.wait()
    done = subprocess.run(  # noqa: S603 - our own interpreter, our own script
        [python, "-c", CHILD, f"http://127.0.0.1:{port[0]}", mode],
        capture_output=True, text=True, check=False, timeout=600,
    )  # fmt: skip
    outcome, rss, seconds = [*done.stdout.split(), "?", "?", "?"][:3]
    if status == 0:
        print(
            f"{mode}, {sent[0]:,}-byte 'gzip, gzip' answer inflating to "
            f"{BOMB_INFLATED >> 20} MiB: {outcome}, peak RSS {rss} MB, {seconds} s"
        )
        return
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
    for mode in ("sync", "async"):
        measure(args.python, 0, mode)


if __name__ == "__main__":
    main()
