"""What Mastodon's app registration adds to an OAuth application: the scopes it may ask
for and its website (the OAuth client itself is django-oauth-toolkit's Application)."""

from django.db import models
from oauth2_provider.models import Application


class ClientApp(models.Model):
    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="mastodon")
    scopes = models.CharField(max_length=1024)  # space-separated (apps.mastodon.scopes)
    website = models.URLField(max_length=500, blank=True)

    def __str__(self) -> str:
        return f"{self.application.name} ({self.scopes})"
