"""The canonical JSON of a tweet, built once and cached (DESIGN.md section 7).

A tweet is stored as its *core*: every field but `author` and the viewer's flags, as the
inside of a JSON object (no braces). Readers join core + author card + flags as bytes,
so a cached timeline page is served with no JSON encoding per tweet.
"""

from dataclasses import dataclass

import orjson

from apps.tweets.models import Tweet


@dataclass(frozen=True)
class RenderedTweet:
    id: int
    author_id: int
    core: bytes  # the object's members, without braces


def render_core(tweet: Tweet) -> RenderedTweet:
    body = orjson.dumps(
        {
            "id": str(tweet.id),
            "text": tweet.text,
            "created_at": tweet.created_at,
            "reply_to_id": None if tweet.reply_to_id is None else str(tweet.reply_to_id),
            "reply_to_user_id": None if tweet.reply_to_user_id is None else str(tweet.reply_to_user_id),
            "retweet_of": None,
            "like_count": tweet.like_count,
            "retweet_count": tweet.retweet_count,
            "reply_count": tweet.reply_count,
            "media": [],
            "hashtags": [],
            "mentions": [],
        },
        option=orjson.OPT_UTC_Z,
    )
    return RenderedTweet(id=tweet.id, author_id=tweet.author_id, core=body[1:-1])


def author_card(*, user_id: int, username: str, display_name: str, avatar_url: str) -> bytes:
    return orjson.dumps(
        {"id": str(user_id), "username": username, "display_name": display_name, "avatar_url": avatar_url}
    )


# A signed-in viewer's flags. Likes and retweets arrive with engagement; until then
# nothing is liked or retweeted.
NO_ENGAGEMENT_FLAGS = b',"liked":false,"retweeted":false'


def assemble(core: bytes, card: bytes, viewer_flags: bytes = b"") -> bytes:
    """One tweet's JSON from its parts; `viewer_flags` is `,"liked":...` or empty."""
    return b"{" + core + b',"author":' + card + viewer_flags + b"}"
