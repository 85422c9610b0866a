from django.apps import AppConfig


class TweetsConfig(AppConfig):
    name = "apps.tweets"
    label = "tweets"
    default_auto_field = "django.db.models.BigAutoField"
