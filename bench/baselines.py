"""Same-run baselines, served by granian like the APIs (`granian --interface wsgi
bench.baselines:ceiling`, `:pull`, `:pull_naive`, `:write_ceiling`).

The read baselines answer `GET /?u=<user id>` with the home page the read-API would
return for that user, as bytes:
- ceiling: no framework. List range + MGET of the cached tweets and author cards on the
  same Redis data, joined as bytes: the most any Python server could do for this page.
- pull: the strongest fan-out on read: per followee, their newest tweets by the
  `(author_id, id DESC)` index (a LATERAL join), merged and cut to the page, with the
  viewer's flags, by raw psycopg and orjson on the replica.
- pull_naive: the query earlier reports used (one scan of the tweets index backwards,
  filtering by author, two EXISTS per row): kept beside the strong one for one release.

The write baseline answers `POST /?u=<user id>` with `{"text": ...}`: write_ceiling does
the durable work of a tweet with no framework: validate, insert the tweet and its outbox
row in one transaction, cache it and push it to the author's two lists, and hand one
message to the broker (one Redis round trip). It writes to scratch tables and keys
(`bench_*`), so the platform's data stays as the scenarios left it.
"""

import os
import threading
import unicodedata
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any, cast
from urllib.parse import parse_qs

import orjson
import psycopg
import psycopg_pool
import redis

from twitter import keys
from twitter.ids import SnowflakeGenerator

StartResponse = Callable[[str, list[tuple[str, str]]], Any]
PAGE = 20
FLAGS = {
    (liked, retweeted): b',"liked":%s,"retweeted":%s' % (str(liked).lower().encode(), str(retweeted).lower().encode())
    for liked in (False, True)
    for retweeted in (False, True)
}

_redis = redis.Redis.from_url(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))


def _user(environ: dict[str, Any]) -> int:
    return int(parse_qs(environ.get("QUERY_STRING", ""))["u"][0])


def _json(start_response: StartResponse, body: bytes, status: str = "200 OK") -> Iterable[bytes]:
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


# The planner takes every author for the average one (about ten tweets) and reads all of
# a prolific author's tweets by bitmap scan, then sorts: the strongest pull wants the
# ordered index scan that stops after a page (measured: 87 ms -> 3 ms for a reader
# following 57 accounts). The naive pull and the write ceiling keep the defaults.
ORDERED_INDEX_SCANS = "-c enable_bitmapscan=off"
_pools: dict[str, psycopg_pool.ConnectionPool] = {}
_pools_lock = threading.Lock()


def _database(options: str = "") -> psycopg_pool.ConnectionPool:
    with _pools_lock:
        pool = _pools.get(options)
        if pool is None:
            kwargs = {"options": options} if options else {}
            pool = _pools[options] = psycopg_pool.ConnectionPool(
                os.environ["BASELINE_DATABASE_URL"], min_size=2, max_size=8, kwargs=kwargs
            )
        return pool


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


# Per followee (and the viewer), their newest live tweets by the (author_id, id DESC)
# index, enough to fill a page whatever the others hold; then merged and cut.
PULL_SQL = """
WITH authors AS (
    SELECT followee_id AS id FROM follows_follow WHERE follower_id = %(u)s UNION ALL SELECT %(u)s
), page AS (
    SELECT t.* FROM authors a CROSS JOIN LATERAL (
        SELECT t.id, t.author_id, t.text, t.created_at, t.reply_to_id, t.reply_to_user_id, t.like_count,
               t.retweet_count, t.reply_count, t.entities, t.media
        FROM tweets_tweet t
        WHERE t.author_id = a.id AND t.deleted_at IS NULL AND t.retweet_of_id IS NULL
          AND (t.reply_to_user_id IS NULL OR t.reply_to_user_id = t.author_id OR t.author_id = %(u)s
               OR t.reply_to_user_id IN (SELECT id FROM authors))
        ORDER BY t.id DESC LIMIT 20
    ) t
    ORDER BY t.id DESC LIMIT 20
)
SELECT p.id, p.text, p.created_at, p.reply_to_id, p.reply_to_user_id, p.like_count, p.retweet_count,
       p.reply_count, u.id, u.username, u.display_name, u.avatar_url, p.entities, p.media,
       l.tweet_id IS NOT NULL, r.retweet_of_id IS NOT NULL
FROM page p
JOIN users_user u ON u.id = p.author_id AND u.suspended_at IS NULL
LEFT JOIN tweets_like l ON l.user_id = %(u)s AND l.tweet_id = p.id
LEFT JOIN tweets_tweet r ON r.author_id = %(u)s AND r.retweet_of_id = p.id AND r.deleted_at IS NULL
ORDER BY p.id DESC
"""

