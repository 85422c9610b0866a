"""A viewer's per-tweet flags (`liked`, `retweeted`) in Redis, with no SQL on a warm read.

`FLAGS` lists them: each is a set per viewer (its key in twitter.keys) loaded whole from
the database the first time it is needed, kept for as long as the viewer stays active,
and updated by the events that change it (only sets that exist are touched, as with
timeline lists). The member '0' marks a loaded set, so that "likes nothing" is cached
too. A page read asks for the viewer's sets (`flag_keys`) and gets one character per
flag for each tweet ('1' set, '0' not, in FLAGS order), which `render` turns into JSON:
a new flag is a new entry here, its key, its loader in apps.tweets.selectors and the
events that change it; the timeline store and its scripts take any number of flags.
"""

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from apps.tweets import selectors as tweet_selectors
from twitter import keys
from twitter.db.routing import read_alias
from twitter.redis import LOADED, active_ttl_seconds, add_if_loaded, get_redis, redis_errors, replace_loaded


@dataclass(frozen=True)
class Flag:
    name: str  # the member of a tweet's JSON
    key: Callable[[int], str]  # the viewer's set of tweet ids (of originals, for a retweet)


FLAGS = (Flag("liked", keys.viewer_likes), Flag("retweeted", keys.viewer_retweets))


def flag_keys(viewer_id: int) -> list[str]:
    """The viewer's flag sets, in FLAGS order (same hash slot: one call reads them all)."""
    return [flag.key(viewer_id) for flag in FLAGS]


_RENDERED = {
    "".join(bits).encode(): b"".join(
        b',"%s":%s' % (flag.name.encode(), b"true" if bit == "1" else b"false")
        for flag, bit in zip(FLAGS, bits, strict=True)
    )
    for bits in itertools.product("01", repeat=len(FLAGS))
}
NOT_FLAGGED = _RENDERED[b"0" * len(FLAGS)]


def render(bits: bytes) -> bytes:
    """One character per flag ('1' / '0', FLAGS order) as members to append to a tweet."""
    return _RENDERED[bits]


def flag_bits(*, viewer_id: int, tweet_ids: Sequence[int]) -> dict[int, bytes]:
    """Each tweet's flags for this viewer (one b"1" / b"0" per FLAGS): one round trip when
    the viewer's sets are loaded; from the database when Redis is down."""
    if not tweet_ids:
        return {}
    members = [str(tweet_id) for tweet_id in tweet_ids]
    try:
        pipe = get_redis().pipeline(transaction=False)
        for key in flag_keys(viewer_id):
            pipe.smismember(key, [LOADED, *members])
        replies = pipe.execute()
        found = [{t for t, bit in zip(tweet_ids, bits[1:], strict=True) if bit} for bits in replies]
        if not all(bits[0] for bits in replies):
            every = tweet_selectors.engaged_tweet_ids(user_id=viewer_id, using=read_alias())
            for index, (key, bits) in enumerate(zip(flag_keys(viewer_id), replies, strict=True)):
                if not bits[0]:
                    replace_loaded(key, every[index], ttl=active_ttl_seconds())  # as the viewer's timelines
                    found[index] = every[index] & set(tweet_ids)
    except redis_errors:
        found = list(tweet_selectors.engaged_tweet_ids(user_id=viewer_id, using=read_alias(), among=tweet_ids))
    return {tweet_id: "".join("1" if tweet_id in ids else "0" for ids in found).encode() for tweet_id in tweet_ids}


def set_liked(*, user_id: int, tweet_id: int, liked: bool) -> None:
    _set_member(keys.viewer_likes(user_id), tweet_id, liked)


def set_retweeted(*, user_id: int, tweet_id: int, retweeted: bool) -> None:
    _set_member(keys.viewer_retweets(user_id), tweet_id, retweeted)


def _set_member(key: str, tweet_id: int, present: bool) -> None:
    if present:
        add_if_loaded(key, str(tweet_id))
    else:
        get_redis().srem(key, str(tweet_id))
