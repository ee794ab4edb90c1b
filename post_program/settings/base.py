"""Settings shared by every environment, read from the process environment.

Every value has a zero-configuration default suitable for a laptop (SQLite, in-process jobs,
console email); `prod` removes the defaults that would be unsafe on a server.
"""

import base64
import hashlib
from pathlib import Path
from urllib.parse import urlsplit

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

SECRET_KEY = env("SECRET_KEY", default="insecure-development-key-do-not-use-in-production")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "post_program.admin_apps.PostAdminConfig",  # django.contrib.admin, audited
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "csp",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_celery_beat",
]
# Our apps, in dependency order: each depends only on those above it.
LOCAL_APPS = ["post_program", "surveys", "training", "interactions", "reporting"]
INSTALLED_APPS += LOCAL_APPS

MIDDLEWARE = [
    "post_program.logs.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "post_program.middleware.SessionLifetimeMiddleware",
    "post_program.middleware.UserLanguageMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "post_program.middleware.MFARequiredMiddleware",
]

ROOT_URLCONF = "post_program.urls"
WSGI_APPLICATION = "post_program.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "post_program.context_processors.program",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "post_program.User"
# Django's and allauth's, loading the user's roster entry with the user (auth_backends.py).
AUTHENTICATION_BACKENDS = [
    "post_program.auth_backends.ModelBackend",
    "post_program.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "post_program.passwords.GuessablePasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "account_login"

# English and Spanish. A signed-in user's choice (User.language) wins; otherwise the language
# chosen on the page (a cookie) or the browser's preference; English by default.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = env("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = BASE_DIR / "media"

# Cache and background jobs: Redis when REDIS_URL is set, otherwise in-process.
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# No task may run for ever: at the soft limit it is told to stop (SoftTimeLimitExceeded, its
# transaction rolls back and it is retried or swept later), at the hard limit its process is
# replaced. Both are well above a batch of emails at EMAIL_TIMEOUT each.
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=300)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=360)
CELERY_BEAT_SCHEDULE: dict = {}
# Training: refresher reminders (rows are idempotent, so an hourly run only catches up).
CELERY_BEAT_SCHEDULE["training-refresher-reminders"] = {
    "task": "training.tasks.refresher_reminders_run",
    "schedule": 60 * 60,
}

# Email: console unless an SMTP host is configured.
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
# Seconds a mail server may take to answer each step: a server that accepts and never answers
# must fail the send (to be retried), not hold a worker, a row lock or a request for minutes.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="POST <post@localhost>")
# The outbox (post_program/outbox.py): emails due again after a back-off, or left unsent
# because the broker was down when their change committed, are queued again every minute.
CELERY_BEAT_SCHEDULE["post_program-outbox-sweep"] = {
    "task": "post_program.tasks.outbox_sweep",
    "schedule": 60,
}
CELERY_BEAT_SCHEDULE["post_program-import-jobs-sweep"] = {
    "task": "post_program.tasks.import_jobs_sweep",
    "schedule": 2 * 60,
}
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")


def _hours(name: str, default: int) -> int:
    """A whole number of hours from the environment, or a message that names the variable."""
    try:
        return env.int(name, default=default)
    except ValueError:
        raise ImproperlyConfigured(
            f"{name} must be a whole number of hours, not {env.str(name)!r}."
        ) from None


# Program settings (see README: Configuration): the defaults of the settings the director owns,
# read through post_program.program_settings.get() and never directly.
SUPPRESSION_THRESHOLD = env.int("SUPPRESSION_THRESHOLD", default=11)
# First contact is due FIRST_CONTACT_DEADLINE_HOURS after a request arrives, or
# URGENT_FIRST_CONTACT_HOURS after one that reports an urgent safety concern (post_program.checks
# refuses hours below 1, and an urgent deadline longer than the routine one).
FIRST_CONTACT_DEADLINE_HOURS = _hours("FIRST_CONTACT_DEADLINE_HOURS", 24)
URGENT_FIRST_CONTACT_HOURS = _hours("URGENT_FIRST_CONTACT_HOURS", 4)
REFRESHER_MONTHS = env.int("REFRESHER_MONTHS", default=24)
# Training: days before a refresher falls due that the supporter is reminded, and whether a
# completed initial course activates the physician as a supporter without a coordinator.
REFRESHER_REMINDER_DAYS = env.int("REFRESHER_REMINDER_DAYS", default=30)
AUTO_ACTIVATE_SUPPORTERS = env.bool("AUTO_ACTIVATE_SUPPORTERS", default=False)
RETENTION_DAYS = env.int("RETENTION_DAYS", default=90)
SIGNUP_EMAIL_DOMAINS = [d.lower() for d in env.list("SIGNUP_EMAIL_DOMAINS", default=[])]
# "Label|link" pairs separated by ";" — shown on every page in the "need help now" banner.
CRISIS_RESOURCES = env(
    "CRISIS_RESOURCES",
    default=(
        "Emergency services|tel:911;"
        "988 Suicide & Crisis Lifeline (call or text)|tel:988;"
        "Physician Support Line|tel:+18884090141"
    ),
)

