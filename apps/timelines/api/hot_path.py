"""The home timeline's hot path on the read-API: the request clients make most.

A middleware of the read-API that answers `GET /api/v1/timelines/home` for a viewer whose
bearer token verifies, without the rest of the stack: no URL resolving, no DRF view
machinery (content negotiation, permission and throttle checks, response finalizing),
no per-view metrics. It runs after the middleware that give every response its request
id, security headers and length, and it calls what the DRF view calls: the same
authentication class, `page_params`, `selectors.home_page` and `json_page`, so the bytes
are the same (tests/timelines/test_hot_path.py compares the two paths).

Anything else goes on down the stack unchanged: other paths and methods, a missing or
invalid token, bad parameters, and any error (the full stack then answers it, with its
error format and logging).
"""

import functools
import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.urls import NoReverseMatch, get_urlconf, reverse
from prometheus_client import Counter

from apps.timelines import selectors
from apps.timelines.api.views_read import HomeTimelineApi
from twitter import logging as logs
from twitter.api.auth import request_access
from twitter.api.pages import json_page
from twitter.api.pagination import page_params
from twitter.db import routing

logger = logging.getLogger(__name__)

HOT_PATH_REQUESTS = Counter(
    "twitter_home_hot_path_requests_total",
    "Home timeline requests on the read-API, by path taken",
    ["path"],
)


def _allow_header() -> str:
    """The Allow header DRF gives the view's responses (set up as per request: HEAD is GET)."""
    view = HomeTimelineApi()
    view.setup(HttpRequest())
    return ", ".join(view.allowed_methods)


_ALLOW = _allow_header()


@functools.cache
def _home_path(urlconf: str | None) -> str | None:
    try:
        return reverse("timelines-home", urlconf=urlconf)
    except NoReverseMatch:
        return None


class HomeTimelineHotPathMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method != "GET" or request.path_info != _home_path(get_urlconf()):
            return self.get_response(request)
        response = self._answer(request)
        if response is None:
            HOT_PATH_REQUESTS.labels(path="full").inc()
            return self.get_response(request)
        HOT_PATH_REQUESTS.labels(path="hot").inc()
        logs.bind(route=request.path_info)  # no URL resolving here: the path is the route's pattern
        return response

    def _viewer(self, request: HttpRequest) -> int | None:
        """The viewer of a token the admission middleware verified; a missing or invalid
        token goes down the stack, where DRF answers it with its 401."""
        access = request_access(request)
        return access.user_id if access is not None else None

    def _answer(self, request: HttpRequest) -> HttpResponse | None:
        viewer_id = self._viewer(request)
        if viewer_id is None:
            return None
        try:
            params = page_params(request)
            routing.set_viewer(viewer_id)
            page = selectors.home_page(viewer_id=viewer_id, params=params)
            response = json_page(request, page, params)
        except Exception:  # answered again by the full stack, in its error format
            logger.debug("home timeline hot path declined", exc_info=True)
            return None
        response["Allow"] = _ALLOW
        return response
