from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "apps.notifications"
    label = "notifications"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from apps.notifications import tasks
        from twitter import events
        from twitter.event_types import (
            FollowCreated,
            FollowDeleted,
            LikeCreated,
            LikeDeleted,
            TweetCreated,
            TweetDeleted,
        )

        def notifies(event: TweetCreated) -> bool:
            """A tweet notifies only when it retweets, replies or mentions."""
            return bool(event.retweet_of_id or event.reply_to_user_id or event.mention_ids)

        events.subscribe(TweetCreated, tasks.tweet_created_task, when=notifies)
        events.subscribe(TweetDeleted, tasks.tweet_deleted_task)
        events.subscribe(LikeCreated, tasks.like_created_task)
        events.subscribe(LikeDeleted, tasks.like_deleted_task)
        events.subscribe(FollowCreated, tasks.follow_created_task)
        events.subscribe(FollowDeleted, tasks.follow_deleted_task)