# Referrals (interactions): a supporter must accept an assignment within ACCEPT_WITHIN_HOURS or
# it returns to the queue; they are reminded REMINDER_BEFORE_HOURS before first contact is due
# (half-way through a deadline shorter than twice that, such as the urgent one);
# a physician may run ROSTER_SEARCHES_PER_MINUTE colleague searches a minute.
ACCEPT_WITHIN_HOURS = env.int("ACCEPT_WITHIN_HOURS", default=4)
# Whether a signed-in physician may refer a colleague anonymously (the director's option).
ANONYMOUS_COLLEAGUE_REFERRALS = env.bool("ANONYMOUS_COLLEAGUE_REFERRALS", default=False)
REMINDER_BEFORE_HOURS = env.int("REMINDER_BEFORE_HOURS", default=4)
ROSTER_SEARCHES_PER_MINUTE = env.int("ROSTER_SEARCHES_PER_MINUTE", default=30)
CELERY_BEAT_SCHEDULE["interactions-deadlines"] = {
    "task": "interactions.tasks.deadlines_process",
    "schedule": 5 * 60,
}
# Urgent referrals (docs/paging.md): the site's first on-call person is paged at once; with no
# acknowledgement after URGENT_ACK_MINUTES the next one is, then all the site's coordinators,
# again every URGENT_ACK_MINUTES until someone acknowledges. PAGING_CHANNELS are tried in order
# ("webhook,email": the hospital's paging gateway, and email when it keeps failing); the webhook
# is an HTTPS POST to PAGING_WEBHOOK_URL signed with PAGING_WEBHOOK_SECRET (plain http only to
# this machine, for a gateway on loopback and for tests; production refuses it).
URGENT_ACK_MINUTES = env.int("URGENT_ACK_MINUTES", default=15)
PAGING_CHANNELS = env.list("PAGING_CHANNELS", default=["email"])
PAGING_WEBHOOK_URL = env("PAGING_WEBHOOK_URL", default="")
PAGING_WEBHOOK_SECRET = env("PAGING_WEBHOOK_SECRET", default="")


def _paging_refused() -> str:
    """Why the paging settings cannot work ("" when they can)."""
    unknown = set(PAGING_CHANNELS) - {"email", "webhook"}
    if unknown or not PAGING_CHANNELS:
        return "PAGING_CHANNELS takes email and webhook, in the order they are tried"
    if URGENT_ACK_MINUTES < 1:
        return "URGENT_ACK_MINUTES must be at least 1"
    if "webhook" not in PAGING_CHANNELS:
        return ""
    if not PAGING_WEBHOOK_SECRET:
        return "the webhook channel needs PAGING_WEBHOOK_SECRET to sign its requests"
    url = urlsplit(PAGING_WEBHOOK_URL)
    loopback = url.scheme == "http" and url.hostname in ("127.0.0.1", "localhost", "::1")
    if not url.hostname or not (url.scheme == "https" or loopback):
        return "PAGING_WEBHOOK_URL must be an https:// address"
    return ""


if _paging_refused():
    raise ImproperlyConfigured(f"Paging cannot work as set: {_paging_refused()}.")
CELERY_BEAT_SCHEDULE["interactions-urgent-paging"] = {
    "task": "interactions.tasks.urgent_paging_process",
    "schedule": 60,
}
# Case work: a supporter is offered a debrief after an escalation or after more than
# DEBRIEF_AFTER_INTERACTIONS interactions in 30 days. Retention: RETENTION_DAYS after a case
# closes, a daily job de-identifies it, replacing each link to the supported physician with an
# HMAC-SHA256 pseudonym under PSEUDONYM_KEY (required in production; never change it once set,
# or the same physician would be counted twice).
DEBRIEF_AFTER_INTERACTIONS = env.int("DEBRIEF_AFTER_INTERACTIONS", default=5)
PSEUDONYM_KEY = env("PSEUDONYM_KEY", default="insecure-development-pseudonym-key")
CELERY_BEAT_SCHEDULE["interactions-retention-purge"] = {
    "task": "interactions.tasks.retention_purge",
    "schedule": crontab(minute=15, hour=2),
}

