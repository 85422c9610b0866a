"""The Mastodon-compatible origin's whole API in one URLconf, for its OpenAPI schema only
(never served): the write-API's routes and the read-API's. OAuth's endpoints and pages,
the instance and the streams are added by `apps.mastodon.api.schema.add_routes`."""

from django.urls import include, path

import twitter.api.converters  # noqa: F401 - registers the <id:...> path converter

urlpatterns = [path("", include("apps.mastodon.api.urls_write")), path("", include("apps.mastodon.api.urls_read"))]
