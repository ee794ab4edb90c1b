"""allauth's own emails (password reset, verification, "account exists") link to SITE_URL and
carry the program's name, whatever host the request came in on."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.factories import PhysicianFactory

pytestmark = pytest.mark.django_db

SITE_URL = "https://post.hospital.test"
# The name the request used: an internal address, or whatever a client put in Host.
REQUEST_HOST = "localhost"
NEW_PASSWORD = "Correct-horse-42"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE_URL + "/"
    settings.ALLOWED_HOSTS = [REQUEST_HOST]
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"  # the production default


def _client() -> Client:
    return Client(HTTP_HOST=REQUEST_HOST)


def _signup(email: str) -> None:
    _client().post(
        reverse("account_signup"),
        {"email": email, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )


def _reset(email: str) -> None:
    _client().post(reverse("account_reset_password"), {"email": email})


CASES = {
    "password reset": (lambda: _reset("physician@example.org"), "/accounts/password/reset/key/"),
    "reset for a rostered address without an account": (
        lambda: (PhysicianFactory(email="no.user@example.org"), _reset("no.user@example.org")),
        "/accounts/signup/",
    ),
    "verification at sign-up": (
        lambda: (PhysicianFactory(email="new.doc@example.org"), _signup("new.doc@example.org")),
        "/accounts/confirm-email/",
    ),
    "sign-up with an existing account": (
        lambda: _signup("physician@example.org"),
        "/accounts/password/reset/",
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_account_mail_links_to_the_site_url_and_names_the_program(
    cast, case, django_capture_on_commit_callbacks
):
    send, path = CASES[case]
    with django_capture_on_commit_callbacks(execute=True):  # the outbox sends after commit
        send()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    links = re.findall(r"https?://\S+", message.body)
    assert links, message.body
    assert all(link.startswith(SITE_URL + "/") for link in links), links
    assert any(link.startswith(SITE_URL + path) for link in links), links
    assert "//accounts" not in message.body
    assert REQUEST_HOST not in message.body and REQUEST_HOST not in message.subject
    assert message.subject.startswith("[POST] ")
    assert "POST" in message.body


def test_the_reset_link_in_the_mail_works(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _reset("physician@example.org")
    (link,) = re.findall(r"https?://\S+", mail.outbox[0].body)
    client = _client()
    response = client.get(link.removeprefix(SITE_URL), follow=True)
    assert response.status_code == 200
    assert b"password1" in response.content
