from django.urls import path

from apps.mastodon import streaming
from apps.mastodon.middleware import in_mastodon_form
from twitter.api.methods import Stream, get_only


def _get(view: Stream) -> Stream:
    """GET and HEAD only; another method is a 405 in Mastodon's error form."""
    return get_only(view, shape=in_mastodon_form)


urlpatterns = [
    path("user", _get(streaming.user), name="mastodon-streaming-user"),
    path("user/notification", _get(streaming.user_notification), name="mastodon-streaming-notification"),
    path("direct", _get(streaming.direct), name="mastodon-streaming-direct"),
    path("public", _get(streaming.public), name="mastodon-streaming-public"),
    path("public/local", _get(streaming.public), name="mastodon-streaming-public-local"),
    path("hashtag", _get(streaming.hashtag), name="mastodon-streaming-hashtag"),
    path("hashtag/local", _get(streaming.hashtag), name="mastodon-streaming-hashtag-local"),
    path("health", _get(streaming.health), name="mastodon-streaming-health"),
]
