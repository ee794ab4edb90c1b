"""Settings of the benchmark: the production stack without its secrets and outside services.

DEBUG is off and connections persist as in production (`post_program.settings.prod`), but
without a broker: background jobs are queued in memory and never run, as a web process hands
them to a worker elsewhere (so a request does not send the mail it queues). No second factor is
required, since the benchmark's accounts sign in with a password alone. The URLs add the floor
of the submission benchmark (`benchmarks.urls`), which the project's own URLs never have.
"""

import warnings

from post_program.settings.base import *  # noqa: F403
from post_program.settings.base import DATABASES

# Static files are served from the source folders (no collectstatic in a scratch run).
warnings.filterwarnings("ignore", "No directory at", UserWarning)

DEBUG = False
ROOT_URLCONF = "benchmarks.urls"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
DATABASES["default"]["CONN_MAX_AGE"] = 60
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
CELERY_BROKER_URL = "memory://"
CELERY_TASK_ALWAYS_EAGER = False
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MFA_REQUIRED_ROLES = []
