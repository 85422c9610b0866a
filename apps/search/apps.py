from django.apps import AppConfig
from django.conf import settings


class SearchConfig(AppConfig):
    name = "apps.search"
    label = "search"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The Postgres backend reads the tables themselves and needs no indexing; the
        # Elasticsearch indexes follow outbox events, in the worker.
        if not settings.ELASTICSEARCH_URL:
            return
        from twitter import events

        for event_type, task in (
            ("tweet.created", "tweet_index_task"),
            ("tweet.deleted", "tweet_unindex_task"),
            ("user.registered", "user_index_task"),
            ("user.profile_updated", "user_index_task"),
            ("user.suspended", "author_visibility_task"),
            ("user.unsuspended", "author_visibility_task"),
        ):
            events.subscribe(event_type, f"apps.search.tasks.{task}")
