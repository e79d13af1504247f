"""A real HTTP server on loopback whose answers name what was asked, and which records the
connection (the client's port) each request came on.

A submit answers a new task (T1, T2, ... in turn), a query answers SUCCESS for the task it asks
about, with a result URL on this server (GET /files/<task id>.mp4, whose body names the task).
So a client that reads another request's answer (two processes sharing one socket) gets the
wrong task, and a test can tell which connection each request used: for forks and event loops.
It answers requests sent to it as a plain-http proxy (`POST http://host/path`) the same way,
recording the host asked for and the Authorization header: what a proxy on the way would read.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from tests.support.api import QUERY, SUBMIT


@dataclass(frozen=True)
class Request:
    """One request as the server saw it: the client's port (its connection), what it asked."""

    port: int
    method: str
    path: str
    task_id: str | None
    host: str | None = None
    """The host of an absolute-form target (a request sent to a proxy), else None."""
    authorization: str | None = None


@dataclass
class Echo:
    """The server's base URL and every request it answered, in order."""

    base_url: str = ""
    requests: list[Request] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def ports(self, path: str, task_id: str) -> set[int]:
        """The connections that carried requests to `path` about `task_id`."""
        return {r.port for r in self.requests if r.path == path and r.task_id == task_id}


def video_of(task_id: str) -> bytes:
    """The result file's body for a task."""
    return f"the video of task {task_id}".encode()


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        path, host = self._target()
        echo = self.server.echo
        body: dict[str, Any]
        with echo._lock:
            if path == SUBMIT:
                task_id = f"T{1 + sum(r.path == SUBMIT for r in echo.requests)}"
                body = {"taskId": task_id, "status": "QUEUED", "errorCode": "", "errorMessage": ""}
            else:
                task_id = json.loads(raw or b"{}").get("taskId")
                url = f"{echo.base_url}/files/{task_id}.mp4"
                body = {"taskId": task_id, "status": "SUCCESS", "errorCode": "", "errorMessage": "",
                        "results": [{"url": url, "outputType": "mp4"}]}  # fmt: skip
            echo.requests.append(self._request("POST", path, task_id, host))
        self._send(200, json.dumps(body).encode(), "application/json")

    def do_GET(self) -> None:
        path, host = self._target()
        task_id = path.removeprefix("/files/").removesuffix(".mp4")
        with self.server.echo._lock:
            self.server.echo.requests.append(self._request("GET", path, task_id, host))
        self._send(200, video_of(task_id), "video/mp4")

    def _target(self) -> tuple[str, str | None]:
        """The request's path, and its host when the target is absolute (proxy form)."""
        parts = urlsplit(self.path)
        return parts.path, parts.hostname

    def _request(self, method: str, path: str, task_id: str | None, host: str | None) -> Request:
        port, authorization = self.client_address[1], self.headers.get("Authorization")
        return Request(port, method, path, task_id, host, authorization)

    def _send(self, status: int, payload: bytes, ctype: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    echo: Echo


@contextmanager
def echo_server() -> Iterator[Echo]:
    """Serve on a free loopback port for the duration of the block."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.echo = Echo(base_url=f"http://127.0.0.1:{server.server_address[1]}")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.echo
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


__all__ = ["QUERY", "SUBMIT", "Echo", "Request", "echo_server", "video_of"]