# Surveys: recipient feedback goes out RECIPIENT_FEEDBACK_DELAY_DAYS after a case closes as
# supported; automatic links work SURVEY_AUTOMATIC_LINK_DAYS; events older than
# SURVEY_AUTOMATIC_LOOKBACK_DAYS are not invited (so turning the job on does not mail the past);
# SURVEY_REMINDER_DAYS are the default reminder days after an invitation. Submissions are
# settled into responses once SURVEY_SETTLE_MIN are waiting, or at the end of their month.
RECIPIENT_FEEDBACK_DELAY_DAYS = env.int("RECIPIENT_FEEDBACK_DELAY_DAYS", default=3)
SURVEY_AUTOMATIC_LINK_DAYS = env.int("SURVEY_AUTOMATIC_LINK_DAYS", default=30)
SURVEY_AUTOMATIC_LOOKBACK_DAYS = env.int("SURVEY_AUTOMATIC_LOOKBACK_DAYS", default=14)
SURVEY_REMINDER_DAYS = [int(d) for d in env.list("SURVEY_REMINDER_DAYS", default=["7", "14"])]
SURVEY_SETTLE_MIN = env.int("SURVEY_SETTLE_MIN", default=3)
CELERY_BEAT_SCHEDULE["surveys-schedule"] = {
    "task": "surveys.tasks.surveys_run_schedule",
    "schedule": 15 * 60,
}
CELERY_BEAT_SCHEDULE["surveys-invite-after-events"] = {
    "task": "surveys.tasks.surveys_invite_after_events",
    "schedule": 60 * 60,
}

# Reporting: report files prepared in the background are kept REPORT_EXPORT_KEEP_DAYS days; the
# monthly digest (a link to the dashboards, no figures) goes to directors and leads early on the
# first of each month, and a daily run catches up on any that could not be sent.
REPORT_EXPORT_KEEP_DAYS = env.int("REPORT_EXPORT_KEEP_DAYS", default=7)
CELERY_BEAT_SCHEDULE["reporting-monthly-digest"] = {
    "task": "reporting.tasks.digest_send_monthly",
    "schedule": crontab(minute=0, hour=7),
}
CELERY_BEAT_SCHEDULE["reporting-exports-sweep"] = {
    "task": "reporting.tasks.report_exports_sweep",
    "schedule": 2 * 60,
}
CELERY_BEAT_SCHEDULE["reporting-exports-purge"] = {
    "task": "reporting.tasks.report_exports_purge",
    "schedule": crontab(minute=30, hour=3),
}

# Sign-in (django-allauth).
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = env("ACCOUNT_EMAIL_VERIFICATION", default="mandatory")
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_ADAPTER = "post_program.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "post_program.adapters.SocialAccountAdapter"
ACCOUNT_FORMS = {"reset_password": "post_program.forms.PasswordResetForm"}
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_SESSION_REMEMBER = None
# Failed sign-ins: 10 a minute per client address, and 5 in 5 minutes per account *at that
# address* (AccountAdapter keys them so): a stranger's failures never lock the owner out from
# their own address. A successful password reset clears the count of the address it came from.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
}
# Behind a load balancer every request comes from its address: the limits above must count the
# client's. TRUSTED_PROXY_COUNT is the number of proxies in front of the application that each
# append to X-Forwarded-For (the client is the entry the outermost one added); or
# TRUSTED_CLIENT_IP_HEADER names a header the proxy sets to the client address (e.g. X-Real-IP)
# and clients cannot. Neither is set when the application is reached directly.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = env("TRUSTED_CLIENT_IP_HEADER", default="") or None
# The host the proxy was asked for (X-Forwarded-Host) instead of the one it asks the app for.
USE_X_FORWARDED_HOST = env.bool("USE_X_FORWARDED_HOST", default=False)
# The program's name where allauth would show the request's host: its emails' greeting and
# subject, and authenticator apps.
PROGRAM_NAME = "POST"
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{PROGRAM_NAME}] "
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = PROGRAM_NAME
# The authenticator apps' keys and the recovery codes' seeds are stored encrypted with this
# Fernet key (post_program.mfa_secrets). Production requires it; elsewhere it is derived from
# SECRET_KEY so that development and tests need no setting.
MFA_ADAPTER = "post_program.mfa_secrets.MFAAdapter"
MFA_ENCRYPTION_KEY = (
    env("MFA_ENCRYPTION_KEY", default="")
    or base64.urlsafe_b64encode(
        hashlib.sha256(f"mfa-encryption:{SECRET_KEY}".encode()).digest()
    ).decode()
)
# Accounts holding any of these must set up an authenticator app before anything else: program
# roles (director, coordinator, lead, supporter, physician) and the admin's account flags
# (staff, superuser). A sign-in through a single sign-on provider listed in
# SSO_PROVIDERS_ENFORCING_MFA (its provider id: OIDC_PROVIDER_ID) counts as MFA.
MFA_REQUIRED_ROLES = env.list(
    "MFA_REQUIRED_ROLES",
    default=["superuser", "staff", "director", "coordinator", "lead", "supporter"],
)
SSO_PROVIDERS_ENFORCING_MFA = env.list("SSO_PROVIDERS_ENFORCING_MFA", default=[])

