"""Liveness and readiness: `/readyz/` says 503 while the database, the cache or the broker is
down, and `/healthz/` still says the process lives."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time

import pytest
from django.db import OperationalError, connection
from django.test import override_settings

from post_program.celery import app as celery_app

pytestmark = pytest.mark.django_db


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def own_redis():
    """A redis-server of this test's own on a free port (never the shared one), and a way to
    stop it."""
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed here")
    port = _free_port()
    server = subprocess.Popen(  # noqa: S603 - a fixed local binary with our own arguments
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", ""],  # noqa: S607
        stdout=subprocess.DEVNULL,
    )
    for _ in range(50):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            break
        except OSError:
            time.sleep(0.1)
    yield f"redis://127.0.0.1:{port}/0", server
    server.terminate()
    server.wait(timeout=10)


def _ready(client):
    response = client.get("/readyz/")
    return response.status_code, response.json()


def test_ready_when_every_service_answers(client):
    assert _ready(client) == (200, {"database": "ok", "cache": "ok", "broker": "ok"})


def test_not_ready_while_the_database_is_down_but_still_alive(client, monkeypatch):
    def down(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", down)

    status, body = _ready(client)
    assert status == 503
    assert body == {"database": "unavailable", "cache": "ok", "broker": "ok"}
    assert client.get("/healthz/").content == b"ok"


def test_not_ready_while_the_broker_is_down_and_ready_again_after(client, own_redis, monkeypatch):
    url, server = own_redis
    monkeypatch.setattr(celery_app.conf, "broker_url", url)
    assert _ready(client)[0] == 200

    server.terminate()
    server.wait(timeout=10)

    status, body = _ready(client)
    assert status == 503
    assert body["broker"] == "unavailable"


def test_not_ready_while_the_cache_is_down(client, own_redis):
    url, server = own_redis
    redis_cache = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    }
    with override_settings(CACHES=redis_cache):
        assert _ready(client)[0] == 200
        server.terminate()
        server.wait(timeout=10)

        status, body = _ready(client)

    assert status == 503
    assert body["cache"] == "unavailable"
    assert "Error" not in str(body)
