"""The Mastodon-compatible API's origin: requests the gateway marks as arriving there
(`X-Client-API: mastodon`, set on the Mastodon port or server name, and cleared on the
native one so no client can set it) are resolved against settings.MASTODON_URLCONF, the
Mastodon URLs of this process's role, with or without a trailing slash (clients send
both, as Mastodon takes both). Everything else keeps the native URLs."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import set_urlconf

HEADER = "HTTP_X_CLIENT_API"


def is_mastodon(request: HttpRequest) -> bool:
    return request.META.get(HEADER) == "mastodon"


class MastodonOriginMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if is_mastodon(request):
            urlconf = settings.MASTODON_URLCONF
            request.urlconf = urlconf
            set_urlconf(urlconf)
            if len(request.path_info) > 1 and request.path_info.endswith("/"):
                request.path_info = (
                    request.path_info.rstrip("/") or "/"
                )  # what the middleware after this one resolve against too
        return self.get_response(request)
