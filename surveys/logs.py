"""Keep survey link tokens out of every log line.

Django's request, server and security loggers write the request path of any 4xx/5xx answer
("Not Found: /surveys/answer/<token>/"). This filter, attached to those loggers when the app
loads, replaces the token with a placeholder before any handler sees the record.
"""

from __future__ import annotations

import logging
import re

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


def install() -> None:
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactSurveyTokens) for f in logger.filters):
            logger.addFilter(RedactSurveyTokens())
