"""Reads of the notifications context: grouped, paginated listings and unread counts."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.db import connections

from apps.follows import selectors as follow_selectors
from apps.notifications.models import Notification, ReadMarker
from twitter.api.pagination import PageParams, paginate_queryset
from twitter.db.routing import PRIMARY, read_alias

ACTORS_SHOWN = 3


@dataclass(frozen=True)
class Group:
    """One line of the listing: a notification, or the likes / retweets of one tweet."""

    latest_id: int  # the cursor of the listing
    kind: str
    tweet_id: int | None
    count: int
    actor_ids: list[int]  # the most recent actors first, at most ACTORS_SHOWN


_GROUPS_SQL = """
    SELECT group_key, max(id) AS latest, count(*), (array_agg(kind))[1], (array_agg(tweet_id))[1]
    FROM notifications_notification
    WHERE recipient_id = %(user)s AND (%(kinds)s::text[] IS NULL OR kind = ANY(%(kinds)s))
      AND actor_id <> ALL(%(hidden)s::bigint[])
    GROUP BY group_key
    HAVING (%(max_id)s::bigint IS NULL OR max(id) < %(max_id)s)
       AND (%(lower)s::bigint IS NULL OR max(id) > %(lower)s)
"""
_NEWEST_FIRST = _GROUPS_SQL + " ORDER BY latest DESC LIMIT %(limit)s"
_OLDEST_FIRST = _GROUPS_SQL + " ORDER BY latest ASC LIMIT %(limit)s"
_ACTORS_SQL = """
    SELECT group_key, actor_id FROM (
        SELECT group_key, actor_id, row_number() OVER (PARTITION BY group_key ORDER BY id DESC) AS position
        FROM notifications_notification
        WHERE recipient_id = %(user)s AND group_key = ANY(%(groups)s)
          AND (%(kinds)s::text[] IS NULL OR kind = ANY(%(kinds)s)) AND actor_id <> ALL(%(hidden)s::bigint[])
    ) ranked
    WHERE position <= %(shown)s ORDER BY group_key, position
"""


def groups_page(*, user_id: int, params: PageParams, kinds: list[str] | None = None) -> list[Group]:
    """A page of groups, newest first by their latest notification (the cursor)."""
    args = {
        "user": user_id,
        "kinds": kinds,
        "hidden": sorted(hidden_actors(user_id=user_id)),
        "max_id": params.max_id,
        "lower": params.min_id if params.min_id is not None else params.since_id,
        "limit": params.limit,
    }
    with connections[read_alias()].cursor() as cursor:
        cursor.execute(_OLDEST_FIRST if params.ascending else _NEWEST_FIRST, args)
        rows = cursor.fetchall()
        if params.ascending:
            rows.reverse()
        if not rows:
            return []
        cursor.execute(_ACTORS_SQL, {**args, "groups": [row[0] for row in rows], "shown": ACTORS_SHOWN})
        actors: dict[str, list[int]] = defaultdict(list)
        for group_key, actor_id in cursor.fetchall():
            actors[group_key].append(actor_id)
    return [
        Group(latest_id=latest, kind=kind, tweet_id=tweet_id, count=count, actor_ids=actors[key])
        for key, latest, count, kind, tweet_id in rows
    ]


def notification_single(*, notification_id: int, user_id: int) -> Group | None:
    """One notification of `user_id`, as a group of its own (for live streams)."""
    found = Notification.objects.using(PRIMARY).filter(pk=notification_id, recipient_id=user_id).first()
    if found is None or found.actor_id in hidden_actors(user_id=user_id):
        return None
    return Group(latest_id=found.id, kind=found.kind, tweet_id=found.tweet_id, count=1, actor_ids=[found.actor_id])


def last_read_id(*, user_id: int) -> int:
    marker = ReadMarker.objects.filter(user_id=user_id).values_list("last_read_id", flat=True).first()
    return marker or 0


def unread_count(*, user_id: int) -> int:
    unread = Notification.objects.filter(recipient_id=user_id, id__gt=last_read_id(user_id=user_id))
    return unread.exclude(actor_id__in=hidden_actors(user_id=user_id)).count()


def hidden_actors(*, user_id: int) -> set[int]:
    """Whose notifications `user_id` does not see: those they blocked or muted, and those
    who blocked them (what they did before the block or mute is kept, and shows again
    after an unblock or unmute)."""
    return follow_selectors.block_related_ids(user_id=user_id) | follow_selectors.muted_ids(user_id=user_id)


@dataclass(frozen=True)
class Item:
    """One notification, ungrouped (another API format's listing)."""

    id: int
    kind: str
    actor_id: int
    tweet_id: int | None
    created_at: datetime


def items_page(*, user_id: int, params: PageParams, kinds: list[str] | None = None) -> list[Item]:
    """A page of the user's notifications one by one, newest first (`kinds`: only those),
    leaving out actors they blocked, muted or were blocked by."""
    queryset = Notification.objects.filter(recipient_id=user_id).exclude(actor_id__in=hidden_actors(user_id=user_id))
    if kinds is not None:
        queryset = queryset.filter(kind__in=kinds)
    rows = paginate_queryset(queryset.only("id", "kind", "actor_id", "tweet_id", "created_at"), params)
    return [Item(row.id, row.kind, row.actor_id, row.tweet_id, row.created_at) for row in rows]


def item_get(*, user_id: int, notification_id: int) -> Item | None:
    row = Notification.objects.filter(pk=notification_id, recipient_id=user_id).first()
    if row is None or row.actor_id in hidden_actors(user_id=user_id):
        return None
    return Item(row.id, row.kind, row.actor_id, row.tweet_id, row.created_at)
