"""The Celery application: workers and beat load settings and tasks from Django.

Without DJANGO_SETTINGS_MODULE it loads the production settings, as the WSGI application does:
a worker or beat exists only where there is a broker, which the development settings do without
(they run jobs in the request), and one started with no settings named must not run as the
development site. `manage.py` and the tests name their settings before they import this.
"""

import logging.config
import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "post_program.settings.prod")

app = Celery("post_program")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.setup_logging.connect
def logging_from_django(**kwargs) -> None:
    """Workers and beat log as the web does (settings.LOGGING: LOG_FORMAT, the request id
    filter): Celery leaves the root logger alone when this signal has a receiver."""
    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)
