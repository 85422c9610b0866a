"""Access tokens: verified once per process, claims checked, sessions revocable.

Every process that reads a bearer token goes through `verified_access`: the admission
middleware (rate limits, revoked sessions), the read-API's stateless authentication, the
home timeline's hot path and the streaming process. A token whose signature is fine but
whose claims are malformed (an `exp` that is not a number, a `user_id` that is not an
id) is an invalid token, a 401, never a server error.

A token carries `sid`, the session (refresh-token family) it descends from. A token
issued through OAuth (the Mastodon-compatible API, apps.mastodon) also carries `scope`,
the scopes its user granted: such a token is good on that API only, where the scopes are
checked; the native API refuses it (`native_access`). Its session is the token itself
(`oauth_session_id`, from its SHA-256, the checksum the OAuth server stores in place of
the token), so that revoking it needs nothing but that checksum. Logging out,
or reusing a rotated refresh token, revokes the session (`twitter.api.revocations`, known
in every process within a second, with no Redis call per request), so the access tokens
of that session stop working at once, not when they expire.
"""

import hashlib
import time
from dataclasses import dataclass, replace

from django.http import HttpRequest
from rest_framework.request import Request
from rest_framework_simplejwt.authentication import JWTStatelessUserAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.tokens import AccessToken, Token

from twitter.api.fields import parse_id
from twitter.api.revocations import revocations

SESSION_CLAIM = "sid"
SCOPE_CLAIM = "scope"
_SESSION_MAX_LENGTH = 64
_SCOPE_MAX_LENGTH = 1024


@dataclass(frozen=True)
class Access:
    """What a verified access token says."""

    user_id: int
    session_id: str | None
    expires_at: float
    token: Token
    scopes: frozenset[str] | None = None  # an OAuth token's granted scopes; None: a native token

    @property
    def is_oauth(self) -> bool:
        return self.scopes is not None


_verified: dict[bytes, Access] = {}
_MAX_CACHED = 50_000


def _claims(token: Token) -> Access | None:
    exp = token.payload.get("exp")
    user_id = parse_id(token.payload.get(jwt_settings.USER_ID_CLAIM))
    session = token.payload.get(SESSION_CLAIM)
    if not isinstance(exp, int | float) or isinstance(exp, bool) or user_id is None:
        return None
    if session is not None and not (isinstance(session, str) and 0 < len(session) <= _SESSION_MAX_LENGTH):
        return None
    scope = token.payload.get(SCOPE_CLAIM)
    if scope is not None and not (isinstance(scope, str) and len(scope) <= _SCOPE_MAX_LENGTH):
        return None
    scopes = frozenset(scope.split()) if scope is not None else None
    return Access(user_id=user_id, session_id=session, expires_at=float(exp), token=token, scopes=scopes)


def oauth_session_id(checksum: str) -> str:
    """The session of an OAuth token, from its SHA-256 (hex)."""
    return "o" + checksum[:40]


def verified_access(raw: bytes | str) -> Access | None:
    """The access token's claims when its signature, type, expiry and claims are good."""
    key = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw
    hit = _verified.get(key)
    if hit is not None:
        return hit if hit.expires_at > time.time() else None
    try:
        access = _claims(AccessToken(key))  # type: ignore[arg-type]  # the stubs miss the raw-token form
    except (TokenError, TypeError, ValueError, OverflowError, KeyError, UnicodeError):
        return None
    if access is not None and access.is_oauth:
        access = replace(access, session_id=oauth_session_id(hashlib.sha256(key).hexdigest()))
    if access is not None:
        if len(_verified) >= _MAX_CACHED:
            _verified.clear()
        _verified[key] = access
    return access


def bearer_token(request: HttpRequest) -> str | None:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if not header.startswith("Bearer "):
        return None
    return header[7:].strip() or None


def is_revoked(access: Access) -> bool:
    """Whether the token's session ended, or its user's tokens were revoked after it was
    issued (suspension). No Redis call: `twitter.api.revocations` keeps them in process."""
    if revocations.session_ended(access.session_id):
        return True
    revoked_before = revocations.revoked_before(access.user_id)
    if revoked_before is None:
        return False
    issued = access.token.payload.get("iat")
    return not isinstance(issued, int | float) or issued <= revoked_before


def session_revoke(*, user_id: int, session_id: str, expires_at: float | None = None) -> None:
    """The access tokens of this session stop working (until they would have expired:
    `expires_at` for a token that outlives a native one), and the user's open streams
    are told."""
    revocations.revoke_session(user_id=user_id, session_id=session_id, expires_at=expires_at)


def user_tokens_revoke(*, user_id: int) -> None:
    """Every access token of `user_id` issued until now stops working (suspension), and the
    user's open streams are told."""
    revocations.revoke_user(user_id=user_id)


def native_access(access: Access | None) -> Access | None:
    """The access when the native API takes it: not an OAuth token (their scopes are
    checked by the API that issued them only)."""
    return access if access is not None and not access.is_oauth else None


class VerifiedTokenMixin:
    def get_validated_token(self, raw_token: bytes) -> Token:
        access = native_access(verified_access(raw_token))
        if access is None:
            raise InvalidToken({"detail": "The access token is invalid or expired.", "code": "token_not_valid"})
        return access.token


class StatelessTokenAuthentication(VerifiedTokenMixin, JWTStatelessUserAuthentication):
    """Both APIs': the user comes from the token alone, with no database query. A
    suspension revokes the user's tokens (`is_revoked`, checked on admission), and every
    write that needs an active account checks it in its own transaction (e.g.
    `users.services.user_counter_adjust_active`), so no request loads the user row just
    to ask whether it is active."""


def request_access(request: Request | HttpRequest, *, oauth: bool = False) -> Access | None:
    """The verified access of a request that the admission middleware let through: a
    native token, or also an OAuth one with `oauth`."""
    access = getattr(request, "access", None)
    if not isinstance(access, Access):
        return None
    return access if oauth or not access.is_oauth else None
