from django.urls import path

from apps.mastodon import streaming

urlpatterns = [
    path("user", streaming.user, name="mastodon-streaming-user"),
    path("user/notification", streaming.user_notification, name="mastodon-streaming-notification"),
    path("direct", streaming.direct, name="mastodon-streaming-direct"),
    path("public", streaming.public, name="mastodon-streaming-public"),
    path("public/local", streaming.public, name="mastodon-streaming-public-local"),
    path("hashtag", streaming.hashtag, name="mastodon-streaming-hashtag"),
    path("hashtag/local", streaming.hashtag, name="mastodon-streaming-hashtag-local"),
    path("health", streaming.health, name="mastodon-streaming-health"),
]
