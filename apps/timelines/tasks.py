"""Consumers of outbox events for timelines. Thin: read the event, call one service."""

from typing import Any

from celery import shared_task

from apps.timelines import services
from twitter.event_types import (
    BlockCreated,
    BlockDeleted,
    FanOutPartDue,
    FollowCreated,
    FollowDeleted,
    LikeCreated,
    LikeDeleted,
    MuteCreated,
    MuteDeleted,
    TweetCreated,
    TweetDeleted,
    UserProfileUpdated,
    UserSuspended,
    UserUnsuspended,
)
from twitter.task_base import ReliableTask

Payload = dict[str, Any]


@shared_task(base=ReliableTask, name="apps.timelines.tasks.tweet_created_task")
def tweet_created_task(event_id: int, payload: Payload) -> int:
    event = TweetCreated.from_payload(payload)
    return services.tweet_fan_out(
        tweet_id=event.tweet_id,
        author_id=event.author_id,
        reply_to_id=event.reply_to_id,
        reply_to_user_id=event.reply_to_user_id,
        retweet_of_id=event.retweet_of_id,
        hashtags=event.hashtags,
    )


@shared_task(base=ReliableTask, name="apps.timelines.tasks.fan_out_part_task")
def fan_out_part_task(event_id: int, payload: Payload) -> int:
    """One part of a big audience's fan-out (see `services.tweet_fan_out`)."""
    event = FanOutPartDue.from_payload(payload)
    return services.fan_out_part(
        tweet_id=event.tweet_id,
        author_id=event.author_id,
        after_follower_id=event.after_follower_id,
        last_follower_id=event.last_follower_id,
        reply_to_user_id=event.reply_to_user_id,
        retweet_of_id=event.retweet_of_id,
    )


@shared_task(base=ReliableTask, name="apps.timelines.tasks.tweet_deleted_task")
def tweet_deleted_task(event_id: int, payload: Payload) -> int:
    event = TweetDeleted.from_payload(payload)
    return services.tweet_remove(
        tweet_id=event.tweet_id,
        author_id=event.author_id,
        reply_to_id=event.reply_to_id,
        retweet_of_id=event.retweet_of_id,
    )


@shared_task(base=ReliableTask, name="apps.timelines.tasks.like_created_task")
def like_created_task(event_id: int, payload: Payload) -> None:
    event = LikeCreated.from_payload(payload)
    services.like_changed(user_id=event.user_id, tweet_id=event.tweet_id, liked=True)


@shared_task(base=ReliableTask, name="apps.timelines.tasks.like_deleted_task")
def like_deleted_task(event_id: int, payload: Payload) -> None:
    event = LikeDeleted.from_payload(payload)
    services.like_changed(user_id=event.user_id, tweet_id=event.tweet_id, liked=False)


@shared_task(base=ReliableTask, name="apps.timelines.tasks.follow_created_task")
def follow_created_task(event_id: int, payload: Payload) -> None:
    event = FollowCreated.from_payload(payload)
    services.follow_merge(follower_id=event.follower_id, followee_id=event.followee_id)
    if services.celebrity_check(user_id=event.followee_id):  # this follow crossed the threshold
        services.celebrity_promote(user_id=event.followee_id)


@shared_task(base=ReliableTask, name="apps.timelines.tasks.follow_deleted_task")
def follow_deleted_task(event_id: int, payload: Payload) -> None:
    event = FollowDeleted.from_payload(payload)
    services.unfollow_remove(follower_id=event.follower_id, followee_id=event.followee_id)


@shared_task(base=ReliableTask, name="apps.timelines.tasks.user_suspended_task")
def user_suspended_task(event_id: int, payload: Payload) -> None:
    services.user_suspension_changed(user_id=UserSuspended.from_payload(payload).user_id, suspended=True)


@shared_task(base=ReliableTask, name="apps.timelines.tasks.user_unsuspended_task")
def user_unsuspended_task(event_id: int, payload: Payload) -> None:
    services.user_suspension_changed(user_id=UserUnsuspended.from_payload(payload).user_id, suspended=False)


@shared_task(base=ReliableTask, name="apps.timelines.tasks.user_profile_updated_task")
def user_profile_updated_task(event_id: int, payload: Payload) -> None:
    services.author_changed(user_id=UserProfileUpdated.from_payload(payload).user_id)


@shared_task(base=ReliableTask, name="apps.timelines.tasks.block_created_task")
def block_created_task(event_id: int, payload: Payload) -> None:
    event = BlockCreated.from_payload(payload)
    services.block_settle(user_id=event.blocker_id, other_id=event.blocked_id)


@shared_task(base=ReliableTask, name="apps.timelines.tasks.block_deleted_task")
def block_deleted_task(event_id: int, payload: Payload) -> None:
    event = BlockDeleted.from_payload(payload)
    services.block_settle(user_id=event.blocker_id, other_id=event.blocked_id)


@shared_task(base=ReliableTask, name="apps.timelines.tasks.mute_created_task")
def mute_created_task(event_id: int, payload: Payload) -> None:
    event = MuteCreated.from_payload(payload)
    services.mute_settle(muter_id=event.muter_id, muted_id=event.muted_id)


@shared_task(base=ReliableTask, name="apps.timelines.tasks.mute_deleted_task")
def mute_deleted_task(event_id: int, payload: Payload) -> None:
    event = MuteDeleted.from_payload(payload)
    services.mute_settle(muter_id=event.muter_id, muted_id=event.muted_id)


@shared_task(base=ReliableTask, name="apps.timelines.tasks.celebrities_sync_task")
def celebrities_sync_task() -> tuple[int, int]:
    return services.celebrities_sync()
