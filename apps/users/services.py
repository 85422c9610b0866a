"""Writes of the users context: accounts, profiles, suspension, sessions (JWT)."""

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import IntegrityError, connections, transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.http import HttpRequest
from django.utils import timezone
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from apps.media import services as media_services
from apps.users import selectors as user_selectors
from apps.users.models import DmPolicy, RevokedSession, User, normalize_email
from apps.users.validators import (
    BIO_MAX_LENGTH,
    DISPLAY_NAME_MAX_LENGTH,
    LOCATION_MAX_LENGTH,
    username_validator,
)
from twitter import events
from twitter.api.auth import SESSION_CLAIM, session_revoke, user_tokens_revoke
from twitter.api.fields import parse_id
from twitter.db.routing import PRIMARY, mark_recent_write
from twitter.errors import ApplicationError, AuthenticationError, NotFoundError
from twitter.event_types import UserProfileUpdated, UserRegistered, UserSuspended, UserUnsuspended
from twitter.redis import redis_errors
from twitter.text import normalize_text

logger = logging.getLogger(__name__)

PROFILE_FIELDS = {
    # field: (max length, newlines allowed)
    "display_name": (DISPLAY_NAME_MAX_LENGTH, False),
    "bio": (BIO_MAX_LENGTH, True),
    "location": (LOCATION_MAX_LENGTH, False),
}
WEBSITE_MAX_LENGTH = 200
COUNTER_FIELDS = {"followers_count", "following_count", "tweets_count", "likes_count"}
_website_validator = URLValidator(schemes=["http", "https"])
_email_validator = EmailValidator()


@dataclass(frozen=True)
class TokenPair:
    access: str
    refresh: str


def _clean_text_field(name: str, value: Any, errors: dict[str, list[str]]) -> str | None:
    max_length, newlines = PROFILE_FIELDS[name]
    if not isinstance(value, str):
        errors[name] = ["Must be a string."]
        return None
    try:
        text = normalize_text(value, allow_newlines=newlines)
    except ValueError as exc:
        errors[name] = [str(exc)]
        return None
    if len(text) > max_length:
        errors[name] = [f"At most {max_length} characters."]
        return None
    return text


def _clean_website(value: Any, errors: dict[str, list[str]]) -> str | None:
    if not isinstance(value, str):
        errors["website"] = ["Must be a string."]
        return None
    url = value.strip()
    if not url:
        return ""
    if len(url) > WEBSITE_MAX_LENGTH:
        errors["website"] = [f"At most {WEBSITE_MAX_LENGTH} characters."]
        return None
    try:
        _website_validator(url)
    except ValidationError:
        errors["website"] = ["Enter a valid http or https URL."]
        return None
    return url


def user_register(*, username: str, email: str, password: str, display_name: str = "") -> User:
    errors: dict[str, list[str]] = {}
    try:
        username_validator(username)
    except ValidationError as exc:
        errors["username"] = list(exc.messages)
    else:
        if User.objects.filter(username__iexact=username).exists():
            errors["username"] = ["This username is taken."]

    email = normalize_email(email)
    try:
        _email_validator(email)
    except ValidationError:
        errors["email"] = ["Enter a valid email address."]
    else:
        if User.objects.filter(email=email).exists():
            errors["email"] = ["An account with this email exists."]

    clean_name = _clean_text_field("display_name", display_name, errors)
    candidate = User(username=username, email=email, display_name=clean_name or "")
    try:
        validate_password(password, user=candidate)
    except ValidationError as exc:
        errors["password"] = list(exc.messages)
    if errors:
        raise ApplicationError("Invalid input.", fields=errors)

    candidate.set_password(password)
    try:
        with transaction.atomic():
            candidate.save(force_insert=True)
            events.publish(UserRegistered(user_id=candidate.id))
    except IntegrityError as exc:  # a concurrent registration took the name or email
        field = "email" if "email" in str(exc) else "username"
        raise ApplicationError("Invalid input.", fields={field: [f"This {field} is taken."]}) from exc
    return candidate


