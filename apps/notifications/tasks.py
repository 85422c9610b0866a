"""Consumers of outbox events that notify users. Each checks that its cause still holds
(an event may arrive after it was undone) and creates nothing twice."""

from typing import Any

from celery import shared_task

from apps.follows import selectors as follow_selectors
from apps.notifications.models import Kind
from apps.notifications.services import notification_create, notification_delete, notifications_delete_for_tweet
from apps.tweets import selectors as tweet_selectors
from twitter.db.routing import PRIMARY
from twitter.event_types import FollowCreated, FollowDeleted, LikeCreated, LikeDeleted, TweetCreated, TweetDeleted
from twitter.task_base import ReliableTask

Payload = dict[str, Any]


@shared_task(base=ReliableTask, name="apps.notifications.tasks.follow_created_task")
def follow_created_task(event_id: int, payload: Payload) -> int:
    event = FollowCreated.from_payload(payload)
    follower, followee = event.follower_id, event.followee_id
    if not follow_selectors.follow_exists(follower_id=follower, followee_id=followee, using=PRIMARY):
        return 0
    return notification_create(recipient_id=followee, actor_id=follower, kind=Kind.FOLLOW, tweet_id=None)


@shared_task(base=ReliableTask, name="apps.notifications.tasks.follow_deleted_task")
def follow_deleted_task(event_id: int, payload: Payload) -> int:
    event = FollowDeleted.from_payload(payload)
    return notification_delete(
        recipient_id=event.followee_id, actor_id=event.follower_id, kind=Kind.FOLLOW, tweet_id=None
    )


@shared_task(base=ReliableTask, name="apps.notifications.tasks.like_created_task")
def like_created_task(event_id: int, payload: Payload) -> int:
    event = LikeCreated.from_payload(payload)
    user, tweet = event.user_id, event.tweet_id
    if not tweet_selectors.like_exists(user_id=user, tweet_id=tweet, using=PRIMARY):
        return 0
    return notification_create(recipient_id=event.tweet_author_id, actor_id=user, kind=Kind.LIKE, tweet_id=tweet)


@shared_task(base=ReliableTask, name="apps.notifications.tasks.like_deleted_task")
def like_deleted_task(event_id: int, payload: Payload) -> int:
    event = LikeDeleted.from_payload(payload)
    return notification_delete(
        recipient_id=event.tweet_author_id, actor_id=event.user_id, kind=Kind.LIKE, tweet_id=event.tweet_id
    )


@shared_task(base=ReliableTask, name="apps.notifications.tasks.tweet_created_task")
def tweet_created_task(event_id: int, payload: Payload) -> int:
    """A retweet notifies the original's author; a reply, the author replied to; a
    mention, each user mentioned (but not twice: a reply is not also a mention)."""
    event = TweetCreated.from_payload(payload)
    if not tweet_selectors.tweet_is_live(tweet_id=event.tweet_id, using=PRIMARY):
        return 0
    if event.retweet_of_id is not None:
        if event.retweet_of_author_id is None:
            return 0
        return notification_create(
            recipient_id=event.retweet_of_author_id,
            actor_id=event.author_id,
            kind=Kind.RETWEET,
            tweet_id=event.retweet_of_id,
        )
    made = 0
    replied_to = event.reply_to_user_id
    if replied_to is not None:
        made += notification_create(
            recipient_id=replied_to, actor_id=event.author_id, kind=Kind.REPLY, tweet_id=event.tweet_id
        )
    for user in event.mention_ids:
        if user != replied_to:
            made += notification_create(
                recipient_id=user, actor_id=event.author_id, kind=Kind.MENTION, tweet_id=event.tweet_id
            )
    return made


@shared_task(base=ReliableTask, name="apps.notifications.tasks.tweet_deleted_task")
def tweet_deleted_task(event_id: int, payload: Payload) -> int:
    event = TweetDeleted.from_payload(payload)
    removed = notifications_delete_for_tweet(tweet_id=event.tweet_id)
    if event.retweet_of_id is not None:
        removed += notification_delete(actor_id=event.author_id, kind=Kind.RETWEET, tweet_id=event.retweet_of_id)
    return removed
