"""A viewer's likes and retweets in Redis: the `liked` / `retweeted` flags of every tweet
they see, with no SQL on a warm read.

Each viewer has two sets (twitter.keys.viewer_likes / viewer_retweets) loaded whole from
the database the first time they are needed, kept for as long as the viewer stays
active, and updated by the like and retweet events (only sets that exist are touched, as
with timeline lists). The member '0' marks a loaded set, so that "likes nothing" is
cached too.
"""

from collections.abc import Sequence

from apps.tweets import rendering
from apps.tweets import selectors as tweet_selectors
from twitter import keys
from twitter.db.routing import read_alias
from twitter.redis import active_ttl_seconds, add_if_loaded, get_redis, redis_errors

LOADED = "0"


def _load(key: str, ids: set[int]) -> None:
    pipe = get_redis().pipeline(transaction=True)
    pipe.delete(key)
    pipe.sadd(key, LOADED, *[str(tweet_id) for tweet_id in ids])
    pipe.expire(key, active_ttl_seconds())  # as long as the viewer's timelines
    pipe.execute()


def flags(*, viewer_id: int, tweet_ids: Sequence[int]) -> dict[int, bytes]:
    """Each tweet's flags for this viewer (`,"liked":...,"retweeted":...`): one round trip
    when the viewer's sets are loaded; from the database when Redis is down."""
    if not tweet_ids:
        return {}
    members = [str(tweet_id) for tweet_id in tweet_ids]
    likes_key, retweets_key = keys.viewer_likes(viewer_id), keys.viewer_retweets(viewer_id)
    try:
        pipe = get_redis().pipeline(transaction=False)
        pipe.smismember(likes_key, [LOADED, *members])
        pipe.smismember(retweets_key, [LOADED, *members])
        liked_bits, retweeted_bits = pipe.execute()
        liked = {t for t, bit in zip(tweet_ids, liked_bits[1:], strict=True) if bit}
        retweeted = {t for t, bit in zip(tweet_ids, retweeted_bits[1:], strict=True) if bit}
        if not (liked_bits[0] and retweeted_bits[0]):
            every_like, every_retweet = tweet_selectors.engaged_tweet_ids(user_id=viewer_id, using=read_alias())
            if not liked_bits[0]:
                _load(likes_key, every_like)
                liked = every_like & set(tweet_ids)
            if not retweeted_bits[0]:
                _load(retweets_key, every_retweet)
                retweeted = every_retweet & set(tweet_ids)
    except redis_errors:
        liked, retweeted = tweet_selectors.engaged_tweet_ids(user_id=viewer_id, using=read_alias(), among=tweet_ids)
    return {
        tweet_id: rendering.viewer_flags(liked=tweet_id in liked, retweeted=tweet_id in retweeted)
        for tweet_id in tweet_ids
    }


def set_liked(*, user_id: int, tweet_id: int, liked: bool) -> None:
    _set_member(keys.viewer_likes(user_id), tweet_id, liked)


def set_retweeted(*, user_id: int, tweet_id: int, retweeted: bool) -> None:
    _set_member(keys.viewer_retweets(user_id), tweet_id, retweeted)


def _set_member(key: str, tweet_id: int, present: bool) -> None:
    client = get_redis()
    if present:
        add_if_loaded(key, str(tweet_id), client=client)
    else:
        client.srem(key, str(tweet_id))
