from django.urls import path

from apps.mastodon import streaming

urlpatterns = [
    path("user", streaming.user, name="mastodon-streaming-user"),
    path("user/notification", streaming.user_notification, name="mastodon-streaming-notification"),
    path("direct", streaming.direct, name="mastodon-streaming-direct"),
    path("health", streaming.health, name="mastodon-streaming-health"),
]
