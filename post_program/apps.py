from django.apps import AppConfig
from django.conf import settings


class PostProgramConfig(AppConfig):
    name = "post_program"
    verbose_name = "Program"

    def ready(self) -> None:
        from allauth.mfa import signals as mfa_signals
        from allauth.socialaccount import signals as socialaccount_signals
        from django.contrib.auth import signals as auth_signals
        from django.core.signals import request_finished

        from . import (
            account_audit,
            adapters,
            checks,  # noqa: F401 (registers the system checks)
        )
        from .error_reporting import error_reporting_start
        from .logs import redaction_install, request_id_clear
        from .middleware import session_lifetime_start

        error_reporting_start(settings.SENTRY_DSN, environment=settings.SENTRY_ENVIRONMENT)
        redaction_install()
        request_finished.connect(request_id_clear, dispatch_uid="post_request_id_clear")

        auth_signals.user_logged_in.connect(
            session_lifetime_start, dispatch_uid="post_session_lifetime"
        )
        socialaccount_signals.social_account_added.connect(
            adapters.provider_verified_address, dispatch_uid="post_provider_verified_address"
        )
        for signal, receiver in (
            (auth_signals.user_logged_in, account_audit.signed_in),
            (auth_signals.user_logged_out, account_audit.signed_out),
            (auth_signals.user_login_failed, account_audit.sign_in_failed),
            (mfa_signals.authenticator_added, account_audit.authenticator_added),
            (mfa_signals.authenticator_removed, account_audit.authenticator_removed),
            (mfa_signals.authenticator_reset, account_audit.authenticator_reset),
        ):
            signal.connect(receiver, dispatch_uid=f"post_audit_{receiver.__name__}")
