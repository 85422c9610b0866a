"""Search: the query language resolved to ids, answered by Elasticsearch when it is
configured and healthy, otherwise by Postgres (or a clear 503 if so configured)."""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from django.conf import settings

from apps.search import query as search_query
from apps.search.backends.base import BackendUnavailableError, SearchBackend, Sort, TweetSearch
from apps.search.backends.elastic.backend import ElasticsearchBackend
from apps.search.backends.postgres import PostgresBackend
from apps.tweets import entities
from apps.tweets.search import HashtagCount, TweetFilter
from apps.users import selectors as user_selectors
from twitter.db.breaker import CircuitBreaker
from twitter.errors import ApplicationError

logger = logging.getLogger(__name__)

T = TypeVar("T")

search_breaker = CircuitBreaker("search", cooldown=settings.SEARCH_BREAKER_COOLDOWN)
_postgres = PostgresBackend()
_elasticsearch = ElasticsearchBackend()


class SearchUnavailableError(ApplicationError):
    status_code = 503
    code = "search_unavailable"


@dataclass(frozen=True)
class Found(Generic[T]):
    items: list[T]
    backend: str  # which backend answered
    exhausted: bool  # fewer than asked for: there is no next page


def _answer(call: Callable[[SearchBackend], list[T]], limit: int) -> Found[T]:
    if settings.ELASTICSEARCH_URL:
        if search_breaker.allow():
            try:
                items = call(_elasticsearch)
            except BackendUnavailableError as exc:
                search_breaker.record_failure()
                logger.warning("search cluster failed, answering from %s: %s", settings.SEARCH_FALLBACK, exc)
            else:
                search_breaker.record_success()
                return Found(items, _elasticsearch.name, len(items) < limit)
        if settings.SEARCH_FALLBACK != "postgres":
            raise SearchUnavailableError("Search is unavailable right now; try again shortly.")
    items = call(_postgres)
    return Found(items, _postgres.name, len(items) < limit)


def search_tweets(*, text: str, sort: Sort, limit: int, offset: int = 0, max_id: int | None = None) -> Found[int]:
    """Ids of matching tweets, best (or newest) first."""
    parsed = search_query.parse(text)
    if not (parsed.text or parsed.hashtags or parsed.names):
        raise ApplicationError(
            "Nothing to search for.", code="invalid", fields={"q": ["Enter words, #tags or @names."]}
        )
    users = user_selectors.user_ids_by_username(usernames=parsed.names)
    if any(name.lower() not in users for name in parsed.names):
        # An unknown or suspended user wrote, and is mentioned in, nothing visible.
        return Found([], _postgres.name, True)
    wanted = TweetFilter(
        text=parsed.text,
        hashtags=parsed.hashtags,
        mention_ids=tuple(users[name.lower()][0] for name in parsed.mentions),
        author_id=users[parsed.from_username.lower()][0] if parsed.from_username else None,
    )
    search = TweetSearch(filter=wanted, sort=sort, limit=limit, offset=offset, max_id=max_id)
    return _answer(lambda backend: backend.tweet_ids(search), limit)


def search_users(*, text: str, limit: int, offset: int = 0) -> Found[int]:
    """Ids of users whose names start with the query; `@name` searches usernames only."""
    prefix = search_query.name_prefix(text)
    if not prefix:
        raise ApplicationError("Nothing to search for.", code="invalid", fields={"q": ["Enter a name."]})
    usernames_only = text.strip().startswith("@")
    return _answer(
        lambda backend: backend.user_ids(text=prefix, usernames_only=usernames_only, offset=offset, limit=limit),
        limit,
    )


def search_hashtags(*, text: str, limit: int, offset: int = 0) -> Found[HashtagCount]:
    prefix = search_query.tag_prefix(text)
    if not entities.is_valid_tag(prefix) and not (prefix and all(c.isdigit() for c in prefix)):
        raise ApplicationError(
            "Not a hashtag.", code="invalid_hashtag", fields={"q": ["Letters, digits, marks or underscores."]}
        )
    return _answer(lambda backend: backend.hashtags(prefix=prefix, offset=offset, limit=limit), limit)
