"""Log lines an operations team can collect: one JSON object a line (LOG_FORMAT=json), each with
the id of the request it belongs to, which the response also carries (X-Request-ID) so a user's
report of a failure or the proxy's log leads to the lines.

A line says what happened, never to whom: the formatter writes the time, level, logger, message
and exception only, not the extra attributes a record may carry (Django's request loggers
attach the whole request).
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import uuid
from datetime import UTC, datetime

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
