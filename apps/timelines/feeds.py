"""The timeline store: the one module that reads and writes timelines in Redis.

Callers name a timeline (`Home(user_id)`, `Profile(user_id)`) and say what to do with it
(push a tweet to these homes, unpush, merge, publish a rebuilt one, page it); the keys
are built here and nowhere else.

Lists hold tweet ids as decimal strings, newest first, capped at TIMELINE_MAX_LENGTH; a
trailing '0' marks a list that holds everything (nothing older exists). The cached tweets
and author cards a page joins belong to the tweets context (apps.tweets.cache). Every key
comes from twitter.keys.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from django.conf import settings
from redis.commands.core import Script

from apps.timelines import cluster_page
from apps.tweets import visibility
from twitter import keys
from twitter.redis import (
    LOADED,
    Batch,
    active_ttl_seconds,
    add_if_loaded,
    by_slot,
    get_redis,
    is_cluster,
    registered_script,
    replace_loaded,
)

COMPLETE = "0"
_LUA = Path(__file__).resolve().parent / "lua"


_PRELUDE = (_LUA / "prelude.lua").read_text()
_SOURCES = {
    name: _PRELUDE + (_LUA / f"{name}.lua").read_text() for name in ("insert", "merge", "remove", "page", "own")
}


def script(name: str) -> Script:
    """The script registered on this process's client (EVALSHA, loaded on first use)."""
    return registered_script(_SOURCES[name])


def cap() -> int:
    return int(settings.TIMELINE_MAX_LENGTH)


@dataclass(frozen=True)
class Home:
    """A user's home timeline: the authors they follow, fanned out (and merged at read time)."""

    user_id: int


@dataclass(frozen=True)
class Profile:
    """A user's own timeline: their tweets, retweets and self-threads."""

    user_id: int


Timeline = Home | Profile


def _key(timeline: Timeline) -> str:
    if isinstance(timeline, Home):
        return keys.home_timeline(timeline.user_id)
    return keys.user_timeline(timeline.user_id)


def homes(user_ids: Iterable[int]) -> list[Home]:
    return [Home(user_id) for user_id in user_ids]


def push(tweet_id: int, timelines: Sequence[Timeline], *, batch: Batch | None = None) -> int:
    """Add `tweet_id` to those of `timelines` that exist (idempotent, ordered); returns how
    many got it. With a batch, the calls join it (and 0 is returned: the batch runs later;
    `pushed` sums its results). One script call takes every list on a single Redis, the
    lists of one slot on a cluster."""
    if not timelines:
        return 0
    own = batch if batch is not None else Batch()
    for group in by_slot([_key(timeline) for timeline in timelines]):
        own.script(script("insert"), keys=group, args=[tweet_id, cap()])
    return 0 if batch is not None else pushed(own.execute())


def pushed(results: Sequence[object]) -> int:
    """How many lists got a tweet, from the results of the `push` calls in a batch."""
    return sum(int(result) for result in results)  # type: ignore[call-overload]  # the scripts' counts


def merge(tweet_ids: Sequence[int], timelines: Sequence[Timeline]) -> int:
    """Merge ids (newest first) into each of `timelines` that exists, one pass each."""
    if not tweet_ids or not timelines:
        return 0
    batch = Batch()
    for timeline in timelines:
        batch.script(script("merge"), keys=[_key(timeline)], args=[cap(), *tweet_ids])
    return pushed(batch.execute())


def unpush(tweet_ids: Iterable[int], timelines: Sequence[Timeline]) -> int:
    """Take these tweets out of `timelines`; returns how many entries went."""
    ids = [str(tweet_id) for tweet_id in tweet_ids]
    if not ids or not timelines:
        return 0
    batch = Batch()
    for group in by_slot([_key(timeline) for timeline in timelines]):
        batch.script(script("remove"), keys=group, args=ids)
    return pushed(batch.execute())


def populate(timeline: Timeline, tweet_ids: Sequence[int]) -> None:
    """Write a rebuilt timeline whole, in one atomic step; ids newest first. A short list is
    complete: it gets the end mark. It stays while read (TIMELINE_ACTIVE_DAYS)."""
    list_key = _key(timeline)
    entries = [str(tweet_id) for tweet_id in tweet_ids[: cap()]]
    if len(tweet_ids) < cap():
        entries.append(COMPLETE)
    pipe = get_redis().pipeline(transaction=True)
    pipe.delete(list_key)
    for start in range(0, len(entries), 1000):
        pipe.rpush(list_key, *entries[start : start + 1000])
    pipe.expire(list_key, active_ttl_seconds())
    pipe.execute()


def ids(timeline: Timeline) -> list[int] | None:
    """Every id in a timeline (end mark left out), or None when it is not cached."""
    list_key = _key(timeline)
    pipe = get_redis().pipeline(transaction=False)
    pipe.exists(list_key)
    pipe.lrange(list_key, 0, -1)
    exists, items = pipe.execute()
    if not exists:
        return None
    return [int(item) for item in items if item != COMPLETE.encode()]


