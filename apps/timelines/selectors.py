"""Reads of the timelines context: pages from Redis, the database where Redis ends.

A page is served from the cached lists when it can be (no SQL), continues from the
replica past what the cache holds, and falls back to the replica entirely when Redis is
down. What the cache lacks is resolved by the tweets context (apps.tweets.presentation);
deleted tweets and suspended or hidden authors never show. `home_tweets` / `user_tweets`
return the read model (`presentation.Shown` values); `home_page` / `user_page` are the
native API's JSON of it.
"""

import logging
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from apps.follows import selectors as follow_selectors
from apps.timelines import feeds, services
from apps.tweets import cache, engagement, presentation
from apps.tweets import selectors as tweet_selectors
from twitter import metrics
from twitter.api.pagination import PageParams
from twitter.db.routing import read_alias
from twitter.redis import redis_errors

logger = logging.getLogger(__name__)


def _lower(params: PageParams) -> int | None:
    return params.min_id if params.min_id is not None else params.since_id


def _pull_home(viewer_id: int, params: PageParams, *, max_id: int | None, limit: int, excluded: set[int]) -> list[int]:
    """The home timeline computed by SQL (fan-out on read)."""
    followees = follow_selectors.followee_ids(user_id=viewer_id, using=read_alias())
    authors = [*followees, viewer_id]
    return tweet_selectors.timeline_ids(
        celebrity_ids=services.celebrities_in_database(using=read_alias(), among=followees),
        author_ids=authors,
        using=read_alias(),
        limit=limit,
        max_id=max_id,
        min_id=_lower(params),
        ascending=params.ascending,
        reply_targets=authors,
        viewer_id=viewer_id,
        exclude_suspended=True,
        excluded_authors=excluded,
    )


def _pull_user(user_id: int, params: PageParams, *, max_id: int | None, limit: int, excluded: set[int]) -> list[int]:
    return tweet_selectors.timeline_ids(
        author_ids=[user_id],
        using=read_alias(),
        limit=limit,
        max_id=max_id,
        min_id=_lower(params),
        ascending=params.ascending,
        exclude_suspended=True,
        excluded_authors=excluded,
    )


def _kind(timeline: feeds.Timeline) -> str:
    return "home" if isinstance(timeline, feeds.Home) else "profile"


def _rebuild_once(timeline: feeds.Timeline) -> None:
    """One reader rebuilds a timeline under its lock; the others wait briefly for it, and
    rebuild it themselves if it does not appear (the lock holder may have died)."""
    if not feeds.acquire_rebuild_lock(timeline):
        deadline = time.monotonic() + settings.REBUILD_LOCK_MS / 1000
        while time.monotonic() < deadline:
            if feeds.ids(timeline) is not None:
                return
            time.sleep(0.01)
    rebuild = services.home_rebuild if isinstance(timeline, feeds.Home) else services.user_rebuild
    metrics.TIMELINE_REBUILDS.labels(_kind(timeline)).inc()
    try:
        rebuild(user_id=timeline.user_id, using=read_alias())
    finally:
        feeds.release_rebuild_lock(timeline)


