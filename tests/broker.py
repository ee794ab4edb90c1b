"""A Redis of a test's own, to stop and start again, and a way to publish tasks to it for real
(tests otherwise run tasks eagerly). Never the shared Redis."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from post_program.celery import app as celery_app


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class OwnRedis:
    """A redis-server on a free loopback port that a test stops and starts at will."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.server: subprocess.Popen | None = None

    def start(self) -> None:
        self.server = subprocess.Popen(  # noqa: S603 - a fixed local binary, our own arguments
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""],  # noqa: S607
            stdout=subprocess.DEVNULL,
        )
        for _ in range(50):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.1).close()
                return
            except OSError:
                time.sleep(0.1)

    def stop(self) -> None:
        if self.server is not None:
            self.server.terminate()
            self.server.wait(timeout=10)
            self.server = None


@pytest.fixture
def own_redis() -> Iterator[OwnRedis]:
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed here")
    redis = OwnRedis()
    yield redis
    redis.stop()


@contextmanager
def real_broker(url: str) -> Iterator[None]:
    """Publish tasks to `url` instead of running them at once."""
    conf = celery_app.conf
    saved = (conf.broker_url, conf.task_always_eager)

    def reset() -> None:
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    conf.broker_url, conf.task_always_eager = url, False
    reset()
    try:
        yield
    finally:
        conf.broker_url, conf.task_always_eager = saved
        reset()


def drain(url: str) -> list[tuple[str, list]]:
    """Take every task message waiting in the default queue at `url`: (task name, args)."""
    taken = []
    with real_broker(url), celery_app.connection_for_read() as conn:
        simple = conn.SimpleQueue(celery_app.conf.task_default_queue)
        try:
            while True:
                try:
                    message = simple.get(timeout=1)
                except simple.Empty:
                    break
                message.ack()
                taken.append((message.headers["task"], message.decode()[0]))
        finally:
            simple.close()
    return taken


def run(taken: list[tuple[str, list]]) -> None:
    """Run drained tasks as a worker would."""
    for name, args in taken:
        celery_app.tasks[name].apply(args=args)
