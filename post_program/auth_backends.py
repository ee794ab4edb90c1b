"""Django's and allauth's authentication backends, loading the signed-in user of each request
with their roster entry (its department and site, and their supporter profile) in the same
query, so that `access.roles_for` needs no query of its own for it."""

from __future__ import annotations

from allauth.account import auth_backends as allauth_backends
from django.contrib.auth import backends as django_backends

from .access import PROFILE_LOADED, PROFILE_RELATED
from .models import User


class ModelBackend(django_backends.ModelBackend):
    def get_user(self, user_id):
        related = [f"physician__{path}" for path in PROFILE_RELATED]
        user = User._default_manager.select_related(*related).filter(pk=user_id).first()
        if user is None or not self.user_can_authenticate(user):
            return None
        setattr(user, PROFILE_LOADED, True)
        return user


class AuthenticationBackend(ModelBackend, allauth_backends.AuthenticationBackend):
    """allauth's backend (sign-in by email), loading the user as `ModelBackend` does."""
