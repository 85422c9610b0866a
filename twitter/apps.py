from django.apps import AppConfig


class TwitterConfig(AppConfig):
    name = "twitter"
    verbose_name = "Platform kernel"
    default_auto_field = "django.db.models.BigAutoField"