@dataclass(frozen=True)
class _Entries:
    rows: list[feeds.CachedRow]  # from the cache, newest first
    more: list[int]  # then ids from the database (past what the cache holds, or instead of it)
    flags_loaded: bool  # the rows' flags hold
    excluded: set[int]  # the authors the viewer's page leaves out (when `more` has ids)

    def shown(self, viewer_id: int | None, *, home: bool) -> list[presentation.Shown]:
        """The tweets: straight from the rows when the cache returned all of them, else
        resolved (what the cache lacked comes from the database)."""
        if not self.more:
            whole = _from_rows(self.rows, viewer_id=viewer_id, flags_loaded=self.flags_loaded)
            if whole is not None:
                return whole
        entries: list[tuple[int, bytes]] = []
        cards: dict[int, bytes] = {}
        originals: dict[int, bytes] = {}
        flags: dict[int, bytes] = {}
        for row in self.rows:
            entries.append((row.id, row.value))
            if not row.value:
                continue
            tweet = cache.CachedTweet.decode(row.value)
            if row.card:
                cards[tweet.author_id] = row.card
            if row.orig_value and tweet.retweet_of_id is not None:
                originals[tweet.retweet_of_id] = row.orig_value
                if row.orig_card:
                    cards[cache.CachedTweet.decode(row.orig_value).author_id] = row.orig_card
            if self.flags_loaded:
                flags[tweet.retweet_of_id or row.id] = row.flags
        seen = {tweet_id for tweet_id, _ in entries}
        entries += [(tweet_id, b"") for tweet_id in self.more if tweet_id not in seen]
        return presentation.resolve(
            entries,
            viewer_id=viewer_id,
            # The database left out suspended authors, not the authors of what they
            # retweeted (the page script checks both for what the cache returned).
            check_suspended=bool(self.more),
            known_cards=cards,
            known_originals=originals,
            known_flags=flags,
            hidden_authors=(lambda: feeds.hidden_author_ids(viewer_id)) if viewer_id is not None else None,
            # The page script and the database left out the authors excluded, not the
            # authors of the originals the database's retweets are of.
            excluded=self.excluded,
        )


def _from_rows(
    rows: list[feeds.CachedRow], *, viewer_id: int | None, flags_loaded: bool
) -> list[presentation.Shown] | None:
    """The rows as `resolve` would make them, from their cached parts alone; None when a
    part is missing (a value, a card, a retweet's original, the viewer's flags)."""
    if viewer_id is not None and not flags_loaded:
        return None
    shown = []
    for row in rows:
        if not row.value or not row.card:
            return None
        author, original, core = row.value.split(b"|", 2)
        flags = b"" if viewer_id is None else row.flags
        nested = None
        if original != b"0":
            if not row.orig_value or not row.orig_card:
                return None
            orig_author, _, orig_core = row.orig_value.split(b"|", 2)
            nested = presentation.Shown(int(original), int(orig_author), orig_core, row.orig_card, None, flags)
        shown.append(presentation.Shown(row.id, int(author), core, row.card, nested, flags))
    return shown


# A page may need its home list and each followed celebrity's list built first; past this
# many builds something keeps failing, and the page comes from the database.
MAX_BUILDS_PER_PAGE = 16


@dataclass(frozen=True)
class _Timeline:
    """Which timeline a page is read from, and for whom."""

    timeline: feeds.Timeline
    flags_viewer_id: int | None  # who reads: whose flags (liked, retweeted) and exclusions apply
    pull: Any  # (owner_id, params, *, max_id, limit, excluded) -> ids, from the database

    def excluded(self) -> set[int]:
        """The authors the viewer's page leaves out (rule 7): in SQL, so that a page from
        the database is full and its next link holds."""
        if self.flags_viewer_id is None:
            return set()
        return services.exclusions(viewer_id=self.flags_viewer_id, home=isinstance(self.timeline, feeds.Home))

    def from_database(
        self, params: PageParams, *, max_id: int | None, limit: int, cached: feeds.CachedPage | None = None
    ) -> _Entries:
        """A page's entries from the database, or the database's continuation of a page
        the cache began (`cached`)."""
        excluded = self.excluded()
        more = list(self.pull(self.timeline.user_id, params, max_id=max_id, limit=limit, excluded=excluded))
        if cached is None:
            return _Entries([], more, False, excluded)
        return _Entries(cached.rows, more, cached.flags_loaded, excluded)


