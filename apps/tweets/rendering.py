"""The canonical JSON of a tweet, built once and cached (DESIGN.md section 7).

A tweet is stored as its *core*: every field but `author`, `retweet_of` and the viewer's
flags, as the inside of a JSON object (no braces). Readers join core + author card +
original + flags as bytes, so a cached timeline page is served with no JSON encoding
per tweet. A retweet's core describes the retweet itself (its id, time and retweeter);
what was retweeted is nested whole under `retweet_of`, with its current counts.
"""

from dataclasses import dataclass

import orjson

from apps.tweets.models import Tweet


@dataclass(frozen=True)
class RenderedTweet:
    id: int
    author_id: int
    retweet_of_id: int | None
    core: bytes  # the object's members, without braces


def _id(value: int | None) -> str | None:
    return None if value is None else str(value)


def render_core(tweet: Tweet) -> RenderedTweet:
    entities = tweet.entities or {}
    body = orjson.dumps(
        {
            "id": str(tweet.id),
            "text": tweet.text,
            "created_at": tweet.created_at,
            "reply_to_id": _id(tweet.reply_to_id),
            "reply_to_user_id": _id(tweet.reply_to_user_id),
            "like_count": tweet.like_count,
            "retweet_count": tweet.retweet_count,
            "reply_count": tweet.reply_count,
            "media": tweet.media or [],
            "hashtags": entities.get("hashtags", []),
            "mentions": entities.get("mentions", []),
        },
        option=orjson.OPT_UTC_Z,
    )
    return RenderedTweet(id=tweet.id, author_id=tweet.author_id, retweet_of_id=tweet.retweet_of_id, core=body[1:-1])


def author_card(*, user_id: int, username: str, display_name: str, avatar_url: str) -> bytes:
    return orjson.dumps(
        {"id": str(user_id), "username": username, "display_name": display_name, "avatar_url": avatar_url}
    )


def assemble(core: bytes, card: bytes, viewer_flags: bytes = b"", original: bytes = b"null") -> bytes:
    """One tweet's JSON from its parts; `viewer_flags` is `,"liked":...` or empty and
    `original` is the JSON of the tweet retweeted (a retweet's flags are its original's)."""
    return b"{" + core + b',"author":' + card + b',"retweet_of":' + original + viewer_flags + b"}"
