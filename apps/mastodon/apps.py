from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_delete


class MastodonConfig(AppConfig):
    """A Mastodon-compatible client API over the other contexts' services and selectors."""

    name = "apps.mastodon"
    label = "mastodon"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from oauth2_provider.models import AccessToken

        from apps.mastodon import oauth

        def revoked(sender: Any, instance: AccessToken, **kwargs: Any) -> None:
            oauth.token_revoked(instance)

        post_delete.connect(revoked, sender=AccessToken, dispatch_uid="mastodon-token-revoked", weak=False)
