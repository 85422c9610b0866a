"""The Mastodon-compatible API's origin: requests the gateway marks as arriving there
(`X-Client-API: mastodon`, set on the Mastodon port or server name, and cleared on the
native one so no client can set it) are resolved against settings.MASTODON_URLCONF, the
Mastodon URLs of this process's role, with or without a trailing slash (clients send
both, as Mastodon takes both). Everything else keeps the native URLs.

Errors answered before a view (admission's 401 and 429, a breaker's 503) come in the
native envelope; on this origin they leave in Mastodon's form, `{"error": "..."}`."""

from collections.abc import Callable
from typing import TypeVar

import orjson
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.urls import set_urlconf

from apps.mastodon.errors import message_of

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
            return in_mastodon_form(self.get_response(request))
        return self.get_response(request)


Response = TypeVar("Response", bound=HttpResponseBase)


def in_mastodon_form(response: Response) -> Response:
    """An error in the native envelope, reshaped to Mastodon's `{"error": "..."}`."""
    if response.status_code < 400 or not isinstance(response, HttpResponse):
        return response
    if not response.get("Content-Type", "").startswith("application/json"):
        return response
    try:
        body = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        return response
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):  # the native envelope: {"error": {"code", "message", "fields"}}
        response.content = orjson.dumps({"error": message_of(error)})
        if response.has_header("Content-Length"):
            response["Content-Length"] = str(len(response.content))
    return response