def is_complete(timeline: Timeline) -> bool:
    return bool(get_redis().lindex(_key(timeline), -1) == COMPLETE.encode())


def drop(timeline: Timeline) -> None:
    get_redis().delete(_key(timeline))


def existing_homes(user_ids: Sequence[int]) -> list[int]:
    """Those of `user_ids` whose home is cached (active readers)."""
    pipe = get_redis().pipeline(transaction=False)
    for user_id in user_ids:
        pipe.exists(keys.home_timeline(user_id))
    return [user_id for user_id, exists in zip(user_ids, pipe.execute(), strict=True) if exists]


# --- Sets: celebrities, a home's state, suspended users ------------------------------


def _loaded_members(members: Any) -> set[int] | None:
    """A loaded set's ids (the client never decodes: members are bytes); None if not loaded."""
    mark = LOADED.encode()
    return {int(member) for member in members if member != mark} if mark in members else None


def celebrity_ids() -> set[int] | None:
    """The celebrities (merged at read time, not fanned out); None when not loaded."""
    return _loaded_members(get_redis().smembers(keys.celebrities()))


def is_celebrity(user_id: int) -> bool | None:
    """Whether `user_id` is a celebrity; None when the set is not loaded."""
    loaded, member = get_redis().smismember(keys.celebrities(), [LOADED, str(user_id)])
    return bool(member) if loaded else None


def set_celebrity(user_id: int, value: bool) -> None:
    """Add or remove a celebrity in the loaded set (a set not loaded stays so)."""
    if value:
        add_if_loaded(keys.celebrities(), str(user_id))
    else:
        get_redis().srem(keys.celebrities(), user_id)


def replace_celebrities(user_ids: Iterable[int]) -> None:
    replace_loaded(keys.celebrities(), user_ids, ttl=None)


def set_home_state(user_id: int, celebrity_ids: Iterable[int]) -> None:
    """A rebuilt home's state: loaded, with the celebrities it merges and no hidden author
    (the rebuilt list holds no entry of an author the viewer does not follow)."""
    replace_loaded(keys.home_state(user_id), celebrity_ids, ttl=active_ttl_seconds())


def follow_celebrity(user_ids: Iterable[int], celebrity_id: int, *, following: bool) -> None:
    """Add or remove a celebrity in the state of these users' homes (a home whose state is
    not loaded is rebuilt when next read, and its state with it)."""
    if following:
        batch = Batch()
        for user_id in user_ids:
            add_if_loaded(keys.home_state(user_id), str(celebrity_id), batch=batch)
        batch.execute()
    else:
        pipe = get_redis().pipeline(transaction=False)
        for user_id in user_ids:
            pipe.srem(keys.home_state(user_id), celebrity_id)
        pipe.execute()


def hide_author(viewer_id: int, author_id: int, hidden: bool) -> None:
    """Hide an author from a home at once (just unfollowed: their entries are still being
    removed, and a fan-out that raced the unfollow may still push one), or show them
    again (followed again). Hidden until then or until the home is rebuilt."""
    key, member = keys.home_state(viewer_id), f"-{author_id}"
    if hidden:
        add_if_loaded(key, member)
    else:
        get_redis().srem(key, member)


def hidden_author_ids(viewer_id: int) -> set[int]:
    members: Any = get_redis().smembers(keys.home_state(viewer_id))
    return {int(member[1:]) for member in members if member.startswith(b"-")}


def set_suspended(user_id: int, suspended: bool) -> None:
    """Add or remove a suspended user in the loaded set (a set not loaded stays so: it is
    read whole from the database when next needed)."""
    if suspended:
        add_if_loaded(keys.suspended_users(), str(user_id))
    else:
        get_redis().srem(keys.suspended_users(), user_id)


def replace_suspended(user_ids: Iterable[int]) -> None:
    replace_loaded(keys.suspended_users(), user_ids, ttl=None)


# --- A viewer's exclusions: blocks (both ways) and mutes ------------------------------


def exclusion_keys(viewer_id: int | None, *, home: bool) -> list[str]:
    """The sets a page of `viewer_id` leaves authors out by: their blocks (everywhere)
    and, in their home, their mutes; '' for a set that does not apply."""
    if viewer_id is None:
        return ["", ""]
    return [keys.viewer_blocks(viewer_id), keys.viewer_mutes(viewer_id) if home else ""]


def replace_exclusions(viewer_id: int, *, blocks: Iterable[int], mutes: Iterable[int]) -> None:
    """A viewer's sets, loaded whole from the database."""
    replace_loaded(keys.viewer_blocks(viewer_id), blocks, ttl=active_ttl_seconds())
    replace_loaded(keys.viewer_mutes(viewer_id), mutes, ttl=active_ttl_seconds())


def set_blocked(user_id: int, other_id: int, blocked: bool) -> None:
    """One of the two blocked the other (or no longer does): in both users' loaded sets
    (a set not loaded is read whole from the database when next needed)."""
    batch = Batch()
    for viewer, other in ((user_id, other_id), (other_id, user_id)):
        if blocked:
            add_if_loaded(keys.viewer_blocks(viewer), str(other), batch=batch)
        else:
            batch.pipe.srem(keys.viewer_blocks(viewer), other)
    batch.execute()


