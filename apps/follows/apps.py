from django.apps import AppConfig


class FollowsConfig(AppConfig):
    name = "apps.follows"
    label = "follows"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from apps.follows import tasks
        from twitter import events
        from twitter.event_types import BlockCreated, FollowCreated, MuteCreated

        events.subscribe(FollowCreated, tasks.suggestions_after_follow_task)
        events.subscribe(BlockCreated, tasks.suggestions_after_block_task)
        events.subscribe(MuteCreated, tasks.suggestions_after_mute_task)
