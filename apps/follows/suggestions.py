"""Who to follow: accounts followed by the accounts you follow, ranked by how many of
them do; the most followed accounts when the graph gives nothing (or too little).

Never suggested: yourself, anyone you follow, block, mute, were blocked by or dismissed,
and suspended or closed accounts. A user's list is computed by the worker in one query
(when first asked for, and again after each of their follows, blocks and mutes) and
cached in Redis for SUGGESTIONS_CACHE_SECONDS; a read checks it against the follows,
blocks, mutes and dismissals made since.
"""

import contextlib
import logging
from dataclasses import dataclass

import orjson
from celery import current_app
from django.conf import settings
from django.db import connections

from apps.follows import selectors
from apps.follows.models import SuggestionDismissal
from apps.users import selectors as user_selectors
from twitter import events, keys
from twitter.db.routing import PRIMARY, read_alias
from twitter.redis import get_redis, redis_errors

logger = logging.getLogger(__name__)

KEPT = 50  # suggestions computed and cached per user
FOLLOWED_BY_SHOWN = 3


@dataclass(frozen=True)
class Suggestion:
    user_id: int
    reason: str  # "followed_by" or "popular"
    score: int  # how many of the people you follow follow them (popular: 0)
    followed_by: list[int]  # up to FOLLOWED_BY_SHOWN of them, most recent follow first


# Two hops through follows_follow: (followee_id, follower_id) and (follower_id, -id) are
# indexed, so the cost grows with the follows of the accounts one follows.
_FRIENDS_OF_FRIENDS = """
    SELECT f2.followee_id, count(*) AS n,
           (array_agg(f2.follower_id ORDER BY f2.id DESC))[1:%(shown)s]
    FROM follows_follow f1
    JOIN follows_follow f2 ON f2.follower_id = f1.followee_id
    WHERE f1.follower_id = %(user)s
      AND f2.followee_id <> %(user)s
      AND f2.followee_id <> ALL(%(excluded)s::bigint[])
      AND NOT EXISTS (
          SELECT 1 FROM follows_follow mine WHERE mine.follower_id = %(user)s AND mine.followee_id = f2.followee_id
      )
    GROUP BY f2.followee_id
    ORDER BY n DESC, f2.followee_id
    LIMIT %(limit)s
"""


def _excluded(user_id: int, using: str) -> set[int]:
    dismissed = SuggestionDismissal.objects.using(using).filter(user_id=user_id).values_list("dismissed_id", flat=True)
    return (
        selectors.block_related_ids(user_id=user_id, using=using)
        | selectors.muted_ids(user_id=user_id, using=using)
        | set(dismissed)
    )


def compute(*, user_id: int, using: str = PRIMARY) -> list[Suggestion]:
    """The ranked suggestions for `user_id`, from the database."""
    excluded = _excluded(user_id, using)
    with connections[using].cursor() as cursor:
        cursor.execute(
            _FRIENDS_OF_FRIENDS,
            {"user": user_id, "excluded": sorted(excluded), "limit": KEPT * 2, "shown": FOLLOWED_BY_SHOWN},
        )
        rows = cursor.fetchall()
    summaries = user_selectors.user_summaries(user_ids=[row[0] for row in rows], using=using)
    found = [
        Suggestion(candidate, "followed_by", count, list(followed_by))
        for candidate, count, followed_by in rows
        if candidate in summaries and summaries[candidate].is_active and not summaries[candidate].is_suspended
    ][:KEPT]
    if len(found) < KEPT:
        taken = excluded | {user_id} | {s.user_id for s in found}
        taken |= set(selectors.followee_ids(user_id=user_id, using=using))
        popular = user_selectors.user_ids_most_followed(limit=KEPT - len(found), excluding=taken, using=using)
        found += [Suggestion(candidate, "popular", 0, []) for candidate in popular]
    return found


