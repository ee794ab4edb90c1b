"""A paging gateway on loopback for tests: an HTTP server in a thread that keeps what it was
sent and answers a chosen status, and a port nothing listens on (a gateway that is down)."""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer


class Receiver:
    """An HTTP paging gateway on loopback, in a thread: it keeps what it was sent and answers
    `status`."""

    def __init__(self, status: int = 200):
        self.status = status
        self.requests: list[tuple[dict, bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                self.send_response(receiver.status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/pages"

    def pages(self) -> list[dict]:
        """The JSON bodies received, in order."""
        return [json.loads(body) for _, body in self.requests]

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def closed_port() -> int:
    """A loopback port that refuses connections."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
