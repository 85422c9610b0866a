"""The Elasticsearch backend's reads."""

from typing import Any

from elasticsearch.dsl import Search

from apps.search.backends.base import BackendUnavailableError, TweetSearch
from apps.search.backends.elastic import queries
from apps.search.backends.elastic.client import CLUSTER_ERRORS, client
from apps.tweets.search import HashtagCount


def _execute(search: Search) -> Any:
    try:
        return search.using(client()).execute()
    except CLUSTER_ERRORS as exc:
        raise BackendUnavailableError(f"elasticsearch: {exc}") from exc


def _ids(search: Search) -> list[int]:
    return [int(hit.meta.id) for hit in _execute(search)]


class ElasticsearchBackend:
    name = "elasticsearch"

    def tweet_ids(self, search: TweetSearch) -> list[int]:
        return _ids(queries.tweets(search))

    def user_ids(self, *, text: str, usernames_only: bool, offset: int, limit: int) -> list[int]:
        return _ids(queries.users(text=text, usernames_only=usernames_only, offset=offset, limit=limit))

    def hashtags(self, *, prefix: str, offset: int, limit: int) -> list[HashtagCount]:
        response = _execute(queries.hashtags(prefix=prefix, offset=offset, limit=limit))
        buckets = response.aggregations.tags.buckets[offset : offset + limit]
        return [HashtagCount(tag=bucket.key, tweet_count=bucket.doc_count) for bucket in buckets]
