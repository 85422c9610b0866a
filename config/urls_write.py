"""write-API: mutations, auth, Django admin."""

from django.contrib import admin
from django.urls import include, path

from config.urls_common import common_urlpatterns, handler400, handler403, handler404, handler500

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("apps.users.api.urls_write")),
    path("api/v1/", include("apps.follows.api.urls_write")),
    path("api/v1/", include("apps.tweets.api.urls_write")),
    path("api/v1/", include("apps.notifications.api.urls_write")),
    path("api/v1/", include("apps.messages.api.urls_write")),
    path("api/v1/", include("apps.media.api.urls_write")),
    *common_urlpatterns,
]

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
