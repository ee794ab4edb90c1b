"""Sign-in throttling counts per client address, read correctly behind the load balancer, and
per account at that address, so that a stranger can slow their own guessing but never lock a
colleague out of their account."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.5"  # the load balancer: every request reaches the app from its address
THROTTLED = b"Too many failed login attempts"


def _behind_proxy(client_ip: str) -> Client:
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=client_ip)


def _sign_in(client: Client, login: str, password: str):
    return client.post(reverse("account_login"), {"login": login, "password": password})


@pytest.fixture
def one_proxy(settings):
    """What TRUSTED_PROXY_COUNT=1 sets (test_proxy_settings_come_from_the_environment)."""
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1


def test_two_clients_behind_one_proxy_are_throttled_separately(cast, one_proxy):
    stranger = _behind_proxy("198.51.100.1")
    for attempt in range(10):
        page = _sign_in(stranger, f"guess{attempt}@example.org", "wrong-password-1")
        assert THROTTLED not in page.content
    assert THROTTLED in _sign_in(stranger, "guess-more@example.org", "wrong-password-1").content

    colleague = _behind_proxy("198.51.100.2")
    assert _sign_in(colleague, "physician@example.org", PASSWORD).status_code == 302
    assert "_auth_user_id" in colleague.session


def test_the_proxy_address_alone_is_not_taken_for_the_client(cast, one_proxy):
    """A client's own X-Forwarded-For entries are not trusted: only the one the proxy added."""
    stranger = Client(REMOTE_ADDR=PROXY)
    for attempt in range(11):
        spoofed = f"203.0.113.{attempt}, 198.51.100.1"
        page = stranger.post(
            reverse("account_login"),
            {"login": f"guess{attempt}@example.org", "password": "wrong-password-1"},
            HTTP_X_FORWARDED_FOR=spoofed,
        )
    assert THROTTLED in page.content


def test_failed_attempts_by_a_stranger_do_not_lock_the_owner_out(cast, one_proxy):
    stranger = _behind_proxy("198.51.100.1")
    for _ in range(5):
        assert THROTTLED not in _sign_in(stranger, "physician@example.org", "nope-nope-1").content
    # The stranger is stopped on this account, even with the right password...
    assert THROTTLED in _sign_in(stranger, "physician@example.org", PASSWORD).content
    assert "_auth_user_id" not in stranger.session
    # ...and the owner, signing in from their own address, is not.
    owner = _behind_proxy("198.51.100.2")
    assert _sign_in(owner, "physician@example.org", PASSWORD).status_code == 302
    assert "_auth_user_id" in owner.session


def test_proxy_settings_come_from_the_environment():
    code = (
        "import json; from django.conf import settings as s; "
        "print(json.dumps([s.ALLAUTH_TRUSTED_PROXY_COUNT, s.ALLAUTH_TRUSTED_CLIENT_IP_HEADER,"
        " s.SECURE_PROXY_SSL_HEADER, s.USE_X_FORWARDED_HOST, s.CSRF_TRUSTED_ORIGINS]))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "post_program.settings.prod",
        "SECRET_KEY": "k" * 50,
        "PSEUDONYM_KEY": "p" * 50,
        "MFA_ENCRYPTION_KEY": "bWZhLWVuY3J5cHRpb24ta2V5LTMyLWJ5dGVzLWxvbmc=",
        "ALLOWED_HOSTS": "post.hospital.test",
        "DATABASE_URL": "postgres://post@db.invalid:5432/post",
        "REDIS_URL": "redis://redis.invalid:6379/0",
        "SITE_URL": "https://post.hospital.test",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "TRUSTED_PROXY_COUNT": "2",
        "TRUSTED_CLIENT_IP_HEADER": "",
        "SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO",
        "USE_X_FORWARDED_HOST": "true",
        "CSRF_TRUSTED_ORIGINS": "https://post.hospital.test",
    }
    result = subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [
        2,
        None,
        ["HTTP_X_FORWARDED_PROTO", "https"],
        True,
        ["https://post.hospital.test"],
    ]
