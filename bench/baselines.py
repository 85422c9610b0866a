"""Same-run baselines, served by granian like the read-API (`granian --interface wsgi
bench.baselines:ceiling` / `:pull`). Both answer `GET /?u=<user id>` with the home page
the read-API would return for that user, as bytes.

- ceiling: no framework. List range + MGET of the cached tweets and author cards on the
  same Redis data, joined as bytes: the most any Python server could do for this page.
- pull: the same page computed per request by SQL on the replica (fan-out on read), with
  raw psycopg and orjson, so the baseline is not held back by an ORM.
"""

import os
from collections.abc import Callable, Iterable
from typing import Any, cast
from urllib.parse import parse_qs

import orjson
import psycopg_pool
import redis

from twitter import keys

StartResponse = Callable[[str, list[tuple[str, str]]], Any]
PAGE = 20
FLAGS = {
    (liked, retweeted): b',"liked":%s,"retweeted":%s' % (str(liked).lower().encode(), str(retweeted).lower().encode())
    for liked in (False, True)
    for retweeted in (False, True)
}

_redis = redis.Redis.from_url(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
_pool: psycopg_pool.ConnectionPool | None = None


def _user(environ: dict[str, Any]) -> int:
    return int(parse_qs(environ.get("QUERY_STRING", ""))["u"][0])


def _json(start_response: StartResponse, body: bytes) -> Iterable[bytes]:
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


def ceiling(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    listed = cast("list[bytes]", _redis.lrange(keys.home_timeline(_user(environ)), 0, PAGE - 1))
    ids = [i for i in listed if i != b"0"]
    values = cast("list[bytes | None]", _redis.mget([keys.tweet(int(i)) for i in ids]) if ids else [])
    parts = [(i, value.split(b"|", 2)) for i, value in zip(ids, values, strict=True) if value and value != b"x"]
    cards = cast("list[bytes | None]", _redis.mget([keys.author_card(int(p[0])) for _, p in parts]) if parts else [])
    # The viewer's flags, as the read-API finds them: one more round trip.
    members = [b"0", *ids]
    pipe = _redis.pipeline(transaction=False)
    pipe.smismember(keys.viewer_likes(_user(environ)), members)
    pipe.smismember(keys.viewer_retweets(_user(environ)), members)
    liked, retweeted = pipe.execute()
    flags = {i: FLAGS[bool(a), bool(b)] for i, a, b in zip(ids, liked[1:], retweeted[1:], strict=True)}
    items = [
        b"{" + core + b',"author":' + card + b',"retweet_of":null' + flags[tweet_id] + b"}"
        for (tweet_id, (_, _, core)), card in zip(parts, cards, strict=True)
        if card
    ]
    return _json(start_response, b"[" + b",".join(items) + b"]")


PULL_SQL = """
SELECT t.id, t.text, t.created_at, t.reply_to_id, t.reply_to_user_id, t.like_count, t.retweet_count,
       t.reply_count, u.id, u.username, u.display_name, u.avatar_url, t.entities,
       EXISTS (SELECT 1 FROM tweets_like l WHERE l.tweet_id = t.id AND l.user_id = %(u)s),
       EXISTS (SELECT 1 FROM tweets_tweet r WHERE r.retweet_of_id = t.id AND r.author_id = %(u)s
               AND r.deleted_at IS NULL)
FROM tweets_tweet t JOIN users_user u ON u.id = t.author_id
WHERE t.author_id IN (SELECT followee_id FROM follows_follow WHERE follower_id = %(u)s UNION SELECT %(u)s)
  AND t.deleted_at IS NULL AND u.suspended_at IS NULL
  AND (t.reply_to_user_id IS NULL OR t.reply_to_user_id = t.author_id OR t.author_id = %(u)s
       OR t.reply_to_user_id IN (SELECT followee_id FROM follows_follow WHERE follower_id = %(u)s))
ORDER BY t.id DESC LIMIT 20
"""


def pull(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    global _pool
    if _pool is None:
        _pool = psycopg_pool.ConnectionPool(os.environ["PULL_DATABASE_URL"], min_size=2, max_size=8)
    with _pool.connection() as connection:
        rows = connection.execute(PULL_SQL, {"u": _user(environ)}).fetchall()
    page = [
        {
            "id": str(row[0]),
            "text": row[1],
            "created_at": row[2],
            "reply_to_id": None if row[3] is None else str(row[3]),
            "reply_to_user_id": None if row[4] is None else str(row[4]),
            "retweet_of": None,
            "like_count": row[5],
            "retweet_count": row[6],
            "reply_count": row[7],
            "media": [],
            "hashtags": row[12].get("hashtags", []),
            "mentions": row[12].get("mentions", []),
            "author": {"id": str(row[8]), "username": row[9], "display_name": row[10], "avatar_url": row[11]},
            "liked": row[13],
            "retweeted": row[14],
        }
        for row in rows
    ]
    return _json(start_response, orjson.dumps(page, option=orjson.OPT_UTC_Z))