def user_update_profile(*, user_id: int, changes: dict[str, Any]) -> User:
    """Apply a partial profile update; unknown keys are the caller's to reject."""
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, str] = {}
    changes = dict(changes)
    avatar_change, avatar_media_id = "avatar_media_id" in changes, changes.pop("avatar_media_id", None)
    settings_changed = {}
    if "dm_policy" in changes:
        policy = changes.pop("dm_policy")
        if policy in DmPolicy.values:
            settings_changed["dm_policy"] = policy
        else:
            errors["dm_policy"] = [f"One of: {', '.join(DmPolicy.values)}."]
    for name, value in changes.items():
        clean = _clean_website(value, errors) if name == "website" else _clean_text_field(name, value, errors)
        if clean is not None:
            cleaned[name] = clean
    if errors:
        raise ApplicationError("Invalid input.", fields=errors)

    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=user_id, is_active=True).first()
        if user is None:
            raise NotFoundError("User not found.")
        if avatar_change:
            cleaned["avatar_url"] = (
                ""
                if avatar_media_id is None
                else media_services.media_use_as_avatar(owner_id=user_id, media_id=avatar_media_id)
            )
        for name, value in {**cleaned, **settings_changed}.items():
            setattr(user, name, value)
        if cleaned or settings_changed:
            user.save(update_fields=[*cleaned, *settings_changed])
            mark_recent_write(user_id)
        if cleaned:  # what others see of the account changed (settings are the user's own)
            events.publish(UserProfileUpdated(user_id=user_id))
    return user


def user_counters_adjust(*, deltas: dict[int, dict[str, int]]) -> None:
    """Add to denormalized counters, e.g. {author_id: {"tweets_count": 1}}.

    Rows are updated in id order so that concurrent adjustments never deadlock, and a
    counter never goes below zero.
    """
    for user_id in sorted(deltas):
        changes = {
            field: Greatest(F(field) + delta, 0)
            for field, delta in deltas[user_id].items()
            if field in COUNTER_FIELDS and delta
        }
        if changes:
            User.objects.filter(pk=user_id).update(**changes)


def user_counter_adjust_active(*, user_id: int, field: str, delta: int) -> user_selectors.UserSummary:
    """Adjust one counter of the acting user, refusing a suspended or inactive account (401,
    as the token check did), and
    return what others may know of them: one statement where a check, an update and a
    lookup would be three. The row stays locked until the caller's transaction ends, so a
    suspension committed meanwhile waits for it (and a suspended user is refused exactly,
    not within the token's revocation delay)."""
    if field not in COUNTER_FIELDS:
        raise ValueError(f"not a counter: {field}")
    table = User._meta.db_table
    with connections[PRIMARY].cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {field} = GREATEST({field} + %s, 0) WHERE id = %s AND is_active"  # noqa: S608
            " RETURNING username, display_name, avatar_url, followers_count",
            [delta, user_id],
        )
        row = cursor.fetchone()
    if row is None:
        # As if the token had been refused: the account it names cannot act any more.
        raise AuthenticationError("This account is not active.", code="user_inactive")
    username, display_name, avatar_url, followers_count = row
    return user_selectors.UserSummary(
        id=user_id,
        username=username,
        display_name=display_name,
        avatar_url=avatar_url,
        is_active=True,
        is_suspended=False,
        followers_count=followers_count,
    )