def _cached_page(timeline: _Timeline, params: PageParams) -> _Entries:
    lower = _lower(params)
    built: set[feeds.Timeline | str] = set()
    for _ in range(MAX_BUILDS_PER_PAGE):
        cached = feeds.page(
            timeline.timeline,
            viewer_id=timeline.flags_viewer_id,
            flag_sets=engagement.flag_keys(timeline.flags_viewer_id) if timeline.flags_viewer_id is not None else [],
            max_id=params.max_id,
            lower=lower,
            limit=params.limit,
            ascending=params.ascending,
            refresh_ttl=True,
        )
        if cached.status == "miss" and timeline.timeline not in built:
            _rebuild_once(timeline.timeline)
            built.add(timeline.timeline)
        elif cached.status == "suspended" and "suspended" not in built:
            services.suspended_reload()
            built.add("suspended")
        elif cached.status == "exclusions" and "exclusions" not in built and timeline.flags_viewer_id is not None:
            services.exclusions_reload(viewer_id=timeline.flags_viewer_id)
            built.add("exclusions")
        elif cached.status == "celebrity" and cached.missing_celebrity is not None:
            celebrity = feeds.Profile(cached.missing_celebrity)
            if celebrity in built:
                break
            _rebuild_once(celebrity)
            built.add(celebrity)
        else:
            break
    kind = _kind(timeline.timeline)
    if cached.status in ("miss", "celebrity", "suspended", "exclusions"):
        logger.warning("%s could not be built; this page comes from the database", timeline.timeline)
        metrics.TIMELINE_READS.labels(kind, "database").inc()
        return timeline.from_database(params, max_id=params.max_id, limit=params.limit)

    if cached.status == "db":
        metrics.TIMELINE_READS.labels(kind, "database").inc()
        return timeline.from_database(params, max_id=params.max_id, limit=params.limit)
    boundary = cached.boundary
    if len(cached.rows) < params.limit and boundary is not None and (lower is None or lower < boundary):
        # Past the cached entries: the timeline goes on in the database.
        metrics.TIMELINE_READS.labels(kind, "cache_then_database").inc()
        below = boundary + 1 if params.max_id is None else min(params.max_id, boundary + 1)
        return timeline.from_database(params, max_id=below, limit=params.limit - len(cached.rows), cached=cached)
    metrics.TIMELINE_READS.labels(kind, "rebuilt" if built else "cache").inc()
    return _Entries(cached.rows, [], cached.flags_loaded, set())


def _entries(timeline: _Timeline, params: PageParams) -> _Entries:
    """A page's entries (with what the cache knows of them); from the database alone when
    Redis is down."""
    try:
        return _cached_page(timeline, params)
    except redis_errors as exc:
        logger.warning("redis unavailable, %s from the database: %s", timeline.timeline, exc)
        metrics.TIMELINE_READS.labels(_kind(timeline.timeline), "database").inc()
        return timeline.from_database(params, max_id=params.max_id, limit=params.limit)


def home_tweets(*, viewer_id: int, params: PageParams) -> list[presentation.Shown]:
    """A page of the viewer's home timeline, as the read model (any presenter renders it)."""
    timeline = _Timeline(feeds.Home(viewer_id), flags_viewer_id=viewer_id, pull=_pull_home)
    entries = _entries(timeline, params)
    shown = entries.shown(viewer_id, home=True)
    # The cache showed each original once already; what came from the database has not.
    return presentation.first_showings(shown) if entries.more else shown


def user_tweets(*, user_id: int, viewer_id: int | None, params: PageParams) -> list[presentation.Shown]:
    # A profile shows everything its owner posted: no one merged, no author hidden but
    # those the viewer blocked or was blocked by.
    timeline = _Timeline(feeds.Profile(user_id), flags_viewer_id=viewer_id, pull=_pull_user)
    return _entries(timeline, params).shown(viewer_id, home=False)


def home_page(*, viewer_id: int, params: PageParams) -> presentation.Page:
    return presentation.native(home_tweets(viewer_id=viewer_id, params=params))


def user_page(*, user_id: int, viewer_id: int | None, params: PageParams) -> presentation.Page:
    return presentation.native(user_tweets(user_id=user_id, viewer_id=viewer_id, params=params))
