"""`manage.py create_director EMAIL` makes the first director: it creates the account or
promotes an existing one, and either prints a link to set a password or asks for one. Every
change is audited; a bad address or password changes nothing."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command
from django.test import Client

from post_program.access import roles_for
from post_program.models import AuditEvent, RoleAssignment, User

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("create_director", *args, stdout=out)
    return out.getvalue()


def test_a_new_director_sets_a_password_through_the_printed_link(settings):
    settings.SITE_URL = "https://post.hospital.example"
    output = run("Chief@Hospital.Example")
    user = User.objects.get(email="chief@hospital.example")
    assert roles_for(user).is_director and not user.has_usable_password()
    assert EmailAddress.objects.get(user=user).verified
    link = re.search(r"https://post\.hospital\.example(/\S+)", output)
    assert link, output
    client = Client()
    form = client.get(link.group(1), follow=True)
    assert form.status_code == 200
    password = "a long and unguessable sentence 42"
    client.post(form.redirect_chain[-1][0], {"password1": password, "password2": password})
    user.refresh_from_db()
    assert user.check_password(password)
    assert AuditEvent.objects.filter(action="account.create", object_id=str(user.pk)).exists()
    # The grant's object is the role assignment; it names the account in its detail.
    grant = AuditEvent.objects.get(action="role.grant")
    assert grant.detail["user_id"] == user.pk and grant.detail["role"] == "director"


def test_an_existing_account_is_promoted_and_keeps_its_password(cast):
    user = cast.physician
    user.set_password("the physician's own password 7")
    user.save()
    output = run(user.email.upper())
    user.refresh_from_db()
    assert roles_for(user).is_director and user.check_password("the physician's own password 7")
    assert User.objects.filter(email__iexact=user.email).count() == 1
    assert "director" in output
    assert not AuditEvent.objects.filter(action="account.create").exists()


def test_running_it_again_changes_nothing(cast):
    run(cast.director.email)
    assert RoleAssignment.objects.filter(user=cast.director, role="director").count() == 1
    assert not AuditEvent.objects.filter(action="role.grant").exists()


def test_the_password_can_be_typed_instead(monkeypatch):
    answers = iter(["a long and unguessable sentence 42"] * 2)
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    output = run("chief@hospital.example", "--password")
    user = User.objects.get(email="chief@hospital.example")
    assert user.check_password("a long and unguessable sentence 42")
    assert "password/reset" not in output
    assert AuditEvent.objects.filter(action="account.password_set", object_id=str(user.pk)).exists()


@pytest.mark.parametrize("email", ["", "not-an-address", "chief@", "a b@hospital.example"])
def test_a_bad_address_is_refused_and_changes_nothing(email):
    with pytest.raises(CommandError, match="not a valid email address"):
        run(email)
    assert not User.objects.exists() and not AuditEvent.objects.exists()


def test_a_weak_or_mismatched_password_is_refused_and_changes_nothing(monkeypatch):
    for typed, message in (
        (["password", "password"], "too common"),
        (["x" * 20, "y" * 20], "do not match"),
    ):
        answers = iter(typed)
        monkeypatch.setattr("getpass.getpass", lambda prompt="", answers=answers: next(answers))
        with pytest.raises(CommandError, match=message):
            run("chief@hospital.example", "--password")
    assert not User.objects.exists() and not AuditEvent.objects.exists()
