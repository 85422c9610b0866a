from typing import Any

from django.apps import AppConfig


class TweetsConfig(AppConfig):
    name = "apps.tweets"
    label = "tweets"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from twitter import events

        def tagged(payload: dict[str, Any]) -> bool:
            return bool(payload.get("hashtags"))

        events.subscribe("tweet.created", "apps.tweets.tasks.hashtags_count_task", when=tagged)
        events.subscribe("tweet.deleted", "apps.tweets.tasks.hashtags_uncount_task", when=tagged)
