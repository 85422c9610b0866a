"""read-API, Mastodon-compatible origin (apps.mastodon): every GET/HEAD there."""

from django.urls import include, path

from config.urls_common import health_urlpatterns

urlpatterns = [path("", include("apps.mastodon.api.urls_read")), *health_urlpatterns]

handler400 = "apps.mastodon.errors.bad_request"
handler403 = "apps.mastodon.errors.permission_denied"
handler404 = "apps.mastodon.errors.not_found"
handler500 = "apps.mastodon.errors.server_error"
