"""Keep survey link tokens out of every log line and every error report.

Django's request, server and security loggers write the request path of any 4xx/5xx answer
("Not Found: /surveys/answer/<token>/"). This filter, attached to those loggers when the app
loads, replaces the token with a placeholder before any handler sees the record; an event
processor does the same to every event sent to error reporting (SENTRY_DSN), whose request
address and breadcrumbs may hold a link.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from sentry_sdk import scope

ANSWER_PATH = re.compile(r"(/surveys/answer/)(?!thanks/)[^/\s?#\"']+")
REDACTED = r"\1[redacted]"
LOGGERS = (
    "django.request",
    "django.server",
    "django.security.csrf",
    "django.security.DisallowedHost",
    "django.security.SuspiciousOperation",
)


def redact(text: str) -> str:
    return ANSWER_PATH.sub(REDACTED, text)


class RedactSurveyTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


def event_redact(event: Any, hint: Any) -> Any:
    """An error report's event with every token in it replaced by the placeholder."""
    return json.loads(redact(json.dumps(event, default=str)))


def install() -> None:
    if event_redact not in scope.global_event_processors:
        scope.add_global_event_processor(event_redact)
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactSurveyTokens) for f in logger.filters):
            logger.addFilter(RedactSurveyTokens())
