"""Sign-up is open only to physicians on the roster (or to configured email domains),
failed sign-ins are counted per account and client address, and allauth's emails (password
reset, address verification) go through the outbox like every other email."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django import forms
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.db import transaction

from . import services
from .models import Physician
from .outbox import outbox_write

NOT_ON_ROSTER = (
    "This email is not on the program roster. Use the email your department has on file, "
    "or ask your program coordinator to add you."
)


def email_may_sign_up(email: str) -> bool:
    email = (email or "").strip().lower()
    if not email:
        return False
    domain = email.rsplit("@", 1)[-1]
    if domain in settings.SIGNUP_EMAIL_DOMAINS:
        return True
    return Physician.objects.filter(email__iexact=email).exists()


class AccountAdapter(DefaultAccountAdapter):
    def clean_email(self, email: str) -> str:
        email = super().clean_email(email)
        if not email_may_sign_up(email):
            raise forms.ValidationError(NOT_ON_ROSTER)
        return email

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            services.physician_link_user(user=user)
        return user

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Render allauth's email as allauth does, then write it to the outbox instead of
        talking to the mail server inside the request: a mail server that is down or slow
        never fails a password reset. The body (a reset or verification link) stays in the
        outbox row until it is sent, then is erased."""
        request = allauth_context.request
        message = self.render_mail(
            template_prefix,
            email,
            {"request": request, "email": email, "current_site": get_current_site(request)}
            | context,
        )
        with transaction.atomic():
            outbox_write(
                kind=f"account.{template_prefix.rsplit('/', 1)[-1]}"[:60],
                to=email,
                subject=message.subject,
                body=message.body,
            )

    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        """Failed sign-ins of an account count per client address (the `key` of the
        `login_failed` rate limit): whoever fails at one address is stopped there, and the
        owner still signs in from theirs."""
        key = super()._get_login_attempts_cache_key(request, **credentials)
        return f"{key}:{self.get_client_ip(request)}"


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request, sociallogin) -> bool:
        return email_may_sign_up(sociallogin.user.email)

    def save_user(self, request, sociallogin, form=None):
        user = super().save_user(request, sociallogin, form=form)
        services.physician_link_user(user=user)
        return user
