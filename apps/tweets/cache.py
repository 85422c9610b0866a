"""The tweet cache: each tweet pre-serialized once, and each author's card.

A tweet is cached as "author_id|retweet_of_id|core" (retweet_of_id '0' for an original),
where core is its JSON members without braces (apps.tweets.rendering), or as the
tombstone 'x' once deleted. Timeline pages join these bytes without parsing them (the
timelines context's page script reads the same keys). Every key comes from twitter.keys.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from apps.tweets.rendering import RenderedTweet
from twitter import keys
from twitter.redis import Batch, get_redis, mget

TOMBSTONE = b"x"


def _as_bytes(values: list[Any]) -> list[bytes | None]:
    """The client never decodes responses (twitter.redis), so values are bytes or None."""
    return values


@dataclass(frozen=True)
class CachedTweet:
    author_id: int
    retweet_of_id: int | None
    core: bytes

    def encode(self) -> bytes:
        return b"%d|%d|%s" % (self.author_id, self.retweet_of_id or 0, self.core)

    @classmethod
    def decode(cls, value: bytes) -> "CachedTweet":
        author, original, core = value.split(b"|", 2)
        return cls(author_id=int(author), retweet_of_id=int(original) or None, core=core)


def cache_tweets(tweets: Iterable[RenderedTweet], *, batch: Batch | None = None) -> None:
    ttl = int(settings.TWEET_CACHE_SECONDS)
    pipe = batch.pipe if batch is not None else get_redis().pipeline(transaction=False)
    for tweet in tweets:
        value = CachedTweet(author_id=tweet.author_id, retweet_of_id=tweet.retweet_of_id, core=tweet.core)
        pipe.set(keys.tweet(tweet.id), value.encode(), ex=ttl)
    if batch is None:
        pipe.execute()


def tombstone(tweet_id: int) -> None:
    get_redis().set(keys.tweet(tweet_id), TOMBSTONE, ex=int(settings.TWEET_CACHE_SECONDS))


def cached_tweets(tweet_ids: Sequence[int]) -> list[bytes | None]:
    if not tweet_ids:
        return []
    return _as_bytes(mget([keys.tweet(tweet_id) for tweet_id in tweet_ids]))


def author_cards(user_ids: Sequence[int]) -> list[bytes | None]:
    if not user_ids:
        return []
    return _as_bytes(mget([keys.author_card(user_id) for user_id in user_ids]))


def cache_author_cards(cards: dict[int, bytes]) -> None:
    ttl = int(settings.TWEET_CACHE_SECONDS)
    pipe = get_redis().pipeline(transaction=False)
    for user_id, card in cards.items():
        pipe.set(keys.author_card(user_id), card, ex=ttl)
    pipe.execute()


def forget_author_card(user_id: int) -> None:
    get_redis().delete(keys.author_card(user_id))
