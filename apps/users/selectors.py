"""Reads of the users context. On the read-API they run on the replica (router)."""

from django.conf import settings

from apps.users.models import User
from twitter.db.routing import PRIMARY
from twitter.errors import NotFoundError, PermissionDeniedError
from twitter.ids import id_age_seconds


def _visible(user: User | None) -> User:
    if user is None:
        raise NotFoundError("User not found.", code="user_not_found")
    if user.is_suspended:
        raise PermissionDeniedError("This account is suspended.", code="user_suspended")
    return user


def user_get(*, user_id: int) -> User:
    user = User.objects.filter(pk=user_id).first()
    if user is None and id_age_seconds(user_id) < settings.REPLICA_LAG_GRACE_SECONDS:
        # So new that the replica may not have replayed it yet: ask the primary.
        user = User.objects.using(PRIMARY).filter(pk=user_id).first()
    return _visible(user)


def user_get_by_username(*, username: str) -> User:
    return _visible(User.objects.filter(username__iexact=username).first())


def user_get_me(*, user_id: int) -> User:
    """The signed-in user's own account; a token for a removed account is a 404."""
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        user = User.objects.using(PRIMARY).filter(pk=user_id).first()
    if user is None or not user.is_active:
        raise NotFoundError("User not found.", code="user_not_found")
    return user
