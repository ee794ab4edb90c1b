"""The Celery application: workers and beat load settings and tasks from Django.

Without DJANGO_SETTINGS_MODULE it loads the production settings, as the WSGI application does:
a worker or beat exists only where there is a broker, which the development settings do without
(they run jobs in the request), and one started with no settings named must not run as the
development site. `manage.py` and the tests name their settings before they import this.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "post_program.settings.prod")

app = Celery("post_program")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
