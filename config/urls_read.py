"""read-API: every GET/HEAD."""

from django.urls import include, path

from config.urls_common import common_urlpatterns, handler400, handler403, handler404, handler500

urlpatterns = [
    path("api/v1/", include("apps.users.api.urls_read")),
    path("api/v1/", include("apps.follows.api.urls_read")),
    path("api/v1/", include("apps.tweets.api.urls_read")),
    path("api/v1/", include("apps.notifications.api.urls_read")),
    path("api/v1/", include("apps.timelines.api.urls_read")),
    path("api/v1/", include("apps.search.api.urls_read")),
    path("api/v1/", include("apps.messages.api.urls_read")),
    path("", include("apps.media.api.urls_read")),
    *common_urlpatterns,
]

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
