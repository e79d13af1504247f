"""A real HTTP server on loopback that answers each POST path with one fixed (status, JSON body).

For driving the wrapper and the CLI with bodies exactly as the vendor documents them. Every
request's path is recorded, so a test can prove that a call was never made.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Canned:
    """What the server answers (path -> (HTTP status, JSON body)) and the paths it was asked."""

    answers: dict[str, tuple[int, Any]]
    base_url: str = ""
    paths: list[str] = field(default_factory=list)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        path = self.path.split("?")[0]
        self.server.canned.paths.append(path)
        status, body = self.server.canned.answers.get(path, (404, {"error": "no such path"}))
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    canned: Canned


@contextmanager
def canned_server(answers: dict[str, tuple[int, Any]]) -> Iterator[Canned]:
    """Serve answers on a free loopback port for the duration of the block."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.canned = Canned(answers, base_url=f"http://127.0.0.1:{server.server_address[1]}")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.canned
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
