"""The Celery application: workers and beat load settings and tasks from Django."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "post_program.settings.dev")

app = Celery("post_program")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
