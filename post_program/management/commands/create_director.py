"""Make the program's first director (or another one) from the server's shell.

    manage.py create_director EMAIL [--password]

Creates the account of EMAIL, or promotes the existing one, and gives it the director role.
Without --password it prints a link (valid PASSWORD_RESET_TIMEOUT) where the director sets
their own password; with --password it asks for one here. Every change is audited; a bad
address or password changes nothing.
"""

from __future__ import annotations

import getpass

from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.urls import reverse

from post_program.mail import email_link
from post_program.models import User
from post_program.services import director_appoint


def password_ask(email: str) -> str:
    """A password typed twice (not echoed) that the password validators accept."""
    password = getpass.getpass("Password: ")
    if getpass.getpass("Password (again): ") != password:
        raise CommandError("The passwords do not match; nothing was changed.")
    try:
        validate_password(password, User(email=email))
    except ValidationError as error:
        raise CommandError(" ".join(error.messages) + " Nothing was changed.") from error
    return password


def password_set_link(user: User) -> str:
    path = reverse(
        "account_reset_password_from_key",
        kwargs={
            "uidb36": user_pk_to_url_str(user),
            "key": default_token_generator.make_token(user),
        },
    )
    return email_link(path)


class Command(BaseCommand):
    help = "Create or promote the account of EMAIL and give it the program director role."

    def add_arguments(self, parser):
        parser.add_argument("email", help="the director's email address (their sign-in)")
        parser.add_argument(
            "--password",
            action="store_true",
            help="type the password here instead of printing a link to set it",
        )

    def handle(self, *args, email: str, password: bool, **options):
        email = email.strip()
        try:
            validate_email(email)
        except ValidationError as error:
            raise CommandError(f"{email!r} is not a valid email address.") from error
        email = User.objects.normalize_email(email).lower()
        typed = password_ask(email) if password else None
        user, created, appointed = director_appoint(email=email, password=typed)
        account = "Created the account" if created else "The account"
        role = "is now a program director" if appointed else "was already a program director"
        self.stdout.write(f"{account} {user.email} {role}.")
        if not user.has_usable_password():
            days = -(-settings.PASSWORD_RESET_TIMEOUT // 86400)
            self.stdout.write(
                f"They set their password here (the link works for {days} days, once):\n"
                f"{password_set_link(user)}"
            )
