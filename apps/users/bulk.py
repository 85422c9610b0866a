"""Bulk loading of accounts, for seeding a development or benchmark database: COPY, no
per-row checks, no events. Not for anything a user does."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import connections

from twitter.db.routing import PRIMARY

_COLUMNS = (
    "id, password, is_superuser, username, email, display_name, bio, location, website, avatar_url,"
    " is_active, is_staff, date_joined, followers_count, following_count, tweets_count, likes_count"
)


@dataclass(frozen=True)
class BulkUser:
    id: int
    username: str
    email: str
    display_name: str
    followers_count: int = 0
    following_count: int = 0
    tweets_count: int = 0


def users_bulk_load(users: Iterable[BulkUser], *, password_hash: str, joined: datetime) -> int:
    """Insert new active accounts (in the caller's transaction); returns how many."""
    count = 0
    with connections[PRIMARY].cursor() as cursor, cursor.copy(f"COPY users_user ({_COLUMNS}) FROM STDIN") as copy:
        for user in users:
            copy.write_row(
                (
                    user.id,
                    password_hash,
                    False,
                    user.username,
                    user.email,
                    user.display_name,
                    "",
                    "",
                    "",
                    "",
                    True,
                    False,
                    joined,
                    user.followers_count,
                    user.following_count,
                    user.tweets_count,
                    0,
                )
            )
            count += 1
    return count


def users_analyze() -> None:
    """Fresh planner statistics after a bulk load."""
    with connections[PRIMARY].cursor() as cursor:
        cursor.execute("ANALYZE users_user")
