from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "apps.notifications"
    label = "notifications"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from twitter import events

        for event_type in ("tweet.created", "tweet.deleted", "like.created", "like.deleted"):
            task = event_type.replace(".", "_")
            events.subscribe(event_type, f"apps.notifications.tasks.{task}_task")
        events.subscribe("follow.created", "apps.notifications.tasks.follow_created_task")
        events.subscribe("follow.deleted", "apps.notifications.tasks.follow_deleted_task")