# The pull query of earlier reports: one walk of the tweets index backwards by id,
# filtering by author, two EXISTS per row.
PULL_NAIVE_SQL = """
SELECT t.id, t.text, t.created_at, t.reply_to_id, t.reply_to_user_id, t.like_count, t.retweet_count,
       t.reply_count, u.id, u.username, u.display_name, u.avatar_url, t.entities, t.media,
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


def _id(value: int | None) -> str | None:
    return None if value is None else str(value)


def _pull_page(sql: str, user_id: int, options: str = "") -> bytes:
    with _database(options).connection() as connection:
        rows = connection.execute(sql, {"u": user_id}).fetchall()
    page = [
        {
            "id": str(row[0]),
            "text": row[1],
            "created_at": row[2],
            "reply_to_id": _id(row[3]),
            "reply_to_user_id": _id(row[4]),
            "retweet_of": None,
            "like_count": row[5],
            "retweet_count": row[6],
            "reply_count": row[7],
            "media": row[13],
            "hashtags": row[12].get("hashtags", []),
            "mentions": row[12].get("mentions", []),
            "author": {"id": str(row[8]), "username": row[9], "display_name": row[10], "avatar_url": row[11]},
            "liked": row[14],
            "retweeted": row[15],
        }
        for row in rows
    ]
    return orjson.dumps(page, option=orjson.OPT_UTC_Z)


def pull(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    return _json(start_response, _pull_page(PULL_SQL, _user(environ), ORDERED_INDEX_SCANS))


def pull_naive(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    return _json(start_response, _pull_page(PULL_NAIVE_SQL, _user(environ)))


# --- The write ceiling ---------------------------------------------------------------

SCRATCH_TABLES = {"bench_tweet": "tweets_tweet", "bench_outbox": "twitter_outboxevent"}
SCRATCH_USERS = "bench_user"
SCRATCH_KEY_PREFIX = "bench:w:"
TEXT_MAX_LENGTH = 280
_ids = SnowflakeGenerator(os.getpid() % 1024)

INSERT_TWEET = (
    "INSERT INTO bench_tweet (id, author_id, text, entities, media, created_at, reply_count, like_count,"
    " retweet_count) VALUES (%s, %s, %s, %s, %s, %s, 0, 0, 0)"
)
COUNT_TWEET = (
    "UPDATE bench_user SET tweets_count = tweets_count + 1 WHERE id = %s AND is_active"
    " RETURNING username, display_name, avatar_url"
)
INSERT_EVENT = (
    "INSERT INTO bench_outbox (id, event_type, payload, created_at, attempts, confirmed)"
    " VALUES (%s, 'tweet.created', %s, %s, 0, '{}')"
)


def scratch_create(database_url: str) -> None:
    """The write ceiling's tables: copies of the real ones (columns, checks, indexes)."""
    with psycopg.connect(database_url, autocommit=True) as connection:
        for scratch, real in SCRATCH_TABLES.items():
            connection.execute(f"DROP TABLE IF EXISTS {scratch}")
            connection.execute(f"CREATE TABLE {scratch} (LIKE {real} INCLUDING ALL)")
        connection.execute(f"DROP TABLE IF EXISTS {SCRATCH_USERS}")
        connection.execute(
            "CREATE TABLE bench_user AS"
            " SELECT id, username, display_name, avatar_url, is_active, tweets_count FROM users_user"
        )
        connection.execute(f"ALTER TABLE {SCRATCH_USERS} ADD PRIMARY KEY (id)")


def scratch_drop(database_url: str, client: redis.Redis) -> None:
    with psycopg.connect(database_url, autocommit=True) as connection:
        for scratch in [*SCRATCH_TABLES, SCRATCH_USERS]:
            connection.execute(f"DROP TABLE IF EXISTS {scratch}")
    for batch in _batches(client.scan_iter(f"{SCRATCH_KEY_PREFIX}*", count=1000), 1000):
        client.delete(*batch)


def _batches(items: Iterable[Any], size: int) -> Iterable[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _bad_request(start_response: StartResponse, message: str) -> Iterable[bytes]:
    return _json(start_response, orjson.dumps({"error": {"message": message}}), "400 Bad Request")


def write_ceiling(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    author_id = _user(environ)
    try:
        data = orjson.loads(environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0)))
    except orjson.JSONDecodeError:
        return _bad_request(start_response, "Malformed JSON.")
    text = data.get("text") if isinstance(data, dict) else None
    if not isinstance(text, str):
        return _bad_request(start_response, "text must be a string.")
    text = unicodedata.normalize("NFC", text).strip()
    if not 0 < len(text) <= TEXT_MAX_LENGTH:
        return _bad_request(start_response, "text must have 1 to 280 characters.")
    tweet_id, event_id, now = _ids.next_id(), _ids.next_id(), datetime.now(UTC)
    payload: dict[str, Any] = {
        "tweet_id": tweet_id,
        "author_id": author_id,
        "reply_to_id": None,
        "mention_ids": [],
        "hashtags": [],
    }
    with _database().connection() as connection, connection.transaction():
        connection.execute(INSERT_TWEET, (tweet_id, author_id, text, "{}", "[]", now))
        author = connection.execute(COUNT_TWEET, (author_id,)).fetchone()
        if author is None:
            raise psycopg.errors.RaiseException(f"user {author_id} cannot post")
        connection.execute(INSERT_EVENT, (event_id, orjson.dumps(payload).decode(), now))
    core = orjson.dumps(
        {
            "id": str(tweet_id),
            "text": text,
            "created_at": now,
            "reply_to_id": None,
            "reply_to_user_id": None,
            "like_count": 0,
            "retweet_count": 0,
            "reply_count": 0,
            "media": [],
            "hashtags": [],
            "mentions": [],
        },
        option=orjson.OPT_UTC_Z,
    )
    pipe = _redis.pipeline(transaction=False)
    pipe.set(f"{SCRATCH_KEY_PREFIX}tw:{tweet_id}", b"%d|0|%s" % (author_id, core[1:-1]), ex=3600)
    for timeline in ("h", "u"):
        pipe.lpush(f"{SCRATCH_KEY_PREFIX}{timeline}:{author_id}", tweet_id)
        pipe.ltrim(f"{SCRATCH_KEY_PREFIX}{timeline}:{author_id}", 0, 799)
    pipe.lpush(f"{SCRATCH_KEY_PREFIX}queue", orjson.dumps({"task": "tweet_created", "args": [event_id, payload]}))
    pipe.execute()
    card = orjson.dumps(
        {"id": str(author_id), "username": author[0], "display_name": author[1], "avatar_url": author[2]}
    )
    body = b"{" + core[1:-1] + b',"author":' + card + b',"retweet_of":null,"liked":false,"retweeted":false}'
    return _json(start_response, body, "201 Created")