def refresh(*, user_id: int, using: str = PRIMARY) -> list[Suggestion]:
    """Compute `user_id`'s suggestions again and cache them (Redis down: not cached)."""
    found = compute(user_id=user_id, using=using)
    try:
        payload = orjson.dumps([[s.user_id, s.reason, s.score, s.followed_by] for s in found])
        pipe = get_redis().pipeline(transaction=False)
        pipe.set(keys.suggestions(user_id), payload, ex=int(settings.SUGGESTIONS_CACHE_SECONDS))
        pipe.delete(keys.suggestions_asked(user_id))
        pipe.execute()
    except redis_errors as exc:
        logger.warning("suggestions of %s not cached: %s", user_id, exc)
    return found


def refresh_if_cached(*, user_id: int) -> None:
    """After a change of `user_id`'s graph: a cached list is made again (a user who never
    asked costs nothing)."""
    try:
        cached = get_redis().exists(keys.suggestions(user_id))
    except redis_errors:
        return
    if cached:
        refresh(user_id=user_id)


def _cached(user_id: int) -> list[Suggestion] | None:
    try:
        raw = get_redis().get(keys.suggestions(user_id))
    except redis_errors:
        return None
    if raw is None:
        return None
    return [Suggestion(int(u), str(r), int(n), [int(f) for f in by]) for u, r, n, by in orjson.loads(raw)]


COMPUTE_TASK = "apps.follows.tasks.suggestions_compute_task"
ASK_AGAIN_SECONDS = 60  # an ask the worker never answered (lost, or Redis lost the list) is made again after


def ask_worker(user_id: int) -> bool:
    """Ask the worker to compute `user_id`'s suggestions, once while an ask is pending;
    whether it was asked now. Never blocks a read: a broker or Redis that cannot take it
    is logged, and the next read asks again."""
    try:
        if not get_redis().set(keys.suggestions_asked(user_id), 1, nx=True, ex=ASK_AGAIN_SECONDS):
            return False
    except redis_errors as exc:
        logger.warning("suggestions of %s not asked for: %s", user_id, exc)
        return False
    try:
        current_app.send_task(COMPUTE_TASK, args=[user_id], queue=events.queue_of(COMPUTE_TASK), retry=False)
    except Exception:
        logger.exception("suggestions of %s not asked for", user_id)
        with contextlib.suppress(*redis_errors):
            get_redis().delete(keys.suggestions_asked(user_id))
        return False
    return True


def _popular(user_id: int, using: str) -> list[Suggestion]:
    """The most followed accounts the user may be suggested (while the worker computes)."""
    taken = _excluded(user_id, using) | {user_id} | set(selectors.followee_ids(user_id=user_id, using=using))
    popular = user_selectors.user_ids_most_followed(limit=KEPT, excluding=taken, using=using)
    return [Suggestion(candidate, "popular", 0, []) for candidate in popular]


def for_user(*, user_id: int, limit: int) -> list[Suggestion]:
    """Up to `limit` suggestions: the list the worker computed, less the accounts followed,
    blocked, muted or dismissed since it was made. Without one (a first ask, or it
    expired), the worker is asked for it and the most followed accounts answer now: the
    read-API never runs the two-hop query, whose cost grows with the follows of the
    accounts one follows."""
    using = read_alias()  # the primary for a user who just followed or dismissed
    found = _cached(user_id)
    if found is None:
        ask_worker(user_id)
        return _popular(user_id, using)[:limit]
    candidates = [s.user_id for s in found]
    gone = _excluded(user_id, using) | set(
        selectors.followee_ids_among(user_id=user_id, candidates=candidates, using=using)
    )
    return [s for s in found if s.user_id not in gone][:limit]


def dismiss(*, user_id: int, dismissed_id: int) -> None:
    """Never suggest `dismissed_id` to `user_id` again (idempotent)."""
    user_selectors.user_get_any(user_id=dismissed_id)
    SuggestionDismissal.objects.get_or_create(user_id=user_id, dismissed_id=dismissed_id)
