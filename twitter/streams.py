"""Live events for the streaming process, over Redis pub/sub.

Workers publish to per-user channels, but only for users who have a stream open now:
the streaming process keeps each listener in a sorted set with an expiry time, so a
fan-out to 100,000 followers publishes to the few hundred who are watching, not to all.
"""

import logging
import time
from collections.abc import Sequence
from typing import Any

import orjson

from twitter import keys
from twitter import redis as data_redis
from twitter.redis import Batch, get_redis, redis_errors

logger = logging.getLogger(__name__)


def listening(user_ids: Sequence[int]) -> list[int]:
    """The users among `user_ids` with a live stream open."""
    if not user_ids:
        return []
    return listening_among(user_ids, get_redis().zmscore(keys.stream_listeners(), [str(u) for u in user_ids]))


def ask_listening(batch: Batch, user_ids: Sequence[int]) -> int:
    """Queue the question "who of `user_ids` is listening" in a batch; return its position
    (answer it with `listening_among` and the batch's result there)."""
    position = len(batch)
    batch.pipe.zmscore(keys.stream_listeners(), [str(u) for u in user_ids])
    return position


def listening_among(user_ids: Sequence[int], scores: Any) -> list[int]:
    now = time.time()
    return [user_id for user_id, until in zip(user_ids, scores, strict=True) if until is not None and until > now]


def publish(channels: Sequence[str], message: bytes) -> None:
    """Best effort: a reader who misses a live event finds it when they resume."""
    if not channels:
        return
    try:
        pipe = get_redis().pipeline(transaction=False)
        for channel in channels:
            data_redis.publish(pipe, channel, message)
        pipe.execute()
    except redis_errors as exc:
        logger.warning("could not publish %d live events: %s", len(channels), exc)


def listeners() -> list[int]:
    """Every user with a live stream open now (a few hundred or thousand, not everyone)."""
    members: list[bytes] = get_redis().zrangebyscore(keys.stream_listeners(), time.time(), "+inf")  # type: ignore[assignment]  # redis-py types every reply as a union
    return [int(member) for member in members]


def publish_home(user_ids: Sequence[int], *, event: str, tweet_id: int, watching: list[int] | None = None) -> None:
    """Tell the listening users among `user_ids` (or `watching`, when the caller already
    asked who is listening) that their home timeline changed."""
    if watching is None:
        try:
            watching = listening(user_ids)
        except redis_errors:
            return
    message = orjson.dumps({"event": event, "id": str(tweet_id)})
    publish([keys.stream_home(user_id) for user_id in watching], message)


def publish_notification(recipient_id: int, notification_id: int) -> None:
    """Tell `recipient_id`, if they are listening, that they have a new notification."""
    try:
        if not listening([recipient_id]):
            return
    except redis_errors:
        return
    publish([keys.stream_notifications(recipient_id)], orjson.dumps({"id": str(notification_id)}))


def publish_direct(user_ids: Sequence[int], *, event: str, message_id: int, conversation_id: int) -> None:
    """Tell the listening users among `user_ids` that a direct message of theirs was sent
    (`message`) or deleted (`message_deleted`)."""
    try:
        watching = listening(user_ids)
    except redis_errors:
        return
    message = orjson.dumps({"event": event, "id": str(message_id), "conversation_id": str(conversation_id)})
    publish([keys.stream_direct(user_id) for user_id in watching], message)


def publish_public(*, tweet_id: int, hashtags: Sequence[str]) -> None:
    """Tell whoever watches the public stream, and each hashtag's, of a new tweet (one
    message a channel, however many listen, or none)."""
    message = orjson.dumps({"event": "update", "id": str(tweet_id)})
    publish([keys.stream_public(), *(keys.stream_hashtag(tag) for tag in hashtags)], message)


def publish_public_delete(*, tweet_id: int) -> None:
    publish([keys.stream_public()], orjson.dumps({"event": "delete", "id": str(tweet_id)}))