# Optional single sign-on with the health system's OpenID Connect provider.
SOCIALACCOUNT_ONLY = False
# The provider is the health system's own: an address it asserts as verified (email_verified)
# signs in the program's account with that address and links it, so people who had an account
# before single sign-on keep it. An address it does not mark verified opens no account.
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
# OIDC_ONLY: the provider is the only way in. Password sign-in, sign-up and password reset are
# refused with a message saying so (the admin's login is the same sign-in page).
OIDC_ONLY = env.bool("OIDC_ONLY", default=False)
SOCIALACCOUNT_PROVIDERS: dict = {}
if env("OIDC_CLIENT_ID", default=""):
    SOCIALACCOUNT_PROVIDERS["openid_connect"] = {
        "APPS": [
            {
                "provider_id": env("OIDC_PROVIDER_ID", default="health-system"),
                "name": env("OIDC_NAME", default="Health system sign-in"),
                "client_id": env("OIDC_CLIENT_ID"),
                "secret": env("OIDC_CLIENT_SECRET", default=""),
                "settings": {"server_url": env("OIDC_SERVER_URL")},
            }
        ]
    }

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

SESSION_COOKIE_HTTPONLY = True
# Flash messages name physicians ("Assigned to ..."): keep them in the session, never in the
# signed but readable cookie Django uses by default.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
# A session ends after SESSION_IDLE_MINUTES without a request, and SESSION_MAX_HOURS after
# sign-in however active it is (post_program.middleware.SessionLifetimeMiddleware).
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_MINUTES", default=30) * 60
SESSION_MAX_AGE = env.int("SESSION_MAX_HOURS", default=12) * 60 * 60
X_FRAME_OPTIONS = "DENY"

# Scripts, styles and everything else come from this site only: no inline script or style,
# no eval (htmx is configured without it in base.html). Bootstrap's form controls draw with
# data: images.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Browser features the program never uses are switched off for every page.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
}

# LOG_FORMAT=json: one JSON object a line for a log collector (post_program.logs); plain
# otherwise. Either way each line carries the id of its request (X-Request-ID).
LOG_FORMAT = env("LOG_FORMAT", default="plain")
# Optional: unhandled errors of every process go to this Sentry-compatible server, without
# personal data (post_program.error_reporting). Unset: no error reporting.
SENTRY_DSN = env("SENTRY_DSN", default="")
SENTRY_ENVIRONMENT = env("SENTRY_ENVIRONMENT", default="production")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "post_program.logs.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "post_program.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "plain",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # WeasyPrint and fontTools report every layout step at INFO while a PDF report is drawn.
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# The REST API under /api/v1/ (docs/api.md): Django REST Framework, described by drf-spectacular,
# its docs page drawn with the Swagger UI that drf-spectacular-sidecar ships (no CDN). Only API
# tokens sign a call in (no session, so no CSRF to forge), JSON only, and each token may make
# API_TOKEN_RATE calls (N/second, minute, hour or day) before it is told to wait (429).
INSTALLED_APPS += ["rest_framework", "drf_spectacular", "drf_spectacular_sidecar"]
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Each endpoint is a post_program.rest.TokenView, which names its token classes; a view
    # that is not (the schema and docs pages name theirs) lets nobody in.
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
API_TOKEN_RATE = env("API_TOKEN_RATE", default="120/minute")
SPECTACULAR_SETTINGS = {
    "TITLE": "POST API",
    "DESCRIPTION": "The RE-AIM report, departments, the roster and event outreach (docs/api.md).",
    "VERSION": "1",
    "SCHEMA_PATH_PREFIX": "/api/v1/",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {"ApiScope": "post_program.models.ApiToken.Scope"},
}
