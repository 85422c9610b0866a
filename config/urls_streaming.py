"""streaming: Server-Sent Events under an ASGI server (the gateway sends /api/v1/streaming/ here)."""

from django.urls import include, path

from twitter import health

urlpatterns = [
    path("api/v1/", include("apps.streaming.urls")),
    # The Mastodon origin's streams: the gateway sends its /api/v1/streaming/ here.
    path("mastodon/api/v1/streaming/", include("apps.mastodon.streaming_urls")),
    path("health/live", health.live, name="health-live"),
    path("", include("django_prometheus.urls")),  # /metrics: open streams, among others
]

handler404 = "apps.streaming.views.not_found"
handler400 = "twitter.api.errors.bad_request"
handler500 = "twitter.api.errors.server_error"
