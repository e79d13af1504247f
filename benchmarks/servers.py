"""Minimal loopback servers for the benchmarks, each run in its own process so that their CPU
never counts against the client being measured.

    python -m benchmarks.servers fixed --port P [--cert C --key K]   fixed TaskResult JSON
    python -m benchmarks.servers poll --port P --running N           RUNNING N times, then SUCCESS
    python -m benchmarks.servers files --port P --root DIR           static files (sendfile)

`fixed` and `poll` are raw asyncio protocols speaking just enough HTTP/1.1 (keep-alive,
Content-Length bodies), so that the server's cost per request stays far below the client's.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import ssl
from collections import Counter
from collections.abc import Callable
from pathlib import Path

RESULT_URL = "http://127.0.0.1:1/files/results/{task_id}.mp4"


def task_result(task_id: str, status: str) -> dict[str, object]:
    """A TaskResult body as the vendor sends it to a query (SUCCESS carries one mp4)."""
    success = status == "SUCCESS"
    return {
        "taskId": task_id,
        "status": status,
        "errorCode": "",
        "errorMessage": "",
        "results": (
            [{"url": RESULT_URL.format(task_id=task_id), "outputType": "mp4", "text": None}]
            if success
            else None
        ),
        "clientId": "4f1c2b7a9e8d4c3b8a1f0e9d7c6b5a49",
        "promptTips": '{"result": true, "error": null}',
        "failedReason": {},
        "usage": {
            "consumeMoney": "3.2" if success else None,
            "consumeCoins": None,
            "taskCostTime": "41" if success else None,
            "thirdPartyConsumeMoney": None,
        },
    }


def http_response(body: bytes) -> bytes:
    """A complete keep-alive HTTP/1.1 200 answer carrying a JSON body."""
    head = (
        f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


FIXED_ANSWER = http_response(json.dumps(task_result("2013508786110730241", "SUCCESS")).encode())


class HttpProtocol(asyncio.Protocol):
    """Just enough HTTP/1.1: requests with a Content-Length body, answered by `answer(body)`."""

    def __init__(self, answer: Callable[[bytes], bytes]) -> None:
        self.answer = answer
        self.buffer = bytearray()
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while (end := self.buffer.find(b"\r\n\r\n")) >= 0:
            head = bytes(self.buffer[:end]).lower()
            length = 0
            at = head.find(b"\r\ncontent-length:")
            if at >= 0:
                stop = head.find(b"\r\n", at + 2)
                length = int(head[at + 17 : stop if stop >= 0 else len(head)])
            total = end + 4 + length
            if len(self.buffer) < total:
                return
            body = bytes(self.buffer[end + 4 : total])
            del self.buffer[:total]
            assert self.transport is not None
            self.transport.write(self.answer(body))


def poll_answerer(running: int) -> Callable[[bytes], bytes]:
    """Answer each taskId RUNNING `running` times, then SUCCESS (every time after)."""
    seen: Counter[str] = Counter()
    cache: dict[tuple[str, str], bytes] = {}

    def answer(body: bytes) -> bytes:
        task_id = str(json.loads(body)["taskId"])
        seen[task_id] += 1
        status = "RUNNING" if seen[task_id] <= running else "SUCCESS"
        key = (task_id, status)
        if key not in cache:
            cache[key] = http_response(json.dumps(task_result(task_id, status)).encode())
        return cache[key]

    return answer


async def serve_raw(
    port: int, answer: Callable[[bytes], bytes], tls: ssl.SSLContext | None
) -> None:
    """Serve `answer` on 127.0.0.1:port forever."""
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: HttpProtocol(answer), "127.0.0.1", port, ssl=tls, backlog=4096
    )
    async with server:
        await server.serve_forever()


async def serve_files(port: int, root: Path) -> None:
    """Serve the files of `root` with aiohttp (sendfile) on 127.0.0.1:port forever."""
    from aiohttp import web

    app = web.Application()
    app.router.add_static("/", root)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    await asyncio.Event().wait()


def main() -> None:
    """Parse the mode and serve until killed."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.servers")
    parser.add_argument("mode", choices=["fixed", "poll", "files"])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--running", type=int, default=10)
    parser.add_argument("--root")
    args = parser.parse_args()
    if args.mode == "files":
        asyncio.run(serve_files(args.port, Path(args.root)))
        return
    tls = None
    if args.cert:
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(args.cert, args.key)
    answer = (lambda _body: FIXED_ANSWER) if args.mode == "fixed" else poll_answerer(args.running)
    asyncio.run(serve_raw(args.port, answer, tls))


if __name__ == "__main__":
    main()
