"""Live events for the streaming process, over Redis pub/sub.

Workers publish to per-user channels, but only for users who have a stream open now:
the streaming process keeps each listener in a sorted set with an expiry time, so a
fan-out to 100,000 followers publishes to the few hundred who are watching, not to all.
"""

import logging
import time
from collections.abc import Sequence

import orjson

from twitter import keys
from twitter.redis import get_redis, redis_errors

logger = logging.getLogger(__name__)


def listening(user_ids: Sequence[int]) -> list[int]:
    """The users among `user_ids` with a live stream open."""
    if not user_ids:
        return []
    scores = get_redis().zmscore(keys.stream_listeners(), [str(user_id) for user_id in user_ids])
    now = time.time()
    return [user_id for user_id, until in zip(user_ids, scores, strict=True) if until is not None and until > now]


def publish(channels: Sequence[str], message: bytes) -> None:
    """Best effort: a reader who misses a live event finds it when they resume."""
    if not channels:
        return
    try:
        pipe = get_redis().pipeline(transaction=False)
        for channel in channels:
            pipe.publish(channel, message)
        pipe.execute()
    except redis_errors as exc:
        logger.warning("could not publish %d live events: %s", len(channels), exc)


def listeners() -> list[int]:
    """Every user with a live stream open now (a few hundred or thousand, not everyone)."""
    members: list[bytes] = get_redis().zrangebyscore(keys.stream_listeners(), time.time(), "+inf")  # type: ignore[assignment]  # redis-py types every reply as a union
    return [int(member) for member in members]


def publish_home(user_ids: Sequence[int], *, event: str, tweet_id: int) -> None:
    """Tell the listening users among `user_ids` that their home timeline changed."""
    try:
        watching = listening(user_ids)
    except redis_errors:
        return
    message = orjson.dumps({"event": event, "id": str(tweet_id)})
    publish([keys.stream_home(user_id) for user_id in watching], message)