def user_suspend(*, user_id: int) -> User:
    """Suspend: no login, no token refresh; outstanding refresh tokens are revoked."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user_id)
        if user.suspended_at is None:
            user.suspended_at = timezone.now()
            user.is_active = False
            user.save(update_fields=["suspended_at", "is_active"])
            outstanding = OutstandingToken.objects.filter(user_id=user_id, blacklistedtoken__isnull=True)
            BlacklistedToken.objects.bulk_create(
                [BlacklistedToken(token=token) for token in outstanding], ignore_conflicts=True
            )
            transaction.on_commit(lambda: _revoke_access(user_tokens_revoke, user_id=user_id))
            events.publish(UserSuspended(user_id=user_id))
    return user


def user_unsuspend(*, user_id: int) -> User:
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user_id)
        if user.suspended_at is not None:
            user.suspended_at = None
            user.is_active = True
            user.save(update_fields=["suspended_at", "is_active"])
            events.publish(UserUnsuspended(user_id=user_id))
    return user


def auth_login(*, request: HttpRequest | None, login: str, password: str) -> TokenPair:
    """Tokens for valid credentials; one answer for every failure, so none leaks which.
    The pair starts a session (a refresh-token family) of its own."""
    user = authenticate(request, username=login, password=password)
    if user is None:
        raise AuthenticationError("No active account matches these credentials.", code="invalid_credentials")
    refresh = RefreshToken.for_user(user)
    refresh["username"] = user.get_username()
    refresh[SESSION_CLAIM] = uuid.uuid4().hex  # copied into every token rotated from it
    return TokenPair(access=str(refresh.access_token), refresh=str(refresh))


def _invalid_refresh() -> AuthenticationError:
    return AuthenticationError("The refresh token is invalid or expired.", code="token_not_valid")


def _signed_refresh_claims(refresh_token: str) -> tuple[int, str]:
    """(user id, session id) of a refresh token whose signature and expiry hold, whether or
    not it was revoked since."""
    try:
        token = RefreshToken(refresh_token, verify=False)  # type: ignore[arg-type]  # str is a valid token
        token.check_exp()
        if token.payload.get(jwt_settings.TOKEN_TYPE_CLAIM) != "refresh":
            raise TokenError("not a refresh token")
    except (TokenError, TypeError, ValueError, OverflowError) as exc:
        raise _invalid_refresh() from exc
    user_id, session_id = parse_id(token.payload.get(jwt_settings.USER_ID_CLAIM)), token.payload.get(SESSION_CLAIM)
    if user_id is None or not isinstance(session_id, str) or not 0 < len(session_id) <= 64:
        raise _invalid_refresh()
    return user_id, session_id


def _session_end(*, user_id: int, session_id: str, reason: str) -> None:
    RevokedSession.objects.get_or_create(session_id=session_id, defaults={"user_id": user_id, "reason": reason})
    transaction.on_commit(lambda: _revoke_access(session_revoke, user_id=user_id, session_id=session_id))


def _revoke_access(revoke: Callable[..., None], **which: Any) -> None:
    """Stop access tokens (after commit). With Redis down they end when they expire
    (minutes); refresh tokens are refused by the database either way."""
    try:
        revoke(**which)
    except redis_errors as exc:
        logger.warning("could not revoke the access tokens of %s: %s", which, exc)


def auth_refresh(*, refresh_token: str) -> TokenPair:
    """A new pair for a good refresh token, which is revoked (rotation). A refresh token
    that was already rotated and comes back leaked: its whole session ends, the tokens
    descended from it included."""
    user_id, session_id = _signed_refresh_claims(refresh_token)
    if RevokedSession.objects.filter(session_id=session_id).exists():
        raise AuthenticationError("This session has ended: sign in again.", code="token_revoked")
    try:
        refresh = RefreshToken(refresh_token)  # type: ignore[arg-type]  # checks the blacklist too
    except TokenError as exc:
        if "blacklisted" not in str(exc):
            raise _invalid_refresh() from exc
        with transaction.atomic():
            _session_end(user_id=user_id, session_id=session_id, reason=RevokedSession.Reason.REUSE)
        reused = AuthenticationError("This refresh token was already used: the session has ended.")
        reused.code = "token_reused"
        raise reused from exc
    with transaction.atomic():
        user = User.objects.filter(pk=user_id, is_active=True).first()
        if user is None:
            raise _invalid_refresh()
        refresh.blacklist()
        refresh.set_jti()
        refresh.set_exp()
        refresh.set_iat()
        refresh.outstand()
    return TokenPair(access=str(refresh.access_token), refresh=str(refresh))


def auth_logout(*, refresh_token: str) -> None:
    """End the session of a refresh token: it and its access tokens stop working at once
    (idempotent: ending an ended session is fine)."""
    user_id, session_id = _signed_refresh_claims(refresh_token)
    with transaction.atomic():
        try:
            RefreshToken(refresh_token).blacklist()  # type: ignore[arg-type]  # str is a valid token
        except TokenError as exc:
            if "blacklisted" not in str(exc):
                raise _invalid_refresh() from exc
        _session_end(user_id=user_id, session_id=session_id, reason=RevokedSession.Reason.LOGOUT)
