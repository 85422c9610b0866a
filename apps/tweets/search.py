"""Search reads of the tweets context: the Postgres full-text queries behind the search
context's embedded backend, and the records it indexes elsewhere (Elasticsearch).

The tsvector column and its GIN index come from migration 0003_search; deleted tweets
and retweets are outside the index, and suspended authors are excluded by a join.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connections

from apps.tweets import entities
from apps.tweets.models import Tweet, TweetHashtag, TweetMention
from twitter.db.like import like_prefix
from twitter.db.routing import read_alias

# The indexes migration 0003_search made (what `search_reindex` rebuilds on Postgres).
SEARCH_INDEXES = ("tweets_search_idx", "hashtags_prefix_idx")

# How much a day of age weighs against text relevance: a tweet a day old scores half of
# an equally relevant one posted now, two days a third, and so on.
RECENCY_HALF_LIFE_HOURS = 24.0


@dataclass(frozen=True)
class TweetFilter:
    """What a tweet search asks for. `text` uses web search syntax: words, "a phrase",
    `or`, and -excluded."""

    text: str = ""
    hashtags: tuple[str, ...] = ()  # case-folded
    mention_ids: tuple[int, ...] = ()
    author_id: int | None = None


def _users_table() -> str:
    return Tweet._meta.get_field("author").related_model._meta.db_table


def _where(query: TweetFilter) -> tuple[list[str], dict[str, Any]]:
    clauses = [
        "t.deleted_at IS NULL",
        "t.retweet_of_id IS NULL",
        "u.suspended_at IS NULL",
        "u.is_active",
    ]
    params: dict[str, Any] = {}
    if query.text:
        clauses.append("t.search_vector @@ websearch_to_tsquery('simple', %(text)s)")
        params["text"] = query.text
    if query.author_id is not None:
        clauses.append("t.author_id = %(author_id)s")
        params["author_id"] = query.author_id
    for n, tag in enumerate(query.hashtags):
        clauses.append(
            f"EXISTS (SELECT 1 FROM {TweetHashtag._meta.db_table} h WHERE h.tweet_id = t.id AND h.tag = %(tag{n})s)"
        )
        params[f"tag{n}"] = tag
    for n, user_id in enumerate(query.mention_ids):
        clauses.append(
            f"EXISTS (SELECT 1 FROM {TweetMention._meta.db_table} m "
            f"WHERE m.tweet_id = t.id AND m.user_id = %(mention{n})s)"
        )
        params[f"mention{n}"] = user_id
    return clauses, params


def _select(query: TweetFilter, extra: list[str], order: str, params: dict[str, Any]) -> list[int]:
    clauses, where_params = _where(query)
    sql = (
        f"SELECT t.id FROM {Tweet._meta.db_table} t JOIN {_users_table()} u ON u.id = t.author_id "
        f"WHERE {' AND '.join([*clauses, *extra])} ORDER BY {order} LIMIT %(limit)s OFFSET %(offset)s"
    )
    with connections[read_alias()].cursor() as cursor:
        cursor.execute(sql, {**where_params, **params})
        return [row[0] for row in cursor.fetchall()]


def tweet_ids_by_relevance(*, query: TweetFilter, offset: int, limit: int) -> list[int]:
    """Best first: text relevance (cover density, length-normalized) times a recency decay,
    lifted a little by likes and retweets. Without text, newest first."""
    if not query.text:
        return _select(query, [], "t.id DESC", {"limit": limit, "offset": offset})
    score = (
        "ts_rank_cd(t.search_vector, websearch_to_tsquery('simple', %(text)s), 32)"
        " / (1 + extract(epoch FROM now() - t.created_at) / 3600 / %(half_life)s)"
        " * (1 + ln(1 + t.like_count + t.retweet_count) / 10)"
    )
    return _select(
        query,
        [],
        f"{score} DESC, t.id DESC",
        {"limit": limit, "offset": offset, "half_life": RECENCY_HALF_LIFE_HOURS},
    )


def tweet_ids_by_recency(*, query: TweetFilter, max_id: int | None, limit: int) -> list[int]:
    extra = [] if max_id is None else ["t.id < %(max_id)s"]
    return _select(query, extra, "t.id DESC", {"limit": limit, "offset": 0, "max_id": max_id})


@dataclass(frozen=True)
class HashtagCount:
    tag: str
    tweet_count: int


def hashtags_by_prefix(*, prefix: str, offset: int, limit: int) -> list[HashtagCount]:
    """Hashtags starting with `prefix` (case-folded), the most used by live tweets first."""
    sql = (
        f"SELECT h.tag, count(*) FROM {TweetHashtag._meta.db_table} h "
        f"JOIN {Tweet._meta.db_table} t ON t.id = h.tweet_id AND t.deleted_at IS NULL "
        "WHERE h.tag LIKE %(pattern)s GROUP BY h.tag ORDER BY count(*) DESC, h.tag LIMIT %(limit)s OFFSET %(offset)s"
    )
    with connections[read_alias()].cursor() as cursor:
        cursor.execute(sql, {"pattern": like_prefix(prefix), "limit": limit, "offset": offset})
        return [HashtagCount(tag, count) for tag, count in cursor.fetchall()]


@dataclass(frozen=True)
class TweetRecord:
    """What a search index holds of a tweet."""

    id: int
    author_id: int
    text: str
    hashtags: list[str]
    mention_ids: list[int]
    created_at: datetime
    like_count: int
    retweet_count: int
    author_visible: bool  # the author is active and not suspended


def _records(tweets: Sequence[Tweet]) -> list[TweetRecord]:
    return [
        TweetRecord(
            id=tweet.id,
            author_id=tweet.author_id,
            text=tweet.text,
            hashtags=sorted({entities.normalize_tag(e["tag"]) for e in (tweet.entities or {}).get("hashtags", [])}),
            mention_ids=sorted({int(e["id"]) for e in (tweet.entities or {}).get("mentions", [])} - {tweet.author_id}),
            created_at=tweet.created_at,
            like_count=tweet.like_count,
            retweet_count=tweet.retweet_count,
            author_visible=tweet.author.is_active and tweet.author.suspended_at is None,
        )
        for tweet in tweets
    ]


_RECORD_FIELDS = (
    "id",
    "author_id",
    "text",
    "entities",
    "created_at",
    "like_count",
    "retweet_count",
    "author__is_active",
    "author__suspended_at",
)


def tweet_records(*, tweet_ids: Sequence[int], using: str) -> list[TweetRecord]:
    """Records of the searchable tweets among `tweet_ids` (live, not retweets)."""
    tweets = Tweet.objects.using(using).filter(pk__in=list(tweet_ids), deleted_at__isnull=True, retweet_of__isnull=True)
    return _records(list(tweets.select_related("author").only(*_RECORD_FIELDS)))


def tweet_records_after(*, after_id: int, limit: int, using: str) -> list[TweetRecord]:
    """The next `limit` searchable tweets by id, for a full reindex."""
    tweets = Tweet.objects.using(using).filter(id__gt=after_id, deleted_at__isnull=True, retweet_of__isnull=True)
    return _records(list(tweets.select_related("author").order_by("id").only(*_RECORD_FIELDS)[:limit]))


def searchable_tweet_count(*, using: str) -> int:
    return Tweet.objects.using(using).filter(deleted_at__isnull=True, retweet_of__isnull=True).count()
