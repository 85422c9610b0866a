"""Bulk loading of tweets, for seeding a development or benchmark database: COPY, no
events, no fan-out (timelines are rebuilt when read). Hashtags are found as when posting;
mentions are not looked up."""

from collections.abc import Iterable
from dataclasses import dataclass

import orjson
from django.db import connections

from apps.tweets import entities
from twitter.db.routing import PRIMARY
from twitter.ids import id_datetime


@dataclass(frozen=True)
class BulkTweet:
    id: int
    author_id: int
    text: str
    reply_to_id: int | None = None
    reply_to_user_id: int | None = None
    reply_count: int = 0


def tweets_bulk_load(tweets: Iterable[BulkTweet]) -> int:
    """Insert tweets (and their hashtags) in the caller's transaction; each is dated by its
    id. Returns how many."""
    tagged: list[tuple[str, int]] = []
    count = 0
    with (
        connections[PRIMARY].cursor() as cursor,
        cursor.copy(
            "COPY tweets_tweet (id, author_id, text, reply_to_id, reply_to_user_id, created_at,"
            " reply_count, like_count, retweet_count, entities, media) FROM STDIN"
        ) as copy,
    ):
        for tweet in tweets:
            found = entities.hashtags(tweet.text)
            tags = [{"tag": tag.value, "start": tag.start, "end": tag.end} for tag in found]
            copy.write_row(
                (
                    tweet.id,
                    tweet.author_id,
                    tweet.text,
                    tweet.reply_to_id,
                    tweet.reply_to_user_id,
                    id_datetime(tweet.id),
                    tweet.reply_count,
                    0,
                    0,
                    orjson.dumps({"hashtags": tags, "mentions": []}).decode(),
                    "[]",
                )
            )
            tagged.extend((entities.normalize_tag(tag.value), tweet.id) for tag in found)
            count += 1
    with (
        connections[PRIMARY].cursor() as cursor,
        cursor.copy("COPY tweets_tweethashtag (tag, tweet_id) FROM STDIN") as copy,
    ):
        for row in tagged:
            copy.write_row(row)
    return count


def tweets_analyze() -> None:
    with connections[PRIMARY].cursor() as cursor:
        cursor.execute("ANALYZE tweets_tweet")
