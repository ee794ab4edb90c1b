"""Liveness and readiness: `/readyz/` says 503 while the database, the cache or the broker is
down, and `/healthz/` still says the process lives."""

from __future__ import annotations

import pytest
from django.db import OperationalError, connection
from django.test import override_settings

from post_program.celery import app as celery_app
from tests.broker import own_redis  # noqa: F401 - a fixture: a redis-server of the test's own

pytestmark = pytest.mark.django_db


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


def test_not_ready_while_the_broker_is_down_and_ready_again_after(
    client,
    own_redis,  # noqa: F811 - the fixture imported above
    monkeypatch,
):
    own_redis.start()
    monkeypatch.setattr(celery_app.conf, "broker_url", own_redis.url)
    assert _ready(client)[0] == 200

    own_redis.stop()
    status, body = _ready(client)
    assert status == 503
    assert body["broker"] == "unavailable"

    own_redis.start()
    assert _ready(client)[0] == 200


def test_not_ready_while_the_cache_is_down(
    client,
    own_redis,  # noqa: F811 - the fixture imported above
):
    own_redis.start()
    redis_cache = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": own_redis.url,
        }
    }
    with override_settings(CACHES=redis_cache):
        assert _ready(client)[0] == 200
        own_redis.stop()

        status, body = _ready(client)

    assert status == 503
    assert body["cache"] == "unavailable"
    assert "Error" not in str(body)
