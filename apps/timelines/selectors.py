"""Reads of the timelines context: pages from Redis, the database where Redis ends.

A page is served from the cached lists when it can be (no SQL), continues from the
replica past what the cache holds, and falls back to the replica entirely when Redis is
down. Tweets missing from the cache are hydrated from the replica in one query (from
the primary when too new to be there); deleted tweets and suspended or hidden authors
never show.
"""

import contextlib
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from apps.follows import selectors as follow_selectors
from apps.timelines import feeds, services
from apps.tweets import rendering
from apps.tweets import selectors as tweet_selectors
from apps.users import selectors as user_selectors
from twitter import keys
from twitter.api.pagination import PageParams
from twitter.db.routing import PRIMARY, read_alias
from twitter.ids import id_age_seconds
from twitter.redis import redis_errors

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Page:
    ids: list[int]
    items: list[bytes]  # each one tweet's JSON

    def json(self) -> bytes:
        return b"[" + b",".join(self.items) + b"]"


def _lower(params: PageParams) -> int | None:
    return params.min_id if params.min_id is not None else params.since_id


def _pull_home(viewer_id: int, params: PageParams, *, max_id: int | None, limit: int) -> list[int]:
    """The home timeline computed by SQL (fan-out on read)."""
    followees = follow_selectors.followee_ids(user_id=viewer_id, using=read_alias())
    authors = [*followees, viewer_id]
    return tweet_selectors.timeline_ids(
        author_ids=authors,
        using=read_alias(),
        limit=limit,
        max_id=max_id,
        min_id=_lower(params),
        ascending=params.ascending,
        reply_targets=authors,
        viewer_id=viewer_id,
        exclude_suspended=True,
    )


def _pull_user(user_id: int, params: PageParams, *, max_id: int | None, limit: int) -> list[int]:
    return tweet_selectors.timeline_ids(
        author_ids=[user_id],
        using=read_alias(),
        limit=limit,
        max_id=max_id,
        min_id=_lower(params),
        ascending=params.ascending,
        exclude_suspended=True,
    )


def _rebuild_once(user_id: int, rebuild: Any, list_key: str) -> None:
    """One reader rebuilds a list under its lock; the others wait briefly for it, and
    rebuild it themselves if it does not appear (the lock holder may have died)."""
    if not feeds.acquire_rebuild_lock(list_key):
        deadline = time.monotonic() + settings.REBUILD_LOCK_MS / 1000
        while time.monotonic() < deadline:
            if feeds.list_ids(list_key) is not None:
                return
            time.sleep(0.01)
    try:
        rebuild(user_id=user_id, using=read_alias())
    finally:
        feeds.release_rebuild_lock(list_key)


def _cached_page(
    *, list_key: str, owner_id: int, viewer_id: int, params: PageParams, merge_celebrities: bool, pull: object
) -> tuple[list[tuple[int, bytes]], dict[int, bytes]]:
    """(entries, author cards the cache returned with them)."""
    lower = _lower(params)
    for _ in range(4):
        cached = feeds.page(
            list_key=list_key,
            viewer_id=viewer_id,
            max_id=params.max_id,
            lower=lower,
            limit=params.limit,
            ascending=params.ascending,
            merge_celebrities=merge_celebrities,
            refresh_ttl=True,
        )
        if cached.status == "miss":
            rebuild = services.home_rebuild if merge_celebrities else services.user_rebuild
            _rebuild_once(owner_id, rebuild, list_key)
        elif cached.status == "celebrity" and cached.missing_celebrity is not None:
            _rebuild_once(cached.missing_celebrity, services.user_rebuild, keys.user_timeline(cached.missing_celebrity))
        else:
            break
    else:
        logger.warning("timeline %s could not be built; this page comes from the database", list_key)
        ids = pull(owner_id, params, max_id=params.max_id, limit=params.limit)  # type: ignore[operator]
        return [(tweet_id, b"") for tweet_id in ids], {}

    if cached.status == "db":
        ids = pull(owner_id, params, max_id=params.max_id, limit=params.limit)  # type: ignore[operator]
        return [(tweet_id, b"") for tweet_id in ids], {}
    entries = cached.entries
    boundary = cached.boundary
    if len(entries) < params.limit and boundary is not None and (lower is None or lower < boundary):
        # Past the cached entries: the timeline goes on in the database.
        below = boundary + 1 if params.max_id is None else min(params.max_id, boundary + 1)
        more = pull(owner_id, params, max_id=below, limit=params.limit - len(entries))  # type: ignore[operator]
        seen = {tweet_id for tweet_id, _ in entries}
        entries = entries + [(tweet_id, b"") for tweet_id in more if tweet_id not in seen]
    return entries, cached.cards


