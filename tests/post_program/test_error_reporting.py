"""With SENTRY_DSN set, an unhandled error reaches a Sentry-compatible server (here one on
loopback), and the event carries no personal data: no user, cookies, request body, local
variables or survey link token. Without it nothing is started."""

from __future__ import annotations

import gzip
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import brotli
import pytest
import sentry_sdk
from django.test import Client

from post_program.error_reporting import error_reporting_start

TOKEN = "Tq3xV9sKp0aZ7yW2"
SECRET_FIELD = "Canary note: call after the night shift"


@pytest.fixture
def sentry_server():
    """A server that keeps the body of every envelope posted to it."""
    envelopes: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            encoding = self.headers.get("Content-Encoding")
            if encoding == "gzip":
                body = gzip.decompress(body)
            elif encoding == "br":
                body = brotli.decompress(body)
            envelopes.append(body.decode())
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://publickey@127.0.0.1:{server.server_address[1]}/1", envelopes
    server.shutdown()
    thread.join(timeout=5)


def _events(envelopes: list[str]) -> list[dict]:
    items = [json.loads(line) for body in envelopes for line in body.splitlines() if line]
    return [item for item in items if "exception" in item]


@pytest.mark.django_db
@pytest.mark.urls("tests.post_program.error_urls")
def test_an_error_reaches_the_server_without_personal_data(sentry_server, cast):
    dsn, envelopes = sentry_server
    error_reporting_start(dsn)
    try:
        client = Client(raise_request_exception=False)
        client.force_login(cast.physician)
        response = client.post(f"/surveys/answer/{TOKEN}/fail/?q={TOKEN}", {"note": SECRET_FIELD})
        assert response.status_code == 500
        sentry_sdk.flush(timeout=10)
    finally:
        sentry_sdk.get_client().close()
        sentry_sdk.get_global_scope().set_client(None)
    (event,) = _events(envelopes)
    assert event["exception"]["values"][-1]["value"] == "a fault in a view"
    text = json.dumps(event)
    assert TOKEN not in text and "[redacted]" in text
    assert SECRET_FIELD not in text and cast.physician.email not in text
    assert "sessionid" not in text and "csrftoken" not in text
    assert "user" not in event or "email" not in event["user"]
    frames = [f for v in event["exception"]["values"] for f in v["stacktrace"]["frames"]]
    assert frames and not any("vars" in frame for frame in frames)


def test_without_a_dsn_nothing_is_started():
    error_reporting_start("")
    assert not sentry_sdk.get_client().is_active()
