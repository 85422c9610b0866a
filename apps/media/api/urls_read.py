"""read-API: the bytes of locally stored media (the embedded default; with S3 storage
clients fetch from the bucket or the CDN, and this route does not exist)."""

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.urls import URLPattern, re_path
from django.views.static import serve


def media_file(request: HttpRequest, path: str) -> HttpResponseBase:
    return serve(request, path, document_root=settings.MEDIA_ROOT)


urlpatterns: list[URLPattern] = (
    []
    if settings.MEDIA_STORAGE == "s3"
    else [re_path(r"^media/(?P<path>\d+\.(?:jpg|png|gif|webp))$", media_file, name="media-file")]
)
