"""The methods a route takes across the API's processes.

The gateway sends GET and HEAD to the read-API and every other method to the write-API,
so each process serves one half of a route and knows only that half: a POST to a route
only the read-API serves reaches the write-API, which has no such URL, and an `Allow` a
process writes names its own methods only. `MethodsAcrossRolesMiddleware` answers as the
one API would: such a request is a 405, and `Allow` (on a 405 and on OPTIONS) lists the
methods of both halves (settings.API_URLCONF_PAIRS: each origin's read and write URLs).
"""

import functools
from collections.abc import Callable, Coroutine
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.urls import Resolver404, resolve

from twitter.api.errors import error_response


def _methods_of(view: Callable[..., Any], *, read: bool) -> set[str]:
    view_class = getattr(view, "view_class", None)
    if view_class is None:  # a function: the read-API gets GET and HEAD only; else unknown
        return {"GET", "HEAD"} if read else set()
    methods = {name.upper() for name in view_class.http_method_names if name != "options" and hasattr(view_class, name)}
    if "GET" in methods:
        methods.add("HEAD")
    return methods | {"OPTIONS"} if methods else methods


def allowed_methods(request: HttpRequest) -> set[str]:
    """What the request's route takes on either API (empty: no such route, or unknown)."""
    current = getattr(request, "urlconf", None) or settings.ROOT_URLCONF
    pair = next((pair for pair in settings.API_URLCONF_PAIRS if current in pair), None)
    if pair is None:
        return set()
    methods: set[str] = set()
    for position, urlconf in enumerate(pair):
        try:
            match = resolve(request.path_info, urlconf)
        except Resolver404:
            continue
        methods |= _methods_of(match.func, read=position == 0)
    return methods


_CHECKED_AFTER = frozenset({"GET", "HEAD", "POST", "OPTIONS"})


def _refused(methods: set[str]) -> HttpResponse:
    response = error_response(405, "method_not_allowed", "This method is not allowed here.")
    response["Allow"] = ", ".join(sorted(methods))
    return response


class MethodsAcrossRolesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in _CHECKED_AFTER:
            # Refused before anything else looks (a CSRF check would answer 403 first); the
            # common methods are checked only when their answer says the route is missing.
            methods = allowed_methods(request)
            if methods and request.method not in methods:
                return _refused(methods)
        response = self.get_response(request)
        if response.status_code not in (404, 405) and request.method != "OPTIONS":
            return response
        methods = allowed_methods(request)
        if not methods:
            return response
        if response.status_code == 404 and request.method not in methods:
            return _refused(methods)
        if response.status_code == 404 and request.method == "OPTIONS":  # a route of the other half
            response = HttpResponse(status=200)
        if response.status_code == 405 or request.method == "OPTIONS":
            response["Allow"] = ", ".join(sorted(methods))
        return response


Stream = Callable[..., Coroutine[Any, Any, HttpResponseBase]]


def get_only(view: Stream, *, shape: Callable[[HttpResponse], HttpResponse] = lambda response: response) -> Stream:
    """An async view of the streaming process (where no middleware runs): GET and HEAD; any
    other method a 405 (its body made by `shape`, for an origin with its own error form)."""

    @functools.wraps(view)
    async def only_get(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.method not in ("GET", "HEAD"):
            return shape(_refused({"GET", "HEAD"}))
        return await view(request, *args, **kwargs)

    return only_get
