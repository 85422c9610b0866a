"""read-API, Mastodon-compatible origin (apps.mastodon): every GET/HEAD there, and this
origin's OpenAPI schema and docs."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from apps.mastodon.api import schema
from config.urls_common import health_urlpatterns

urlpatterns = [
    path("", include("apps.mastodon.api.urls_read")),
    *health_urlpatterns,
    path(
        "api/schema",
        SpectacularAPIView.as_view(urlconf="config.urls_mastodon_schema", custom_settings=schema.SETTINGS),
        name="mastodon-schema",
    ),
    path("api/docs", SpectacularSwaggerSplitView.as_view(url_name="mastodon-schema"), name="mastodon-docs"),
]

handler400 = "apps.mastodon.errors.bad_request"
handler403 = "apps.mastodon.errors.permission_denied"
handler404 = "apps.mastodon.errors.not_found"
handler500 = "apps.mastodon.errors.server_error"