def _entries(
    *, list_key: str, owner_id: int, viewer_id: int, params: PageParams, merge_celebrities: bool, pull: Any
) -> tuple[list[tuple[int, bytes]], dict[int, bytes]]:
    """A page's entries (and known author cards) from the cache; from the database alone
    when Redis is down."""
    try:
        return _cached_page(
            list_key=list_key,
            owner_id=owner_id,
            viewer_id=viewer_id,
            params=params,
            merge_celebrities=merge_celebrities,
            pull=pull,
        )
    except redis_errors as exc:
        logger.warning("redis unavailable, %s from the database: %s", list_key, exc)
        ids = pull(owner_id, params, max_id=params.max_id, limit=params.limit)
        return [(tweet_id, b"") for tweet_id in ids], {}


def home_page(*, viewer_id: int, params: PageParams) -> Page:
    entries, cards = _entries(
        list_key=keys.home_timeline(viewer_id),
        owner_id=viewer_id,
        viewer_id=viewer_id,
        params=params,
        merge_celebrities=True,
        pull=_pull_home,
    )
    return hydrate(entries, viewer_id=viewer_id, known_cards=cards)


def user_page(*, user_id: int, viewer_id: int | None, params: PageParams) -> Page:
    entries, cards = _entries(
        list_key=keys.user_timeline(user_id),
        owner_id=user_id,
        viewer_id=0,  # a profile shows everything its owner posted: no author is hidden
        params=params,
        merge_celebrities=False,
        pull=_pull_user,
    )
    return hydrate(entries, viewer_id=viewer_id, known_cards=cards)


def tweets_by_id(*, tweet_ids: Sequence[int], viewer_id: int | None) -> Page:
    """Tweets in the order given, from the cache or the database; hidden ones left out."""
    try:
        values = feeds.cached_tweets(tweet_ids)
    except redis_errors:
        values = [None] * len(tweet_ids)
    entries = [(tweet_id, value or b"") for tweet_id, value in zip(tweet_ids, values, strict=True)]
    return hydrate(entries, viewer_id=viewer_id, check_suspended=True)


def hydrate(
    entries: Sequence[tuple[int, bytes]],
    *,
    viewer_id: int | None,
    check_suspended: bool = False,
    known_cards: dict[int, bytes] | None = None,
) -> Page:
    """Turn (id, cached value) pairs into tweet JSON, filling cache misses from the database."""
    parts: dict[int, tuple[int, bytes]] = {}  # id -> (author id, core)
    missing: list[int] = []
    for tweet_id, value in entries:
        if value == feeds.TOMBSTONE:
            continue
        if value:
            author, _, core = value.partition(b"|")
            parts[tweet_id] = (int(author), core)
        else:
            missing.append(tweet_id)

    if missing:
        parts.update(_load_missing(missing, viewer_id))

    authors = sorted({author for author, _ in parts.values()})
    summaries = None
    if check_suspended or missing:
        summaries = user_selectors.user_summaries(user_ids=authors)
    known = known_cards or {}
    cards = {**known, **_author_cards([a for a in authors if a not in known], summaries)}
    flags = rendering.NO_ENGAGEMENT_FLAGS if viewer_id is not None else b""

    ids: list[int] = []
    items: list[bytes] = []
    for tweet_id, _ in entries:
        part = parts.get(tweet_id)
        if part is None:
            continue
        author_id, core = part
        card = cards.get(author_id)
        summary = summaries.get(author_id) if summaries is not None else None
        if card is None or (summary is not None and summary.is_suspended):
            continue
        ids.append(tweet_id)
        items.append(rendering.assemble(core, card, flags))
    return Page(ids=ids, items=items)


def _load_missing(tweet_ids: list[int], viewer_id: int | None) -> dict[int, tuple[int, bytes]]:
    rendered = tweet_selectors.tweets_render(tweet_ids=tweet_ids, using=read_alias())
    unreplayed = [t for t in tweet_ids if t not in rendered and id_age_seconds(t) < settings.REPLICA_LAG_GRACE_SECONDS]
    if unreplayed:
        rendered.update(tweet_selectors.tweets_render(tweet_ids=unreplayed, using=PRIMARY))
    hidden: set[int] = set()
    try:
        feeds.cache_tweets((tweet.id, tweet.author_id, tweet.core) for tweet in rendered.values())
        if viewer_id is not None:
            hidden = feeds.hidden_author_ids(viewer_id)
    except redis_errors:
        pass
    return {
        tweet_id: (tweet.author_id, tweet.core) for tweet_id, tweet in rendered.items() if tweet.author_id not in hidden
    }


def _author_cards(author_ids: list[int], summaries: dict[int, user_selectors.UserSummary] | None) -> dict[int, bytes]:
    try:
        cached = feeds.author_cards(author_ids)
    except redis_errors:
        cached = [None] * len(author_ids)
    cards = {author: card for author, card in zip(author_ids, cached, strict=True) if card is not None}
    absent = [author for author in author_ids if author not in cards]
    if absent:
        found = summaries if summaries is not None else user_selectors.user_summaries(user_ids=absent)
        fresh = {
            author: rendering.author_card(
                user_id=author,
                username=found[author].username,
                display_name=found[author].display_name,
                avatar_url=found[author].avatar_url,
            )
            for author in absent
            if author in found
        }
        cards.update(fresh)
        with contextlib.suppress(*redis_errors):
            feeds.cache_author_cards(fresh)
    return cards
