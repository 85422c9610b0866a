"""streaming: Server-Sent Events under an ASGI server (the gateway sends /api/v1/streaming/ here)."""

from django.http import HttpRequest, JsonResponse
from django.urls import include, path

from apps.mastodon import errors as mastodon_errors
from apps.mastodon import streaming as mastodon_streaming
from apps.mastodon.middleware import in_mastodon_form
from apps.streaming import views as streaming_views
from twitter import health
from twitter.api.methods import get_only

urlpatterns = [
    path("api/v1/", include("apps.streaming.urls")),
    # The Mastodon origin's streams: the gateway sends its /api/v1/streaming/ here.
    path("mastodon/api/v1/streaming/", include("apps.mastodon.streaming_urls")),
    path(
        "mastodon/api/v1/streaming",
        get_only(mastodon_streaming.websocket_only, shape=in_mastodon_form),
        name="mastodon-streaming-http",
    ),
    path("health/live", health.live, name="health-live"),
    path("", include("django_prometheus.urls")),  # /metrics: open streams, among others
]


def not_found(request: HttpRequest, exception: Exception) -> JsonResponse:
    """In Mastodon's form under that origin's prefix, in the native one elsewhere."""
    if request.path.startswith("/mastodon/"):
        return mastodon_errors.not_found(request, exception)
    return streaming_views.not_found(request, exception)


handler404 = "config.urls_streaming.not_found"
handler400 = "twitter.api.errors.bad_request"
handler500 = "twitter.api.errors.server_error"
