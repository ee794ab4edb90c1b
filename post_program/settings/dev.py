"""Local development: debug pages, console email, sign-in without email verification."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
ACCOUNT_EMAIL_VERIFICATION = env("ACCOUNT_EMAIL_VERIFICATION", default="optional")
# The demo prints one sign-in per role, each used with the demo password alone: MFA is off here
# unless MFA_REQUIRED_ROLES names roles (production requires it; see README, Configuration).
MFA_REQUIRED_ROLES = env.list("MFA_REQUIRED_ROLES", default=[])
