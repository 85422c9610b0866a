from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "apps.notifications"
    label = "notifications"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from twitter import events

        # A tweet notifies only when it retweets, replies or mentions.
        events.subscribe(
            "tweet.created",
            "apps.notifications.tasks.tweet_created_task",
            when=lambda payload: bool(
                payload.get("retweet_of_id") or payload.get("reply_to_user_id") or payload.get("mention_ids")
            ),
        )
        for event_type in ("tweet.deleted", "like.created", "like.deleted"):
            task = event_type.replace(".", "_")
            events.subscribe(event_type, f"apps.notifications.tasks.{task}_task")
        events.subscribe("follow.created", "apps.notifications.tasks.follow_created_task")
        events.subscribe("follow.deleted", "apps.notifications.tasks.follow_deleted_task")
