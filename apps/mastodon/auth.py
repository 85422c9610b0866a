"""Who is asking on the Mastodon-compatible API, and with which scopes.

A user's token is verified as every access token is (`twitter.api.auth`: signature,
expiry, revocation; no database query), and its scopes are checked per view: a view
names the scope each method needs (`scopes = {"GET": "read:statuses", ...}`), and a
token whose scopes do not cover it gets a 403. An app's own token (client_credentials)
authenticates no user; the few views an app may use look it up themselves.
"""

from typing import Any

from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed, NotAuthenticated, PermissionDenied
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework_simplejwt.settings import api_settings as jwt_settings

from apps.mastodon import scopes as scope_rules
from twitter.api.auth import Access, bearer_token, is_revoked, request_access, verified_access

INVALID_TOKEN = "The access token is invalid"  # noqa: S105 - a message, not a secret
OUTSIDE_SCOPES = "This action is outside the authorized scopes"


def _looks_signed(raw: str) -> bool:
    return raw.count(".") == 2


class OAuthAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[Any, Access] | None:
        raw = bearer_token(request)
        if raw is None:
            return None
        access = request_access(request, oauth=True) or verified_access(raw)
        if access is None:
            if _looks_signed(raw):
                raise AuthenticationFailed(INVALID_TOKEN)
            return None  # an app token: the view that takes one looks it up
        if is_revoked(access):
            raise AuthenticationFailed(INVALID_TOKEN)
        return jwt_settings.TOKEN_USER_CLASS(access.token), access

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="Mastodon"'


def granted(request: Request, scope: str) -> bool:
    access = request.auth
    if not isinstance(access, Access):
        return False
    return access.scopes is None or scope_rules.covers(access.scopes, scope)


class ScopedUser(BasePermission):
    """A signed-in user whose token covers the scope the view names for the method (a
    view with no scope for a method lets anyone in)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        scope = getattr(view, "scopes", {}).get(request.method or "GET")
        if scope is None:
            return True
        if not isinstance(request.auth, Access):
            raise NotAuthenticated(INVALID_TOKEN)
        if not granted(request, scope):
            raise PermissionDenied(OUTSIDE_SCOPES)
        return True
