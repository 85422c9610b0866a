"""Tweets as clients see them: hydrated from the tweet cache, the database where the cache
ends, with their authors' cards and a signed-in viewer's flags.

Two steps. `resolve` turns ids (with what the cache already returned) into `Shown`
values, the read model: each tweet's pieces as the cache holds them (its JSON members,
its author's card, the original it retweets, the viewer's flag bits). Cached values are
used as they are; the missing ones come from the replica in one query (from the primary
when too new to be there) and are cached; deleted tweets and suspended authors never
show. A presenter then turns `Shown` values into a wire format: `native` is this API's
JSON, joined from the cached bytes without parsing them; `apps.mastodon.statuses` reads
each tweet's members once (`Shown.fields`). Every list of tweets (a
timeline page, a thread, search results, notifications, a stream event) goes through
`resolve`; another API format is another presenter over the same values.
"""

import contextlib
from collections.abc import Callable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Any, NamedTuple

import orjson

from apps.follows import selectors as follow_selectors
from apps.tweets import cache, engagement, rendering, visibility
from apps.tweets import selectors as tweet_selectors
from apps.users import selectors as user_selectors
from twitter.db.routing import PRIMARY, read_alias, unreplayed
from twitter.redis import redis_errors

HiddenAuthors = Callable[[], set[int]]


class Shown(NamedTuple):
    """One tweet as a reader sees it, in the pieces the cache holds."""

    id: int
    author_id: int
    core: bytes  # its own JSON members, without braces (apps.tweets.rendering)
    card: bytes  # its author's card (JSON)
    original: "Shown | None"  # what a retweet points at (None for an original)
    flags: bytes  # the viewer's flags, one b"1" / b"0" per engagement.FLAGS (b"": no viewer)

    @property
    def original_id(self) -> int:
        """The original's id: a retweet's target, or the tweet's own."""
        return self.original.id if self.original is not None else self.id

    def fields(self) -> dict[str, Any]:
        """Its own members (apps.tweets.rendering.render_core) as values, for a presenter
        that builds another format (the native one joins the bytes unparsed)."""
        value: dict[str, Any] = orjson.loads(b"{" + self.core + b"}")
        return value


@dataclass(frozen=True)
class Page:
    ids: list[int]
    items: list[bytes]  # each one tweet's JSON

    def json(self) -> bytes:
        return b"[" + b",".join(self.items) + b"]"


def native(tweets: Sequence[Shown]) -> Page:
    """The API's JSON for each tweet (a retweet's flags are its original's)."""
    items = []
    for tweet in tweets:
        flags = engagement.render(tweet.flags) if tweet.flags else b""
        nested = b"null"
        if tweet.original is not None:
            nested = rendering.assemble(tweet.original.core, tweet.original.card, flags)
        items.append(rendering.assemble(tweet.core, tweet.card, flags, nested))
    return Page(ids=[tweet.id for tweet in tweets], items=items)


def first_showings(tweets: list[Shown]) -> list[Shown]:
    """Each original once (apps.tweets.visibility rule 6)."""
    keep = set(visibility.first_showings((tweet.id, tweet.original_id) for tweet in tweets))
    return [tweet for tweet in tweets if tweet.id in keep]


def shown_by_id(
    *, tweet_ids: Sequence[int], viewer_id: int | None, excluded: AbstractSet[int] | None = None
) -> list[Shown]:
    """Tweets in the order given, from the cache or the database; hidden ones left out:
    deleted, suspended, and for a signed-in viewer those by (or retweeting) `excluded`
    authors, by default everyone they blocked or were blocked by."""
    if excluded is None:
        excluded = follow_selectors.block_related_ids(user_id=viewer_id) if viewer_id is not None else frozenset()
    entries = [(tweet_id, b"") for tweet_id in tweet_ids]
    return resolve(entries, viewer_id=viewer_id, check_suspended=True, excluded=excluded)


def tweets_by_id(*, tweet_ids: Sequence[int], viewer_id: int | None, excluded: AbstractSet[int] | None = None) -> Page:
    return native(shown_by_id(tweet_ids=tweet_ids, viewer_id=viewer_id, excluded=excluded))


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


def resolve(
    entries: Sequence[tuple[int, bytes]],
    *,
    viewer_id: int | None,
    check_suspended: bool = False,
    known_cards: dict[int, bytes] | None = None,
    known_originals: dict[int, bytes] | None = None,
    known_flags: dict[int, bytes] | None = None,
    hidden_authors: HiddenAuthors | None = None,
    excluded: AbstractSet[int] = frozenset(),
) -> list[Shown]:
    """Turn (id, cached value or b"") pairs into the tweets that show: cache misses are
    filled from the database, retweets get their original, a signed-in viewer gets their
    flag bits (`known_flags`: bits already known, by original id). Tweets by `excluded`
    authors, and retweets of theirs, are left out (the viewer's blocks and mutes)."""
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

    def suspended(author_id: int) -> bool:
        summary = summaries.get(author_id) if summaries is not None else None
        return summary is not None and summary.is_suspended

    shown: list[tuple[int, cache.CachedTweet, bytes, cache.CachedTweet | None, bytes | None]] = []
    for tweet_id, _ in entries:
        part = parts.get(tweet_id)  # absent: deleted
        card = cards.get(part.author_id) if part is not None else None
        if part is None or card is None:
            continue
        original = originals.get(part.retweet_of_id) if part.retweet_of_id is not None else None
        original_card = cards.get(original.author_id) if original is not None else None
        if not visibility.shows(
            author_suspended=suspended(part.author_id),
            author_hidden=False,  # hidden authors' tweets never reach here (`_load_missing`)
            original_gone=part.retweet_of_id is not None and (original is None or original_card is None),
            original_author_suspended=original is not None and suspended(original.author_id),
            excluded=part.author_id in excluded or (original is not None and original.author_id in excluded),
        ):
            continue
        shown.append((tweet_id, part, card, original, original_card))

    flags = dict(known_flags or {})
    if viewer_id is not None:
        unflagged = {part.retweet_of_id or t for t, part, *_ in shown} - flags.keys()
        flags.update(engagement.flag_bits(viewer_id=viewer_id, tweet_ids=sorted(unflagged)))
    out = []
    for tweet_id, part, card, original, original_card in shown:
        flag = flags.get(part.retweet_of_id or tweet_id, b"")
        nested = None
        if original is not None and original_card is not None and part.retweet_of_id is not None:
            nested = Shown(part.retweet_of_id, original.author_id, original.core, original_card, None, flag)
        out.append(Shown(tweet_id, part.author_id, part.core, card, nested, flag))
    return out


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
        if visibility.shows(author_suspended=False, author_hidden=tweet.author_id in hidden)  # suspension: `resolve`
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
