"""OAuth 2 for Mastodon clients, on django-oauth-toolkit.

An app registers itself (`POST /api/v1/apps`) and gets a client id and secret; a user
approves it on the sign-in and consent pages (`/oauth/authorize`: the authorization code
grant, with PKCE when the client sends a challenge, and the out-of-band redirect that
shows the code instead of redirecting); the app trades the code for a token at
`/oauth/token`. `client_credentials` gives an app token (it may register accounts);
refresh tokens rotate; `/oauth/revoke` ends a token. No password grant.

A user's access token is one of the platform's own signed tokens (`twitter.api.auth`)
carrying the granted scopes: the read-API checks it with no database query, as it checks
native tokens, and it is good on this API only (the native API refuses it). The toolkit
keeps its row (its checksum only: tokens are not stored readable), so revoking it (or
refreshing, which revokes the old one, or deleting it in the admin) deletes the row, and
that ends the token's session (`twitter.api.auth.oauth_session_id`) in every process
within REVOCATION_POLL_SECONDS. An app token (no user) is a random string
looked up in the database: only account registration and the app's own check take one.
"""

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from oauth2_provider.models import AccessToken, Application
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauthlib.common import Request as OAuthRequest
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.tokens import AccessToken as SignedToken

from apps.mastodon import scopes as scope_rules
from apps.mastodon.models import ClientApp
from twitter.api.auth import SCOPE_CLAIM, oauth_session_id, session_revoke

OOB = "urn:ietf:wg:oauth:2.0:oob"


def _lifetime() -> timedelta:
    return timedelta(seconds=int(settings.OAUTH_ACCESS_TOKEN_SECONDS))


def signed_token(*, user_id: int, scopes: list[str]) -> str:
    """A user's access token: signed, with the scopes granted."""
    token = SignedToken()
    token.set_exp(lifetime=_lifetime())
    token[jwt_settings.USER_ID_CLAIM] = str(user_id)
    token[SCOPE_CLAIM] = " ".join(scopes)
    return str(token)


def access_token(request: OAuthRequest, refresh_token: bool = False) -> str:
    """The toolkit's ACCESS_TOKEN_GENERATOR: a signed token for a user, a random one for an
    app acting for itself (client_credentials)."""
    user = getattr(request, "user", None)
    if user is None or request.grant_type == "client_credentials":
        return secrets.token_urlsafe(32)
    return signed_token(user_id=int(user.pk), scopes=list(request.scopes or []))


class Validator(OAuth2Validator):
    """Mastodon's rules over the toolkit's: an app may use the authorization code, its own
    credentials and refresh tokens, and ask only for the scopes it registered."""

    _GRANTS = frozenset({"authorization_code", "client_credentials", "refresh_token"})

    def validate_grant_type(
        self, client_id: str, grant_type: str, client: Application, request: OAuthRequest, *args: Any, **kwargs: Any
    ) -> bool:
        return grant_type in self._GRANTS

    def validate_scopes(
        self, client_id: str, scopes: list[str], client: Application, request: OAuthRequest, *args: Any, **kwargs: Any
    ) -> bool:
        return all(scope in scope_rules.ALL for scope in scopes) and scope_rules.within(scopes, registered(client))

    def get_default_scopes(self, client_id: str, request: OAuthRequest, *args: Any, **kwargs: Any) -> list[str]:
        client = getattr(request, "client", None)
        return registered(client) if client is not None else [scope_rules.DEFAULT]


def registered(application: Application) -> list[str]:
    """The scopes an app registered."""
    extra = ClientApp.objects.filter(application=application).values_list("scopes", flat=True).first()
    return (extra or scope_rules.DEFAULT).split()


def app_register(*, name: str, redirect_uris: list[str], scopes: list[str], website: str) -> tuple[Application, str]:
    """A new app; returns it with its client secret (stored hashed: shown this once)."""
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        application = Application.objects.create(
            name=name,
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
            redirect_uris=" ".join(redirect_uris),
            client_secret=secret,
            skip_authorization=False,
        )
        ClientApp.objects.create(application=application, scopes=" ".join(scopes), website=website)
    return application, secret


def token_issue(*, application: Application, user_id: int, scopes: list[str]) -> tuple[AccessToken, str]:
    """A token for a user the app just registered (`POST /api/v1/accounts`), with its
    string (shown this once: only its checksum is stored)."""
    raw = signed_token(user_id=user_id, scopes=scopes)
    token = AccessToken(user_id=user_id, application=application, expires=timezone.now() + _lifetime())
    token.scope = " ".join(scopes)
    Validator()._set_token_value(token, raw)  # stored as the toolkit stores it (its checksum)
    token.save()
    return token, raw


def _checksum(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def app_token(raw: str) -> AccessToken | None:
    """An unexpired app or user token by its string, from the primary (it may be new)."""
    found = AccessToken.objects.using("default").select_related("application")
    token = found.filter(token_checksum=_checksum(raw)).first()
    return token if token is not None and not token.is_expired() else None


def token_revoked(token: AccessToken) -> None:
    """A user's token row is gone: its session ends everywhere (the toolkit's revoke and
    refresh, or the admin, deleted it)."""
    if token.user_id is not None and token.token_checksum:
        session_revoke(
            user_id=token.user_id,
            session_id=oauth_session_id(token.token_checksum),
            expires_at=token.expires.timestamp(),
        )
