"""Optional error reporting to a Sentry-compatible server (SENTRY_DSN), started by each process
(web, worker, beat, commands) when the app loads.

An event says where the code failed, never about whom: no user, cookies, headers that identify,
request bodies or local variables (a frame's variables may hold a name or a note). Secrets in
link paths (survey and calendar feed tokens) are redacted from every event (post_program.logs),
as from the logs.
"""

from __future__ import annotations

import sentry_sdk
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration


def error_reporting_start(dsn: str, *, environment: str = "production") -> None:
    """Report unhandled errors to `dsn`; do nothing when it is empty."""
    if not dsn:
        return
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        # What integrations may collect: nothing about the person or what they sent. (This
        # supersedes send_default_pii, which stays at its default, off.)
        data_collection={
            "user_info": False,
            "cookies": {"mode": "off"},
            "http_headers": {"request": {"mode": "off"}},
            "http_bodies": [],
            "url_query_params": {"mode": "off"},
            "database_query_data": False,
            "queues": False,
            "stack_frame_variables": False,
        },
        traces_sample_rate=0.0,
    )
