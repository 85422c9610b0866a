from django.apps import AppConfig


class DevtoolsConfig(AppConfig):
    """Development and benchmark commands (`seed`, `bench`). They write through each
    context's bulk loaders and services; this app owns no table."""

    name = "apps.devtools"
    label = "devtools"
    default_auto_field = "django.db.models.BigAutoField"
