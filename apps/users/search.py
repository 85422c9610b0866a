"""Search reads of the users context: name matching for the search context's Postgres
backend (trigram indexes from migration 0002_search), and the records other backends
index. Suspended and deactivated accounts are never found."""

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connections

from apps.users.models import User
from twitter.db.like import like_prefix
from twitter.db.routing import read_alias

# The indexes migration 0002_search made (what `search_reindex` rebuilds on Postgres).
SEARCH_INDEXES = ("users_username_trgm_idx", "users_display_name_trgm_idx")


def user_ids_by_name(*, text: str, usernames_only: bool, offset: int, limit: int) -> list[int]:
    """Users whose username (or, unless `usernames_only`, a word of their display name)
    starts with `text`, then near misses of the username; exact username first, then
    username prefixes, display-name prefixes and fuzzy matches, each by follower count.
    A fuzzy match is pg_trgm's `%`: trigram similarity of at least 0.3 (its default)."""
    needle = text.lower()
    matches = ["lower(username) LIKE %(prefix)s", "lower(username) %% %(needle)s"]
    rank = [
        "lower(username) = %(needle)s",
        "lower(username) LIKE %(prefix)s",
    ]
    if not usernames_only:
        matches += ["lower(display_name) LIKE %(prefix)s", "lower(display_name) LIKE %(word_prefix)s"]
        rank.append("lower(display_name) LIKE %(prefix)s OR lower(display_name) LIKE %(word_prefix)s")
    order = ", ".join(f"({condition}) DESC" for condition in rank)
    sql = (
        f"SELECT id FROM {User._meta.db_table} "
        f"WHERE is_active AND suspended_at IS NULL AND ({' OR '.join(matches)}) "
        f"ORDER BY {order}, similarity(lower(username), %(needle)s) DESC, followers_count DESC, id "
        "LIMIT %(limit)s OFFSET %(offset)s"
    )
    params: dict[str, str | int] = {
        "needle": needle,
        "prefix": like_prefix(needle),
        "word_prefix": "% " + like_prefix(needle),
        "limit": limit,
        "offset": offset,
    }
    with connections[read_alias()].cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


@dataclass(frozen=True)
class UserRecord:
    """What a search index holds of a user."""

    id: int
    username: str
    display_name: str
    followers_count: int
    searchable: bool  # active and not suspended


_RECORD_FIELDS = ("id", "username", "display_name", "followers_count", "is_active", "suspended_at")


def _records(users: Sequence[User]) -> list[UserRecord]:
    return [
        UserRecord(
            id=user.id,
            username=user.username,
            display_name=user.display_name,
            followers_count=user.followers_count,
            searchable=user.is_active and not user.is_suspended,
        )
        for user in users
    ]


def user_records(*, user_ids: Sequence[int], using: str) -> list[UserRecord]:
    return _records(list(User.objects.using(using).filter(pk__in=list(user_ids)).only(*_RECORD_FIELDS)))


def user_records_after(*, after_id: int, limit: int, using: str) -> list[UserRecord]:
    users = User.objects.using(using).filter(id__gt=after_id).order_by("id").only(*_RECORD_FIELDS)[:limit]
    return _records(list(users))


def searchable_user_count(*, using: str) -> int:
    """How many accounts a full reindex writes: the active, unsuspended ones."""
    return User.objects.using(using).filter(is_active=True, suspended_at__isnull=True).count()
