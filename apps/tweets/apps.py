from django.apps import AppConfig


class TweetsConfig(AppConfig):
    name = "apps.tweets"
    label = "tweets"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from twitter import events

        events.subscribe("tweet.created", "apps.tweets.tasks.hashtags_count_task")
        events.subscribe("tweet.deleted", "apps.tweets.tasks.hashtags_uncount_task")
