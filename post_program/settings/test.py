"""Tests: fast hashing, in-memory email, SQLite unless DATABASE_URL is set."""

from .base import *  # noqa: F403
from .base import env

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
DATABASES = {"default": env.db("DATABASE_URL", default="sqlite:///:memory:")}
ACCOUNT_EMAIL_VERIFICATION = "optional"
# Tests sign people in with force_login; tests/post_program/test_mfa.py turns MFA back on.
MFA_REQUIRED_ROLES = []
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CELERY_TASK_ALWAYS_EAGER = True
LOGGING = {"version": 1, "disable_existing_loggers": False}
