from typing import Any

from django.apps import AppConfig
from django.conf import settings


def indexing(event: Any) -> bool:
    """The Elasticsearch indexes follow outbox events (in the worker); the Postgres backend
    reads the tables themselves and needs no indexing, so no message is sent for it."""
    return bool(settings.ELASTICSEARCH_URL)


class SearchConfig(AppConfig):
    name = "apps.search"
    label = "search"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from apps.search import tasks
        from twitter import events
        from twitter.event_types import (
            TweetCreated,
            TweetDeleted,
            UserProfileUpdated,
            UserRegistered,
            UserSuspended,
            UserUnsuspended,
        )

        events.subscribe(TweetCreated, tasks.tweet_index_task, when=indexing)
        events.subscribe(TweetDeleted, tasks.tweet_unindex_task, when=indexing)
        events.subscribe(UserRegistered, tasks.user_index_task, when=indexing)
        events.subscribe(UserProfileUpdated, tasks.user_index_task, when=indexing)
        events.subscribe(UserSuspended, tasks.author_visibility_task, when=indexing)
        events.subscribe(UserUnsuspended, tasks.author_visibility_task, when=indexing)
