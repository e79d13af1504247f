"""A real HTTP server on loopback that answers each POST path with fixed (status, body) answers.

For driving the wrapper and the CLI with bodies exactly as the vendor documents them. A path's
answer is one (status, body) or a list of them, given in turn (the last one repeats); a body
that is bytes is sent as it is (text/html), any other as JSON. Every request's path is
recorded, so a test can prove that a call was never made.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Answer = tuple[int, Any]


@dataclass
class Canned:
    """What the server answers (path -> answer or answers in turn) and the paths it was asked."""

    answers: dict[str, Answer | list[Answer]]
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
        canned = self.server.canned
        answers = canned.answers.get(path, (404, {"error": "no such path"}))
        if isinstance(answers, list):
            asked = canned.paths.count(path)
            answers = answers[min(asked, len(answers)) - 1]
        status, body = answers
        raw = isinstance(body, bytes)
        payload = body if raw else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html" if raw else "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    canned: Canned


@contextmanager
def canned_server(answers: Mapping[str, Answer | list[Answer]]) -> Iterator[Canned]:
    """Serve answers on a free loopback port for the duration of the block."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.canned = Canned(dict(answers), base_url=f"http://127.0.0.1:{server.server_address[1]}")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.canned
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
