"""Writes to the search indexes. Only the Elasticsearch backend has any: Postgres
searches the tables themselves. Every function is idempotent (events are delivered at
least once) and reads the rows as committed, on the primary."""

from collections.abc import Callable, Iterator, Sequence

from django.conf import settings
from django.db import connections
from elasticsearch.dsl import Document

from apps.search.backends.elastic import indexes
from apps.search.backends.elastic.documents import TweetDocument, UserDocument
from apps.tweets import search as tweet_search
from apps.users import search as user_search
from twitter.db.routing import PRIMARY, read_alias

KINDS = indexes.KINDS


def tweets_index(*, tweet_ids: Sequence[int]) -> int:
    """(Re)index these tweets as they are now; deleted ones leave the index."""
    records = tweet_search.tweet_records(tweet_ids=tweet_ids, using=PRIMARY)
    indexes.put("tweets", [TweetDocument.from_record(record) for record in records])
    gone = set(tweet_ids) - {record.id for record in records}
    if gone:
        indexes.remove("tweets", gone)
    return len(records)


def tweets_unindex(*, tweet_ids: Sequence[int]) -> None:
    indexes.remove("tweets", tweet_ids)


def user_index(*, user_id: int) -> bool:
    """(Re)index one account; returns whether it is searchable (active, not suspended)."""
    records = user_search.user_records(user_ids=[user_id], using=PRIMARY)
    if not records:
        indexes.remove("users", [user_id])
        return False
    indexes.put("users", [UserDocument.from_record(records[0])])
    return records[0].searchable


def author_visibility_sync(*, user_id: int) -> None:
    """After a suspension or its end: the account and every tweet of it follow its state."""
    indexes.set_author_visible(author_id=user_id, visible=user_index(user_id=user_id))


def _batches(kind: str, batch_size: int, using: str) -> Iterator[list[Document]]:
    after = 0
    while True:
        records: Sequence[tweet_search.TweetRecord] | Sequence[user_search.UserRecord]
        documents: list[Document]
        if kind == "tweets":
            records = tweet_search.tweet_records_after(after_id=after, limit=batch_size, using=using)
            documents = [TweetDocument.from_record(record) for record in records]
        else:
            records = user_search.user_records_after(after_id=after, limit=batch_size, using=using)
            documents = [UserDocument.from_record(record) for record in records if record.searchable]
        if not records:
            return
        after = records[-1].id
        yield documents


def search_total(*, kind: str) -> int:
    using = read_alias()
    if kind == "tweets":
        return tweet_search.searchable_tweet_count(using=using)
    return user_search.searchable_user_count(using=using)


def search_reindex(*, kind: str, batch_size: int, progress: Callable[[int], None]) -> str:
    """Rebuild the `kind` index with zero downtime (a new index, then an alias swap).
    Returns the new index's name. Reads the replica when it is healthy."""
    return indexes.rebuild(kind, _batches(kind, batch_size, read_alias()), progress)


def postgres_search_indexes_rebuild(*, progress: Callable[[str], None]) -> None:
    """The Postgres backend's equivalent: rebuild its GIN indexes without blocking writes
    (REINDEX CONCURRENTLY), then refresh the planner's statistics."""
    with connections[PRIMARY].cursor() as cursor:
        for index in (*tweet_search.SEARCH_INDEXES, *user_search.SEARCH_INDEXES):
            progress(index)
            cursor.execute(f"REINDEX INDEX CONCURRENTLY {index}")
        cursor.execute("ANALYZE")


def elasticsearch_enabled() -> bool:
    return bool(settings.ELASTICSEARCH_URL)
