from django.apps import AppConfig


class TweetsConfig(AppConfig):
    name = "apps.tweets"
    label = "tweets"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from apps.tweets import tasks
        from twitter import events
        from twitter.event_types import TweetCreated, TweetDeleted

        def tagged(event: TweetCreated | TweetDeleted) -> bool:
            return bool(event.hashtags)

        events.subscribe(TweetCreated, tasks.hashtags_count_task, when=tagged)
        events.subscribe(TweetDeleted, tasks.hashtags_uncount_task, when=tagged)
