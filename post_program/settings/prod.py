"""Production: every secret comes from the environment and the process refuses to start without,
or with a broker, site address, mail backend or key that cannot work.

`python manage.py check --deploy --fail-level WARNING` passes with these settings.
"""

from urllib.parse import urlsplit

from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import PAGING_WEBHOOK_URL, env


def _required(name: str) -> str:
    value = env(name, default="")
    if not value:
        raise ImproperlyConfigured(f"{name} must be set in the environment for production.")
    return value


def _refuse(name: str, why: str) -> ImproperlyConfigured:
    return ImproperlyConfigured(f"{name} cannot be used as set for production: {why}.")


DEBUG = False
SECRET_KEY = _required("SECRET_KEY")
# The key of the pseudonyms retention leaves in place of the supported physician: a default
# would let anyone with the code re-identify them.
PSEUDONYM_KEY = _required("PSEUDONYM_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[]) or [_required("ALLOWED_HOSTS")]
DATABASES = {"default": env.db_url_config(_required("DATABASE_URL"))}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# Without a broker the base settings run every background job inside the web request: mail and
# reports would then hold requests and die with them, and beat would have nobody to run its jobs.
# With it, the base settings make it the cache and the Celery broker.
if urlsplit(_required("REDIS_URL")).scheme not in ("redis", "rediss"):
    raise _refuse("REDIS_URL", "give a redis:// or rediss:// address")

# Every link in an email is built on it (post_program.mail.email_link, the account adapter).
SITE_URL = _required("SITE_URL")
_site = urlsplit(SITE_URL)
if _site.scheme not in ("http", "https") or not _site.hostname:
    raise _refuse("SITE_URL", "give the address people open, as scheme://host[:port]")

# A page to the hospital's gateway carries a reply link that acknowledges the alert: never in
# clear text across the network (the base settings let http through to loopback only).
if PAGING_WEBHOOK_URL and urlsplit(PAGING_WEBHOOK_URL).scheme != "https":
    raise _refuse("PAGING_WEBHOOK_URL", "give an https:// address")

# The base default prints mail on the console; Django's other test backends keep it in memory,
# drop it or write it to files. None of them delivers a password reset or a referral to anybody.
_UNDELIVERED = {
    f"django.core.mail.backends.{name}.EmailBackend": why
    for name, why in {
        "console": "only prints mail",
        "locmem": "never delivers mail (it keeps it in memory)",
        "dummy": "never delivers mail (it drops it)",
        "filebased": "never delivers mail (it writes it to files)",
    }.items()
}
EMAIL_BACKEND = _required("EMAIL_BACKEND")
if EMAIL_BACKEND in _UNDELIVERED:
    raise _refuse("EMAIL_BACKEND", f"{EMAIL_BACKEND} {_UNDELIVERED[EMAIL_BACKEND]}; use SMTP")

# The key of the second factors' secrets at rest (post_program.mfa_secrets). It is kept apart
# from SECRET_KEY, which the base settings derive it from elsewhere, so that rotating one does
# not lock every account out of its authenticator app.
MFA_ENCRYPTION_KEY = _required("MFA_ENCRYPTION_KEY")
try:
    Fernet(MFA_ENCRYPTION_KEY)
except ValueError as error:
    raise _refuse("MFA_ENCRYPTION_KEY", str(error).rstrip(".")) from None

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# The header by which the TLS-terminating proxy says the client used https (the request header
# in Django's META form); empty when the application terminates TLS itself.
_SSL_HEADER = env("SECURE_PROXY_SSL_HEADER", default="HTTP_X_FORWARDED_PROTO")
SECURE_PROXY_SSL_HEADER = (_SSL_HEADER, "https") if _SSL_HEADER else None
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz/$", r"^readyz/$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
