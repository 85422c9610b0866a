"""write-API, Mastodon-compatible origin (apps.mastodon): mutations, and OAuth's sign-in and
consent pages."""

from django.urls import include, path

from config.urls_common import health_urlpatterns

urlpatterns = [path("", include("apps.mastodon.api.urls_write")), *health_urlpatterns]

handler400 = "apps.mastodon.errors.bad_request"
handler403 = "apps.mastodon.errors.permission_denied"
handler404 = "apps.mastodon.errors.not_found"
handler500 = "apps.mastodon.errors.server_error"
