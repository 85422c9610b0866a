"""Routes both APIs serve: health, metrics, the OpenAPI schema and docs."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

import twitter.api.converters  # noqa: F401 - registers the <id:...> path converter
from twitter import health

health_urlpatterns = [
    path("health/live", health.live, name="health-live"),
    path("health/ready", health.ready, name="health-ready"),
]

common_urlpatterns = [
    *health_urlpatterns,
    # The whole API's schema (reads, writes, streaming), whichever API serves it.
    path("api/schema/", SpectacularAPIView.as_view(urlconf="config.urls_schema"), name="schema"),
    # The split view serves its script as a file, so a strict Content-Security-Policy holds.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="docs"),
    path("", include("django_prometheus.urls")),
]

handler400 = "twitter.api.errors.bad_request"
handler403 = "twitter.api.errors.permission_denied"
handler404 = "twitter.api.errors.not_found"
handler500 = "twitter.api.errors.server_error"
