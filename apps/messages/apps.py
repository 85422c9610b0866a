from django.apps import AppConfig


class MessagesConfig(AppConfig):
    name = "apps.messages"
    label = "direct_messages"  # "messages" is django.contrib.messages'
    verbose_name = "direct messages"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from apps.messages import tasks
        from twitter import events
        from twitter.event_types import MessageCreated, MessageDeleted

        events.subscribe(MessageCreated, tasks.message_created_task)
        events.subscribe(MessageDeleted, tasks.message_deleted_task)
