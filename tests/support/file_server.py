"""A small real HTTP server for result-file downloads, with the faults a CDN can have.

Paths: /ok.mp4 (whole file), /short.mp4 (announces more bytes than it sends, then closes),
/expired.mp4 (403), /slow.mp4 (stalls mid-body), /chunked.mp4 (no Content-Length).
Every request's Authorization header (or None) is recorded.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PAYLOAD = bytes(range(256)) * 4096 * 3  # 3 MiB


@dataclass
class FileServer:
    base_url: str
    authorization: list[str | None] = field(default_factory=list)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.server.record.authorization.append(self.headers.get("Authorization"))
        path = self.path.split("?")[0]
        if path == "/ok.mp4":
            self._head(200, len(PAYLOAD))
            self.wfile.write(PAYLOAD)
        elif path == "/short.mp4":
            self._head(200, len(PAYLOAD))
            self.wfile.write(PAYLOAD[: len(PAYLOAD) // 2])
            self.close_connection = True
        elif path == "/expired.mp4":
            body = b"<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>"
            self._head(403, len(body), "application/xml")
            self.wfile.write(body)
        elif path == "/slow.mp4":
            self._head(200, len(PAYLOAD))
            self.wfile.write(PAYLOAD[:1000])
            self.wfile.flush()
            time.sleep(3)
            self.close_connection = True
        elif path == "/chunked.mp4":
            self.send_response(200)
            self.send_header("Content-Type", "video/mp4")
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(PAYLOAD)
            self.close_connection = True
        else:
            self._head(404, 0)

    def _head(self, status: int, length: int, ctype: str = "video/mp4") -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(length))
        self.end_headers()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    record: FileServer


@contextmanager
def file_server() -> Iterator[FileServer]:
    """Serve on a free loopback port for the duration of the block."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.record = FileServer(f"http://127.0.0.1:{server.server_address[1]}")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.record
    finally:
        server.shutdown()
        server.server_close()
