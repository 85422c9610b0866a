"""Trending hashtags: per-hour counters in Redis, summed over the last hours at read time.

Each hour (by the tweet's own time, so a late event counts where it belongs) is a sorted
set of case-folded tag -> tweets using it. A marker per tweet makes counting idempotent:
a replayed event counts nothing twice, and a deletion uncounts only what was counted.
Reading the trend is one ZUNION over a handful of small sets: no table scan.
"""

import time
from dataclasses import dataclass

from django.conf import settings

from twitter import keys
from twitter.ids import id_timestamp_ms
from twitter.redis import get_redis


@dataclass(frozen=True)
class Trend:
    tag: str
    count: int


def _hour_of(tweet_id: int) -> int:
    return id_timestamp_ms(tweet_id) // 3_600_000


def max_hours() -> int:
    return int(settings.TRENDING_MAX_HOURS)


def _retention_seconds() -> int:
    return (max_hours() + 1) * 3600


def count(*, tweet_id: int, tags: list[str]) -> bool:
    """Count a new tweet's hashtags once; True when they were counted now."""
    if not tags:
        return False
    client = get_redis()
    if not client.set(keys.hashtag_counted(tweet_id), 1, nx=True, ex=_retention_seconds()):
        return False
    bucket = keys.hashtag_counts(_hour_of(tweet_id))
    pipe = client.pipeline(transaction=True)
    for tag in tags:
        pipe.zincrby(bucket, 1, tag)
    pipe.expire(bucket, _retention_seconds())
    pipe.execute()
    return True


def uncount(*, tweet_id: int, tags: list[str]) -> bool:
    """Take a deleted tweet's hashtags out of the counts, if they were counted."""
    if not tags:
        return False
    client = get_redis()
    if not client.delete(keys.hashtag_counted(tweet_id)):
        return False
    bucket = keys.hashtag_counts(_hour_of(tweet_id))
    pipe = client.pipeline(transaction=True)
    for tag in tags:
        pipe.zincrby(bucket, -1, tag)
    pipe.zremrangebyscore(bucket, "-inf", 0)
    pipe.execute()
    return True


def trending(*, hours: int, limit: int) -> list[Trend]:
    """The most used hashtags of the last `hours` hours (this one included), most used
    first. The sum is kept for a minute, so a burst of readers sums once."""
    client = get_redis()
    summed = keys.hashtag_trend(hours)
    if not client.exists(summed):
        now_hour = int(time.time()) // 3600
        buckets = [keys.hashtag_counts(hour) for hour in range(now_hour - hours + 1, now_hour + 1)]
        pipe = client.pipeline(transaction=True)
        pipe.zunionstore(summed, buckets)
        pipe.zremrangebyscore(summed, "-inf", 0)
        pipe.expire(summed, int(settings.TRENDING_CACHE_SECONDS))
        pipe.execute()
    rows: list[tuple[bytes, float]] = client.zrange(summed, 0, limit - 1, desc=True, withscores=True)  # type: ignore[assignment]  # redis-py types every reply as a union
    return [Trend(tag=tag.decode(), count=int(score)) for tag, score in rows]
