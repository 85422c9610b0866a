"""Consumers of outbox events for the tweets context: hashtag trend counters."""

from typing import Any

from celery import shared_task

from apps.tweets import trends
from twitter.event_types import TweetCreated, TweetDeleted
from twitter.task_base import ReliableTask

Payload = dict[str, Any]


@shared_task(base=ReliableTask, name="apps.tweets.tasks.hashtags_count_task")
def hashtags_count_task(event_id: int, payload: Payload) -> bool:
    event = TweetCreated.from_payload(payload)
    return trends.count(tweet_id=event.tweet_id, tags=event.hashtags)


@shared_task(base=ReliableTask, name="apps.tweets.tasks.hashtags_uncount_task")
def hashtags_uncount_task(event_id: int, payload: Payload) -> bool:
    event = TweetDeleted.from_payload(payload)
    return trends.uncount(tweet_id=event.tweet_id, tags=event.hashtags)
