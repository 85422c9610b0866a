"""Consumers of outbox events that keep the Elasticsearch indexes current (subscribed
only when ELASTICSEARCH_URL is set). A slow or dead cluster delays indexing; it never
fails a write: the events wait, and these tasks retry with backoff."""

from typing import Any

from celery import shared_task

from apps.search import services
from apps.search.backends.elastic.client import CLUSTER_ERRORS
from apps.search.backends.elastic.indexes import IndexingRefusedError
from twitter.event_types import TweetCreated, TweetDeleted
from twitter.task_base import TRANSIENT_ERRORS, ReliableTask

Payload = dict[str, Any]


class IndexingTask(ReliableTask):
    autoretry_for = (*TRANSIENT_ERRORS, *CLUSTER_ERRORS, IndexingRefusedError)


@shared_task(base=IndexingTask, name="apps.search.tasks.tweet_index_task")
def tweet_index_task(event_id: int, payload: Payload) -> int:
    event = TweetCreated.from_payload(payload)
    if event.retweet_of_id is not None:
        return 0  # retweets are not searchable: their original is
    return services.tweets_index(tweet_ids=[event.tweet_id])


@shared_task(base=IndexingTask, name="apps.search.tasks.tweet_unindex_task")
def tweet_unindex_task(event_id: int, payload: Payload) -> None:
    event = TweetDeleted.from_payload(payload)
    if event.retweet_of_id is not None:
        return
    services.tweets_unindex(tweet_ids=[event.tweet_id])


@shared_task(base=IndexingTask, name="apps.search.tasks.user_index_task")
def user_index_task(event_id: int, payload: Payload) -> bool:
    """On UserRegistered and UserProfileUpdated (both carry `user_id`)."""
    return services.user_index(user_id=int(payload["user_id"]))


@shared_task(base=IndexingTask, name="apps.search.tasks.author_visibility_task")
def author_visibility_task(event_id: int, payload: Payload) -> None:
    """On UserSuspended and UserUnsuspended (both carry `user_id`)."""
    services.author_visibility_sync(user_id=int(payload["user_id"]))