def set_muted(muter_id: int, muted_id: int, muted: bool) -> None:
    if muted:
        add_if_loaded(keys.viewer_mutes(muter_id), str(muted_id))
    else:
        get_redis().srem(keys.viewer_mutes(muter_id), muted_id)


def excluded_ids(viewer_id: int, *, home: bool) -> set[int] | None:
    """The authors left out of the viewer's pages; None when a set is not loaded."""
    pipe = get_redis().pipeline(transaction=False)
    for key in filter(None, exclusion_keys(viewer_id, home=home)):
        pipe.smembers(key)
    found: set[int] = set()
    for members in pipe.execute():
        loaded = _loaded_members(members)
        if loaded is None:
            return None
        found |= loaded
    return found


# --- Reading a page -----------------------------------------------------------------


RETWEET_WINDOW = visibility.RETWEET_WINDOW


class CachedRow(NamedTuple):
    """One entry of a page as the cache holds it (b"" for what it does not hold)."""

    id: int
    value: bytes  # "author|original|core"
    card: bytes  # the author's card
    orig_value: bytes  # for a retweet: the original's value and its author's card
    orig_card: bytes
    flags: bytes  # the viewer's flags (of the original, for a retweet): b"1" / b"0" per set


@dataclass(frozen=True)
class CachedPage:
    # "ok", "miss", "celebrity", "suspended" / "exclusions" (a set is not loaded), "db"
    status: str
    boundary: int | None  # ids at or below may be missing from the cache
    missing_celebrity: int | None
    rows: list[CachedRow]  # newest first
    flags_loaded: bool  # every flag set asked for is loaded: the rows' flags hold


ROW_SIZE = 6  # values per entry in the page scripts' replies


def page(
    timeline: Timeline,
    *,
    viewer_id: int | None,
    flag_sets: Sequence[str],
    max_id: int | None,
    lower: int | None,
    limit: int,
    ascending: bool,
    refresh_ttl: bool,
) -> CachedPage:
    """One page from the cache in one script call (a few pipelined rounds on a cluster:
    apps.timelines.cluster_page). A home merges the celebrities its owner follows and
    leaves out the authors hidden from them; every page leaves out the authors in the
    viewer's exclusions; `flag_sets` are the viewer's per-tweet flag sets
    (apps.tweets.engagement), whose bits come with each entry."""
    merge_celebrities = isinstance(timeline, Home)
    exclusions = exclusion_keys(viewer_id, home=merge_celebrities)
    state_key = keys.home_state(timeline.user_id) if merge_celebrities else ""
    ttl = active_ttl_seconds() if refresh_ttl else 0
    window = RETWEET_WINDOW if merge_celebrities else 0
    if is_cluster():
        raw = cluster_page.read(
            get_redis(),
            script("own"),
            cluster_page.PageKeys(
                timeline=_key(timeline),
                state=state_key or None,
                suspended=keys.suspended_users(),
                exclusions=[key for key in exclusions if key],
                flag_sets=list(flag_sets),
                user_timeline=keys.user_timeline,
                tweet=keys.tweet,
                card=keys.author_card,
            ),
            max_id=max_id,
            lower=lower,
            limit=limit,
            ascending=ascending,
            ttl=ttl,
            window=window,
        )
    else:
        raw = script("page")(
            keys=[_key(timeline), state_key, keys.suspended_users(), *exclusions, *flag_sets],
            args=[
                "" if max_id is None else max_id,
                "" if lower is None else lower,
                limit,
                "1" if ascending else "0",
                keys.USER_TIMELINE_PREFIX,
                keys.TWEET_PREFIX,
                ttl,
                keys.AUTHOR_CARD_PREFIX,
                window,
                keys.USER_TIMELINE_SUFFIX,
            ],
            client=get_redis(),
        )
    status, boundary, celebrity, loaded = raw[:4]
    rows = [CachedRow(int(raw[i]), *raw[i + 1 : i + ROW_SIZE]) for i in range(4, len(raw), ROW_SIZE)]
    if ascending:
        rows.reverse()
    return CachedPage(
        status=status.decode(),
        boundary=int(boundary) if boundary else None,
        missing_celebrity=int(celebrity) if celebrity else None,
        rows=rows,
        flags_loaded=bool(flag_sets) and loaded == b"1" * len(flag_sets),
    )


def acquire_rebuild_lock(timeline: Timeline) -> bool:
    """One reader rebuilds a timeline at a time (REBUILD_LOCK_MS at most)."""
    return bool(get_redis().set(keys.rebuild_lock(_key(timeline)), 1, nx=True, px=int(settings.REBUILD_LOCK_MS)))


def release_rebuild_lock(timeline: Timeline) -> None:
    get_redis().delete(keys.rebuild_lock(_key(timeline)))
