"""Reads of the follows context."""

from collections.abc import Iterator

from django.db import connections

from apps.follows.models import Follow
from twitter.api.pagination import PageParams, paginate_queryset


def follow_exists(*, follower_id: int, followee_id: int, using: str | None = None) -> bool:
    queryset = Follow.objects.filter(follower_id=follower_id, followee_id=followee_id)
    return (queryset.using(using) if using else queryset).exists()


def followers_page(*, user_id: int, params: PageParams) -> list[tuple[int, int]]:
    """(follow id, follower id) pairs, most recent follow first."""
    follows = paginate_queryset(Follow.objects.filter(followee_id=user_id).only("id", "follower_id"), params)
    return [(follow.id, follow.follower_id) for follow in follows]


def following_page(*, user_id: int, params: PageParams) -> list[tuple[int, int]]:
    """(follow id, followee id) pairs, most recent follow first."""
    follows = paginate_queryset(Follow.objects.filter(follower_id=user_id).only("id", "followee_id"), params)
    return [(follow.id, follow.followee_id) for follow in follows]


def followee_ids(*, user_id: int, using: str) -> list[int]:
    return list(Follow.objects.using(using).filter(follower_id=user_id).values_list("followee_id", flat=True))


def follower_id_batches(
    *,
    user_id: int,
    using: str,
    batch_size: int,
    also_following: int | None = None,
    after: int = -1,
    through: int | None = None,
) -> Iterator[list[int]]:
    """Every follower of `user_id` in batches (keyset order), optionally only those who
    also follow `also_following` (the reply rule), and only ids in (after, through]."""
    last = after
    sql = "SELECT f.follower_id FROM follows_follow f WHERE f.followee_id = %s AND f.follower_id > %s"
    if through is not None:
        sql += " AND f.follower_id <= %s"
    if also_following is not None:
        sql += (
            " AND (f.follower_id = %s OR EXISTS (SELECT 1 FROM follows_follow g"
            " WHERE g.follower_id = f.follower_id AND g.followee_id = %s))"
        )
    sql += " ORDER BY f.follower_id LIMIT %s"
    with connections[using].cursor() as cursor:
        while True:
            params: list[int] = [user_id, last]
            params += [through] if through is not None else []
            params += [also_following] * 2 if also_following is not None else []
            params += [batch_size]
            cursor.execute(sql, params)
            batch = [row[0] for row in cursor.fetchall()]
            if not batch:
                return
            yield batch
            if len(batch) < batch_size:
                return
            last = batch[-1]


def followers_among(*, user_id: int, candidates: list[int], using: str) -> list[int]:
    """Those of `candidates` who follow `user_id`."""
    if not candidates:
        return []
    queryset = Follow.objects.using(using).filter(followee_id=user_id, follower_id__in=candidates)
    return list(queryset.values_list("follower_id", flat=True))
