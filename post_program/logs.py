"""Log lines an operations team can collect: one JSON object a line (LOG_FORMAT=json), each with
the id of the request it belongs to, which the response also carries (X-Request-ID) so a user's
report of a failure or the proxy's log leads to the lines.

A line says what happened, never to whom: the formatter writes the time, level, logger, message
and exception only, not the extra attributes a record may carry (Django's request loggers
attach the whole request).

Some links carry a secret in their path (a survey link's token, a calendar feed's). Django's
request, server and security loggers write the path of any 4xx/5xx answer ("Not Found: ..."),
gunicorn's access log every request line (gunicorn.conf.py), and an error report the request's
address and breadcrumbs. Each app names its secret paths (`secret_paths_add`, from its
AppConfig.ready); a filter on those loggers and an event processor of error reporting replace
the secret with a placeholder before any handler or server sees it.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import uuid
from datetime import UTC, datetime
from typing import Any

from sentry_sdk import scope

HEADER = "X-Request-ID"
NO_REQUEST = "-"
# An id the proxy set is kept (its log then matches ours) if it is short and plain; any other
# is replaced, so a client cannot write into the log.
_ACCEPTED = re.compile(r"[A-Za-z0-9._-]{8,64}")
_request_id: contextvars.ContextVar[str] = contextvars.ContextVar(
    "post_request_id", default=NO_REQUEST
)


def request_id_clear(**kwargs) -> None:
    """At the end of a request (Django's request_finished signal): lines after it are no
    longer that request's."""
    _request_id.set(NO_REQUEST)


class RequestIdMiddleware:
    """Give each request an id, for its log lines and in its response's X-Request-ID."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        offered = request.headers.get(HEADER, "")
        request_id = offered if _ACCEPTED.fullmatch(offered) else uuid.uuid4().hex
        _request_id.set(request_id)
        response = self.get_response(request)
        response[HEADER] = request_id
        return response


class RequestIdFilter(logging.Filter):
    """Stamp each record with the current request's id (NO_REQUEST outside one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC), level, logger, request_id, message, exception."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", NO_REQUEST),
            "message": record.getMessage(),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


# --- Secrets in paths ---------------------------------------------------------------------------

REDACTED = "[redacted]"
SECRET_PATH_LOGGERS = (
    "django.request",
    "django.server",
    "django.security.csrf",
    "django.security.DisallowedHost",
    "django.security.SuspiciousOperation",
)
_secret_paths: list[re.Pattern[str]] = []


def secret_paths_add(*patterns: re.Pattern[str]) -> None:
    """Keep what each pattern matches out of every log line and error report: group 1 (the path
    up to the secret) is kept, the rest of the match becomes REDACTED."""
    for pattern in patterns:
        if pattern not in _secret_paths:
            _secret_paths.append(pattern)


def redact(text: str) -> str:
    for pattern in _secret_paths:
        text = pattern.sub(lambda match: match.group(1) + REDACTED, text)
    return text


class RedactSecretPaths(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


def event_redact(event: Any, hint: Any) -> Any:
    """An error report's event with every secret path in it redacted."""
    return json.loads(redact(json.dumps(event, default=str)))


def redaction_install() -> None:
    """Attach the filter to the loggers that write request paths, and the event processor to
    error reporting (once)."""
    if event_redact not in scope.global_event_processors:
        scope.add_global_event_processor(event_redact)
    for name in SECRET_PATH_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactSecretPaths) for f in logger.filters):
            logger.addFilter(RedactSecretPaths())
