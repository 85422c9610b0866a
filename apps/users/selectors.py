"""Reads of the users context. On the read-API they run on the replica (router)."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import F
from django.db.models.functions import Lower

from apps.users.models import User
from twitter.db.lookups import AnyOf
from twitter.db.routing import PRIMARY, may_be_unreplayed, unreplayed
from twitter.errors import NotFoundError, PermissionDeniedError


def _visible(user: User | None) -> User:
    if user is None:
        raise NotFoundError("User not found.", code="user_not_found")
    if user.is_suspended:
        raise PermissionDeniedError("This account is suspended.", code="user_suspended")
    return user


def user_get(*, user_id: int) -> User:
    user = User.objects.filter(pk=user_id).first()
    if user is None and may_be_unreplayed(user_id):
        user = User.objects.using(PRIMARY).filter(pk=user_id).first()
    return _visible(user)


def user_username_taken(*, username: str) -> bool:
    """Whether an account has this username (in any case), on the primary."""
    return User.objects.using(PRIMARY).filter(username__iexact=username).exists()


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


@dataclass(frozen=True)
class UserSummary:
    """What other contexts may know of a user."""

    id: int
    username: str
    display_name: str
    avatar_url: str
    is_active: bool
    is_suspended: bool
    followers_count: int


def user_summaries(*, user_ids: Iterable[int], using: str | None = None) -> dict[int, UserSummary]:
    """Summaries of the users found. Read where the routers say (the replica on the
    read-API) unless `using` is given; then accounts so new that the replica may not have
    them yet are looked up on the primary."""
    wanted = list(user_ids)
    found = _summaries(wanted, using)
    if using is None:
        young = unreplayed(u for u in wanted if u not in found)
        if young:
            found.update(_summaries(young, PRIMARY))
    return found


def _summaries(user_ids: list[int], using: str | None) -> dict[int, UserSummary]:
    queryset = User.objects.filter(pk__in=user_ids)
    if using is not None:
        queryset = queryset.using(using)
    return {
        row["id"]: UserSummary(
            id=row["id"],
            username=row["username"],
            display_name=row["display_name"],
            avatar_url=row["avatar_url"],
            is_active=row["is_active"],
            is_suspended=row["suspended_at"] is not None,
            followers_count=row["followers_count"],
        )
        for row in queryset.values(
            "id", "username", "display_name", "avatar_url", "is_active", "suspended_at", "followers_count"
        )
    }


def card(summary: UserSummary) -> dict[str, str]:
    """The user card other objects embed (UserCardOutputSerializer)."""
    return {
        "id": str(summary.id),
        "username": summary.username,
        "display_name": summary.display_name,
        "avatar_url": summary.avatar_url,
    }


def user_dm_policies(*, user_ids: Iterable[int]) -> dict[int, str]:
    """Each active user's `dm_policy`, read on the primary (a write checks it)."""
    rows = User.objects.using(PRIMARY).filter(pk__in=list(user_ids), is_active=True, suspended_at__isnull=True)
    return dict(rows.values_list("id", "dm_policy"))


def user_get_any(*, user_id: int) -> UserSummary:
    """An account that exists, suspended or not (one may block or mute either); else 404."""
    summary = user_summaries(user_ids=[user_id], using=PRIMARY).get(user_id)
    if summary is None or (not summary.is_active and not summary.is_suspended):
        raise NotFoundError("User not found.", code="user_not_found")
    return summary


def user_active_summary(*, user_id: int) -> UserSummary:
    """A user who can be followed, mentioned or replied to; else a 404 / 403."""
    summary = user_summaries(user_ids=[user_id], using=PRIMARY).get(user_id)
    if summary is None or (not summary.is_active and not summary.is_suspended):
        raise NotFoundError("User not found.", code="user_not_found")
    if summary.is_suspended:
        raise PermissionDeniedError("This account is suspended.", code="user_suspended")
    return summary


def user_is_staff(*, user_id: int) -> bool:
    """Whether an active account is staff (on the primary: it decides a write)."""
    return User.objects.using(PRIMARY).filter(pk=user_id, is_active=True, is_staff=True).exists()


def user_ids_suspended(*, using: str | None = None) -> list[int]:
    queryset = User.objects.filter(suspended_at__isnull=False)
    if using is not None:
        queryset = queryset.using(using)
    return list(queryset.values_list("id", flat=True))


def user_ids_most_followed(*, limit: int, excluding: Iterable[int], using: str | None = None) -> list[int]:
    """Active, unsuspended accounts with the most followers, most first."""
    queryset = User.objects.filter(is_active=True, suspended_at__isnull=True, followers_count__gt=0)
    if using is not None:
        queryset = queryset.using(using)
    queryset = queryset.exclude(AnyOf(F("id"), excluding)).order_by("-followers_count", "id")
    return list(queryset.values_list("id", flat=True)[:limit])


def user_ids_with_followers_at_least(*, count: int, using: str | None = None) -> list[int]:
    queryset = User.objects.filter(followers_count__gte=count, suspended_at__isnull=True)
    if using is not None:
        queryset = queryset.using(using)
    return list(queryset.values_list("id", flat=True))


def users_in_order(*, user_ids: list[int]) -> list[User]:
    """The users with these ids, in the order given (missing ones left out)."""
    by_id = User.objects.in_bulk(user_ids)
    return [by_id[user_id] for user_id in user_ids if user_id in by_id]


def user_ids_active(*, using: str) -> list[int]:
    return list(User.objects.using(using).filter(is_active=True).order_by("id").values_list("id", flat=True))


def user_ids_by_username(*, usernames: Iterable[str], using: str | None = None) -> dict[str, tuple[int, str]]:
    """Active, unsuspended users among `usernames` (any case): lower-cased name -> (id, name)."""
    wanted = {name.lower() for name in usernames}
    if not wanted:
        return {}
    queryset = User.objects.annotate(username_lower=Lower("username")).filter(
        username_lower__in=wanted, is_active=True, suspended_at__isnull=True
    )
    if using is not None:
        queryset = queryset.using(using)
    return {username.lower(): (user_id, username) for user_id, username in queryset.values_list("id", "username")}


@dataclass(frozen=True)
class Profile:
    """A user's public profile, as another API format presents it."""

    id: int
    username: str
    display_name: str
    bio: str
    website: str
    avatar_url: str
    joined_at: datetime
    followers_count: int
    following_count: int
    tweets_count: int


_PROFILE_FIELDS = (
    "id", "username", "display_name", "bio", "website", "avatar_url", "date_joined", "followers_count",
    "following_count", "tweets_count",
)  # fmt: skip


def user_profiles(*, user_ids: Iterable[int]) -> dict[int, Profile]:
    """The profiles of the visible users (active, not suspended) among `user_ids`; accounts
    too new for the replica come from the primary."""

    def found(ids: list[int], using: str | None) -> dict[int, Profile]:
        queryset = User.objects.filter(pk__in=ids, is_active=True, suspended_at__isnull=True)
        if using is not None:
            queryset = queryset.using(using)
        return {
            row[0]: Profile(*row)  # the fields in Profile's order
            for row in queryset.values_list(*_PROFILE_FIELDS)
        }

    wanted = list(user_ids)
    profiles = found(wanted, None) if wanted else {}
    young = unreplayed(u for u in wanted if u not in profiles)
    if young:
        profiles.update(found(young, PRIMARY))
    return profiles


def user_count_active() -> int:
    """How many accounts are active and not suspended."""
    return User.objects.filter(is_active=True, suspended_at__isnull=True).count()
