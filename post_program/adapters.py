"""Sign-up is open only to physicians on the roster (or to configured email domains), failed
sign-ins are counted per account and client address, single sign-on links the program's
account whose address the provider has verified, and allauth's emails (password reset, address
verification) link to SITE_URL and go through the outbox like every other email."""

from __future__ import annotations

from types import SimpleNamespace
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from allauth.core import context as allauth_context
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.utils import build_absolute_uri
from django import forms
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from . import services
from .i18n import in_language_of
from .mail import email_link
from .models import Physician, User
from .outbox import outbox_write

NOT_ON_ROSTER = _(
    "This email is not on the program roster. Use the email your department has on file, "
    "or ask your program coordinator to add you."
)

# With OIDC_ONLY the health system's sign-in is the only way in.
ONLY_SSO = _(
    "Passwords are not used here: sign in through your health system's sign-in, "
    "with the button on this page."
)
ONLY_SSO_SIGN_UP = _(
    "Accounts are not created here: sign in through your health system's sign-in with the "
    "email your department has on file, and your account is created then."
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
    def is_open_for_signup(self, request) -> bool:
        return not settings.OIDC_ONLY

    def pre_authenticate(self, request, **credentials) -> None:
        """Password sign-in (the only kind allauth's account adapter authenticates) is refused,
        before it counts as a failure, when the health system's sign-in is the only way in."""
        if settings.OIDC_ONLY:
            raise forms.ValidationError(ONLY_SSO)
        super().pre_authenticate(request, **credentials)

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

    def render_mail(self, template_prefix, email, context, headers=None):
        """allauth builds its links (password reset, verification, sign-up) and its site name
        from the request, i.e. whatever host reached the application, behind a proxy an
        internal one. Its emails say the program's name and link to SITE_URL instead."""
        request = context.get("request")
        request_root = build_absolute_uri(request, "/") if request is not None else None
        site_root = email_link("/")

        def on_site(value):
            if request_root and isinstance(value, str) and value.startswith(request_root):
                return site_root + value.removeprefix(request_root)
            return value

        context = {key: on_site(value) for key, value in context.items()}
        context["current_site"] = SimpleNamespace(
            name=settings.PROGRAM_NAME, domain=urlsplit(settings.SITE_URL).netloc
        )
        return super().render_mail(template_prefix, email, context, headers=headers)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Render allauth's email as allauth does, then write it to the outbox instead of
        talking to the mail server inside the request: a mail server that is down or slow
        never fails a password reset. It is written in the recipient's language. The body (a
        reset or verification link) stays in the outbox row until it is sent, then is erased."""
        request = allauth_context.request
        # In the language of the account the email goes to, whoever asked for it.
        with in_language_of(User.objects.filter(email__iexact=email).first()):
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


def provider_verified_address(sender, request, sociallogin, **kwargs) -> None:
    """On linking a sign-on account to a program account (allauth's social_account_added): if
    the provider asserts the account's own address as verified, the program counts it verified
    too, so the sign-in asks for no confirmation mail. allauth has already taken the password of
    an account whose address was not verified (it may have been registered by someone else)."""
    user = sociallogin.user
    asserted = {
        address.email.lower() for address in sociallogin.email_addresses if address.verified
    }
    if user.email.lower() not in asserted:
        return
    if not EmailAddress.objects.filter(user=user, email__iexact=user.email).update(verified=True):
        EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
