"""With LOG_FORMAT=json every log line is one JSON object carrying the request's id; the access
log of gunicorn (gunicorn.conf.py) carries no link token (survey, calendar feed) and nothing that
identifies."""

from __future__ import annotations

import datetime
import importlib.util
import json
import logging
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from gunicorn.config import Config

from post_program.logs import JsonFormatter, RequestIdFilter

ROOT = Path(__file__).resolve().parents[2]


def format_json(record: logging.LogRecord) -> dict:
    line = JsonFormatter().format(record)
    assert "\n" not in line
    return json.loads(line)


@pytest.fixture
def captured():
    """Records of the django.request logger and of one the test names, as the console sees them."""
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]
    handler.addFilter(RequestIdFilter())  # as settings.LOGGING's console handler has it
    for name in ("django.request", "post.test"):
        logging.getLogger(name).addHandler(handler)
    yield records
    for name in ("django.request", "post.test"):
        logging.getLogger(name).removeHandler(handler)


@pytest.mark.django_db
def test_a_requests_log_lines_and_its_response_share_one_request_id(cast, captured):
    response = cast.client("physician").get("/no/such/page/")
    request_id = response.headers["X-Request-ID"]
    assert len(request_id) >= 16
    (record,) = [r for r in captured if r.name == "django.request"]
    line = format_json(record)
    assert line["request_id"] == request_id
    assert line["level"] == "WARNING" and line["logger"] == "django.request"
    assert line["message"] == "Not Found: /no/such/page/"
    datetime.datetime.fromisoformat(line["time"])
    other = cast.client("physician").get("/no/such/page/")
    assert other.headers["X-Request-ID"] != request_id


@pytest.mark.django_db
def test_the_proxys_request_id_is_kept_and_a_forged_one_replaced(cast):
    client = cast.client("physician")
    kept = client.get("/help/", headers={"X-Request-ID": "lb-4f2a9c0e"})
    assert kept.headers["X-Request-ID"] == "lb-4f2a9c0e"
    forged = client.get("/help/", headers={"X-Request-ID": 'x" injected\nline'})
    assert forged.headers["X-Request-ID"] != 'x" injected\nline'
    assert forged.headers["X-Request-ID"].isalnum()


def test_a_line_outside_a_request_has_no_id_and_keeps_its_exception():
    try:
        raise ValueError("broken")
    except ValueError:
        record = logging.LogRecord(
            "post.test", logging.ERROR, __file__, 1, "job %s", ("x",), sys.exc_info()
        )
    RequestIdFilter().filter(record)
    line = format_json(record)
    assert line["request_id"] == "-" and line["message"] == "job x"
    assert "ValueError: broken" in line["exception"]


def test_log_format_json_selects_the_json_formatter(monkeypatch):
    import post_program.settings.base as base

    monkeypatch.setenv("LOG_FORMAT", "json")
    spec = importlib.util.spec_from_file_location("base_json", base.__file__)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    handler = module.LOGGING["handlers"]["console"]
    assert module.LOGGING["formatters"][handler["formatter"]]["()"].endswith("JsonFormatter")
    assert "request_id" in handler["filters"]


def gunicorn_config():
    spec = importlib.util.spec_from_file_location("gunicorn_conf", ROOT / "gunicorn.conf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    config = Config()
    for name in ("accesslog", "access_log_format", "logger_class"):
        config.set(name, getattr(module, name))
    return config


def test_the_gunicorn_access_log_carries_no_survey_token(capsys):
    config = gunicorn_config()
    logger = config.logger_class(config)
    token = "Tq3xV9sKp0aZ7yW2"
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/surveys/answer/{token}/?from=mail",
        "PATH_INFO": f"/surveys/answer/{token}/",
        "QUERY_STRING": "from=mail",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "10.0.0.9",
        "HTTP_REFERER": f"https://post.example/surveys/answer/{token}/",
        "HTTP_USER_AGENT": "Mozilla/5.0 (the physician's own phone)",
    }
    response = SimpleNamespace(status="200 OK", sent=512, headers=[("X-Request-ID", "abc123")])
    request = SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"])])
    logger.access(response, request, environ, datetime.timedelta(milliseconds=12))
    line = capsys.readouterr().out
    assert "GET /surveys/answer/[redacted]/?from=mail HTTP/1.1" in line
    assert " 200 " in line and "abc123" in line
    assert token not in line and "phone" not in line


def test_workers_and_beat_log_as_the_web_does():
    """Celery replaces the root logger's handlers with its own format unless a receiver of
    setup_logging configures logging; then LOG_FORMAT reaches the workers too."""
    from post_program.celery import app

    root = logging.getLogger()
    before = list(root.handlers)
    app.log.already_setup = False
    try:
        app.log.setup_logging_subsystem(loglevel="INFO", colorize=False)
        assert [handler for handler in root.handlers if handler not in before] == []
    finally:
        for handler in root.handlers[:]:
            if handler not in before:
                root.removeHandler(handler)
        app.log.already_setup = False


def test_the_gunicorn_access_log_carries_no_calendar_feed_token(capsys):
    config = gunicorn_config()
    logger = config.logger_class(config)
    token = "hG7c2LkQ0s9ZrT4xWq1vNb8yUe3aJm6dPo5iKf2lRt0"
    path = f"/on-call/feed/{token}.ics"
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": path,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "10.0.0.9",
    }
    response = SimpleNamespace(status="200 OK", sent=2048, headers=[("X-Request-ID", "def456")])
    logger.access(
        response, SimpleNamespace(headers=[]), environ, datetime.timedelta(milliseconds=9)
    )
    line = capsys.readouterr().out
    assert "GET /on-call/feed/[redacted] HTTP/1.1" in line
    assert token not in line
