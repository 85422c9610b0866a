"""Tweets as clients see them: hydrated from the tweet cache, the database where the cache
ends, with their authors' cards and a signed-in viewer's flags.

Every list of tweets (a timeline page, a thread, search results, notifications, a stream
event) goes through `hydrate`: cached values are used as they are; the missing ones come
from the replica in one query (from the primary when too new to be there) and are cached;
deleted tweets and suspended authors never show. The result is a `Page` of pre-serialized
JSON items, joined without parsing.
"""

import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from apps.tweets import cache, engagement, rendering
from apps.tweets import selectors as tweet_selectors
from apps.users import selectors as user_selectors
from twitter.db.routing import PRIMARY, read_alias, unreplayed
from twitter.redis import redis_errors

HiddenAuthors = Callable[[], set[int]]


@dataclass(frozen=True)
class Page:
    ids: list[int]
    items: list[bytes]  # each one tweet's JSON

    def json(self) -> bytes:
        return b"[" + b",".join(self.items) + b"]"


def tweets_by_id(*, tweet_ids: Sequence[int], viewer_id: int | None) -> Page:
    """Tweets in the order given, from the cache or the database; hidden ones left out."""
    return hydrate([(tweet_id, b"") for tweet_id in tweet_ids], viewer_id=viewer_id, check_suspended=True)


def _cached(tweet_ids: Sequence[int]) -> dict[int, bytes]:
    try:
        values = cache.cached_tweets(tweet_ids)
    except redis_errors:
        return {}
    return {tweet_id: value for tweet_id, value in zip(tweet_ids, values, strict=True) if value}


def _parts(
    tweet_ids: Sequence[int], known: dict[int, bytes], hidden_authors: HiddenAuthors | None
) -> tuple[dict[int, cache.CachedTweet], bool]:
    """The cached form of each visible tweet among `tweet_ids`: from `known` values, the
    cache, then the database. Returns (parts, whether the database was read)."""
    values = dict(known)
    values.update(_cached([tweet_id for tweet_id in tweet_ids if tweet_id not in values]))
    parts = {
        tweet_id: cache.CachedTweet.decode(values[tweet_id])
        for tweet_id in tweet_ids
        if tweet_id in values and values[tweet_id] != cache.TOMBSTONE
    }
    missing = [tweet_id for tweet_id in tweet_ids if tweet_id not in values]
    if missing:
        parts.update(_load_missing(missing, hidden_authors))
    return parts, bool(missing)


def hydrate(
    entries: Sequence[tuple[int, bytes]],
    *,
    viewer_id: int | None,
    check_suspended: bool = False,
    known_cards: dict[int, bytes] | None = None,
    known_originals: dict[int, bytes] | None = None,
    known_flags: dict[int, bytes] | None = None,
    hidden_authors: HiddenAuthors | None = None,
) -> Page:
    """Turn (id, cached value or b"") pairs into tweet JSON: cache misses are filled from the
    database, retweets get their original nested, a signed-in viewer gets their flags."""
    parts, loaded = _parts([tweet_id for tweet_id, _ in entries], {t: v for t, v in entries if v}, hidden_authors)
    original_ids = sorted({part.retweet_of_id for part in parts.values() if part.retweet_of_id is not None})
    originals: dict[int, cache.CachedTweet] = {}
    if original_ids:
        originals, loaded_originals = _parts(original_ids, known_originals or {}, None)
        loaded = loaded or loaded_originals

    authors = sorted({part.author_id for part in (*parts.values(), *originals.values())})
    summaries = user_selectors.user_summaries(user_ids=authors) if check_suspended or loaded else None
    known = known_cards or {}
    cards = {**known, **_author_cards([a for a in authors if a not in known], summaries)}

    def card_of(author_id: int) -> bytes | None:
        summary = summaries.get(author_id) if summaries is not None else None
        return None if summary is not None and summary.is_suspended else cards.get(author_id)

    shown: list[tuple[int, cache.CachedTweet, bytes, cache.CachedTweet | None, bytes | None]] = []
    for tweet_id, _ in entries:
        part = parts.get(tweet_id)
        card = card_of(part.author_id) if part is not None else None
        if part is None or card is None:
            continue
        original = originals.get(part.retweet_of_id) if part.retweet_of_id is not None else None
        original_card = card_of(original.author_id) if original is not None else None
        if part.retweet_of_id is not None and original_card is None:
            continue  # the original was deleted or its author suspended
        shown.append((tweet_id, part, card, original, original_card))

    flags = dict(known_flags or {})
    if viewer_id is not None:
        unflagged = {part.retweet_of_id or t for t, part, *_ in shown} - flags.keys()
        flags.update(engagement.flags(viewer_id=viewer_id, tweet_ids=sorted(unflagged)))
    items = []
    for tweet_id, part, card, original, original_card in shown:
        flag = flags.get(part.retweet_of_id or tweet_id, b"")
        nested = b"null"
        if original is not None and original_card is not None:
            nested = rendering.assemble(original.core, original_card, flag)
        items.append(rendering.assemble(part.core, card, flag, nested))
    return Page(ids=[tweet_id for tweet_id, *_ in shown], items=items)


def _load_missing(tweet_ids: list[int], hidden_authors: HiddenAuthors | None) -> dict[int, cache.CachedTweet]:
    """Tweets the cache lacks, from the database (and cached); `hidden_authors` (of a
    timeline's viewer) are left out."""
    rendered = tweet_selectors.tweets_render(tweet_ids=tweet_ids, using=read_alias())
    young = unreplayed(t for t in tweet_ids if t not in rendered)
    if young:
        rendered.update(tweet_selectors.tweets_render(tweet_ids=young, using=PRIMARY))
    hidden: set[int] = set()
    try:
        cache.cache_tweets(rendered.values())
        if hidden_authors is not None:
            hidden = hidden_authors()
    except redis_errors:
        pass
    return {
        tweet_id: cache.CachedTweet(author_id=tweet.author_id, retweet_of_id=tweet.retweet_of_id, core=tweet.core)
        for tweet_id, tweet in rendered.items()
        if tweet.author_id not in hidden
    }


def _author_cards(author_ids: list[int], summaries: dict[int, user_selectors.UserSummary] | None) -> dict[int, bytes]:
    try:
        cached = cache.author_cards(author_ids)
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
            cache.cache_author_cards(fresh)
    return cards
