from django.apps import AppConfig


class TimelinesConfig(AppConfig):
    name = "apps.timelines"
    label = "timelines"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from apps.timelines import handlers, tasks  # noqa: F401  # handlers register on import
        from twitter import events
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

        events.subscribe(TweetCreated, tasks.tweet_created_task)
        events.subscribe(TweetDeleted, tasks.tweet_deleted_task)
        events.subscribe(LikeCreated, tasks.like_created_task)
        events.subscribe(LikeDeleted, tasks.like_deleted_task)
        events.subscribe(FollowCreated, tasks.follow_created_task)
        events.subscribe(FollowDeleted, tasks.follow_deleted_task)
        events.subscribe(UserSuspended, tasks.user_suspended_task)
        events.subscribe(UserUnsuspended, tasks.user_unsuspended_task)
        events.subscribe(UserProfileUpdated, tasks.user_profile_updated_task)
        events.subscribe(BlockCreated, tasks.block_created_task)
        events.subscribe(BlockDeleted, tasks.block_deleted_task)
        events.subscribe(MuteCreated, tasks.mute_created_task)
        events.subscribe(MuteDeleted, tasks.mute_deleted_task)
        # One part per message: parts are there to be taken by several workers at once.
        events.subscribe(FanOutPartDue, tasks.fan_out_part_task, batched=False)
