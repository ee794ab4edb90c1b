"""A flash message that names a physician never travels in a cookie: messages live in the
session, whose cookie holds only its key."""

from __future__ import annotations

import base64

import pytest
from django.urls import reverse

from .factories import referral_new

pytestmark = pytest.mark.django_db


def _decoded(value: str) -> str:
    """What a signed cookie's payload says to anyone who base64-decodes it."""
    payload = value.split(":", 1)[0]
    try:
        return base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return ""


def test_a_message_naming_a_physician_stays_out_of_every_cookie(cast):
    referral = referral_new(department=cast.department_a)
    name = referral.physician.name
    assert name
    client = cast.client("supporter_a")
    response = client.post(
        reverse("interactions:conflict_declare"), {"physician": referral.physician.pk}
    )
    assert response.status_code == 302
    assert "messages" not in response.cookies
    for morsel in [*response.cookies.values(), *client.cookies.values()]:
        readable = morsel.value + _decoded(morsel.value)
        assert name not in readable
    page = client.get(response["Location"])
    assert f"you will not be assigned to {name}" in page.content.decode()
