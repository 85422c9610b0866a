"""Reads of the follows context."""

from collections.abc import Iterator
from dataclasses import dataclass

from django.db import connections
from django.db.models import Q

from apps.follows.models import Block, Follow, Mute
from twitter.api.pagination import PageParams, paginate_queryset
from twitter.db.lookups import id_array
from twitter.db.routing import PRIMARY, read_alias


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


def followee_ids_among(*, user_id: int, candidates: list[int], using: str) -> list[int]:
    """Those of `candidates` whom `user_id` follows."""
    if not candidates:
        return []
    queryset = Follow.objects.using(using).filter(follower_id=user_id, followee_id__in=candidates)
    return list(queryset.values_list("followee_id", flat=True))


def followers_among(*, user_id: int, candidates: list[int], using: str) -> list[int]:
    """Those of `candidates` who follow `user_id`."""
    if not candidates:
        return []
    queryset = Follow.objects.using(using).filter(followee_id=user_id, follower_id__in=candidates)
    return list(queryset.values_list("follower_id", flat=True))


# --- Blocks and mutes ------------------------------------------------------------------


def blocked_between(*, user_id: int, other_id: int, using: str = PRIMARY) -> bool:
    """Whether either of the two blocked the other (a write checks on the primary)."""
    pairs = Q(blocker_id=user_id, blocked_id=other_id) | Q(blocker_id=other_id, blocked_id=user_id)
    return Block.objects.using(using).filter(pairs).exists()


def blocked_among(*, user_id: int, others: list[int], using: str = PRIMARY) -> list[int]:
    """Those of `others` who blocked `user_id` or whom `user_id` blocked."""
    if not others:
        return []
    rows = Block.objects.using(using).filter(
        Q(blocker_id=user_id, blocked_id__in=others) | Q(blocked_id=user_id, blocker_id__in=others)
    )
    return sorted({b if a == user_id else a for a, b in rows.values_list("blocker_id", "blocked_id")})


def block_related_ids(*, user_id: int, using: str | None = None) -> set[int]:
    """Everyone `user_id` blocked or was blocked by: neither sees the other's tweets."""
    blocks = Block.objects.using(using) if using else Block.objects
    rows = blocks.filter(Q(blocker_id=user_id) | Q(blocked_id=user_id)).values_list("blocker_id", "blocked_id")
    return {b if a == user_id else a for a, b in rows}


def mute_exists(*, muter_id: int, muted_id: int, using: str = PRIMARY) -> bool:
    return Mute.objects.using(using).filter(muter_id=muter_id, muted_id=muted_id).exists()


def muted_ids(*, user_id: int, using: str | None = None) -> set[int]:
    mutes = Mute.objects.using(using) if using else Mute.objects
    return set(mutes.filter(muter_id=user_id).values_list("muted_id", flat=True))


def excluding_ids(*, author_ids: list[int], using: str) -> set[int]:
    """Everyone whose home leaves out tweets by `author_ids` (rule 7 of
    apps.tweets.visibility): who muted one of them, blocked one or was blocked by one."""
    if not author_ids:
        return set()
    sql = (
        "SELECT muter_id FROM follows_mute WHERE muted_id = ANY(%(ids)s::bigint[])"
        " UNION SELECT blocker_id FROM follows_block WHERE blocked_id = ANY(%(ids)s::bigint[])"
        " UNION SELECT blocked_id FROM follows_block WHERE blocker_id = ANY(%(ids)s::bigint[])"
    )
    with connections[using].cursor() as cursor:
        cursor.execute(sql, {"ids": id_array(author_ids)})
        return {row[0] for row in cursor.fetchall()}


def relationship(*, viewer_id: int, user_id: int) -> tuple[bool, bool]:
    """(blocking, muting): whether the viewer blocked and muted the user."""
    blocking = Block.objects.filter(blocker_id=viewer_id, blocked_id=user_id).exists()
    muting = Mute.objects.filter(muter_id=viewer_id, muted_id=user_id).exists()
    return blocking, muting


def blocks_page(*, user_id: int, params: PageParams) -> list[tuple[int, int]]:
    """(block id, blocked user id) pairs, most recent block first."""
    rows = paginate_queryset(Block.objects.filter(blocker_id=user_id).only("id", "blocked_id"), params)
    return [(row.id, row.blocked_id) for row in rows]


def mutes_page(*, user_id: int, params: PageParams) -> list[tuple[int, int]]:
    """(mute id, muted user id) pairs, most recent mute first."""
    rows = paginate_queryset(Mute.objects.filter(muter_id=user_id).only("id", "muted_id"), params)
    return [(row.id, row.muted_id) for row in rows]


@dataclass(frozen=True)
class Relation:
    """How the viewer and another user stand (another API format's relationship)."""

    following: bool
    followed_by: bool
    blocking: bool
    blocked_by: bool
    muting: bool


def relations(*, viewer_id: int, others: list[int], using: str | None = None) -> dict[int, Relation]:
    """The viewer's relation to each of `others`, in four queries whatever their number
    (on `using`, by default where reads go)."""
    if not others:
        return {}
    using = using or read_alias()
    following = set(followee_ids_among(user_id=viewer_id, candidates=others, using=using))
    followed_by = set(followers_among(user_id=viewer_id, candidates=others, using=using))
    blocks = Block.objects.using(using).filter(
        Q(blocker_id=viewer_id, blocked_id__in=others) | Q(blocked_id=viewer_id, blocker_id__in=others)
    )
    pairs = set(blocks.values_list("blocker_id", "blocked_id"))
    muting = set(
        Mute.objects.using(using).filter(muter_id=viewer_id, muted_id__in=others).values_list("muted_id", flat=True)
    )
    return {
        other: Relation(
            following=other in following,
            followed_by=other in followed_by,
            blocking=(viewer_id, other) in pairs,
            blocked_by=(other, viewer_id) in pairs,
            muting=other in muting,
        )
        for other in others
    }
