"""Bulk loading of follows, for seeding a development or benchmark database: COPY, no
per-row checks, no events, no counters (the loader of the accounts sets those)."""

from collections.abc import Iterable
from datetime import datetime

from django.db import connections

from twitter.db.routing import PRIMARY


def follows_bulk_load(follows: Iterable[tuple[int, int, int]], *, created_at: datetime) -> int:
    """Insert (id, follower_id, followee_id) rows (in the caller's transaction)."""
    count = 0
    with (
        connections[PRIMARY].cursor() as cursor,
        cursor.copy("COPY follows_follow (id, follower_id, followee_id, created_at) FROM STDIN") as copy,
    ):
        for row in follows:
            copy.write_row((*row, created_at))
            count += 1
    return count


def follows_analyze() -> None:
    with connections[PRIMARY].cursor() as cursor:
        cursor.execute("ANALYZE follows_follow")
