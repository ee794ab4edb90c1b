"""What every REST API endpoint shares (docs/api.md): token sign-in, scopes, the rate limit,
the audit of each call and the error responses the schema describes.

An endpoint is a `TokenView` naming the scopes that let a token call it (any one of them);
the view then asks the app's access module about the token's creator, as the page would.
A token acts as the director who made it: while they are no longer an active director, every
call is refused.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from .access import roles_for
from .api_tokens import api_token_find, api_token_use
from .models import ApiToken

KEYWORD = "Bearer"


class ApiTokenAuthentication(BaseAuthentication):
    """`Authorization: Bearer post_...`: the token's creator signs the call."""

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != KEYWORD.lower().encode():
            return None
        if len(parts) != 2:
            raise AuthenticationFailed("Send the header as: Authorization: Bearer TOKEN.")
        try:
            secret = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise AuthenticationFailed("The token is not valid.") from None
        token = api_token_find(secret)
        if token is None:
            raise AuthenticationFailed("The token is not valid, or was revoked.")
        return token.created_by, token

    def authenticate_header(self, request) -> str:
        return f'{KEYWORD} realm="api"'


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = ApiTokenAuthentication
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "An API token (docs/api.md)."}


class TokenScopes(BasePermission):
    """The call carries a token holding one of the view's `scopes` (or of those its
    `scopes_by_method` gives the request's method), made by a director who still is one."""

    message = "This token may not make this call."

    def has_permission(self, request, view) -> bool:
        token = request.auth
        if not isinstance(token, ApiToken):
            return False
        if not roles_for(request.user).is_director:
            self.message = "The director who made this token no longer directs the program."
            return False
        scopes = view.scopes_by_method.get(request.method, ()) or view.scopes
        if not token.allows(*scopes):
            self.message = f"This call needs a token with the scope {' or '.join(scopes)}."
            return False
        return True


class TokenRateThrottle(SimpleRateThrottle):
    """API_TOKEN_RATE calls per token, counted in the cache (shared by every web process when
    the cache is Redis)."""

    scope = "api_token"

    def get_rate(self) -> str:
        return settings.API_TOKEN_RATE

    def get_cache_key(self, request, view) -> str | None:
        token = request.auth
        if not isinstance(token, ApiToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": token.pk}


class TokenView(APIView):
    """An API endpoint: only tokens sign in (the pages' sign-in requirement does not apply),
    and each call a token made is audited once it is answered, except one refused by the rate
    limit (auditing those would turn the limit into a way to fill the audit trail)."""

    authentication_classes = [ApiTokenAuthentication]
    permission_classes = [TokenScopes]
    throttle_classes = [TokenRateThrottle]
    scopes: tuple[str, ...] = ()
    scopes_by_method: dict[str, tuple[str, ...]] = {}

    @classmethod
    def as_view(cls, **initkwargs):
        return login_not_required(super().as_view(**initkwargs))

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        token = getattr(request, "auth", None)
        if isinstance(token, ApiToken) and response.status_code != 429:
            api_token_use(
                token=token,
                method=request.method,
                path=request.path,
                status=response.status_code,
            )
        return response


ERROR_BODY = inline_serializer("Error", fields={"detail": serializers.CharField()})


def errors(*codes: int) -> dict[int, Any]:
    """The error responses of an endpoint for its schema: `detail` says what was wrong."""
    described = {
        400: "The request does not make sense; nothing was changed.",
        401: "No token, or one that is not valid or was revoked.",
        403: "The token lacks the scope, or its director may not do this.",
        429: "Too many calls with this token: wait the seconds of Retry-After.",
    }
    return {
        code: OpenApiResponse(ERROR_BODY, description=described[code])
        for code in (*codes, 401, 403, 429)
    }


def bad_request(problem: str | dict) -> Response:
    """400 with `detail`: the message, or a serializer's errors as `field: message; ...`."""
    if isinstance(problem, dict):
        problem = "; ".join(
            f"{field}: {message}" for field, messages in problem.items() for message in messages
        )
    return Response({"detail": problem}, status=400)
