"""The Mastodon home timeline's hot path on the read-API, as the native one has
(apps.timelines.api.hot_path): `GET /api/v1/timelines/home` on the Mastodon origin, for a
token that verifies and grants `read:statuses`, answered without URL resolving or DRF's
view machinery, by the same calls as `HomeTimelineApi` (so the same bytes). Anything else
(another path, no or a bad token, bad parameters, an error) goes on down the stack, which
answers it in full.
"""

import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from prometheus_client import Counter

from apps.mastodon import scopes as scope_rules
from apps.mastodon.api.pages import statuses_response
from apps.mastodon.middleware import is_mastodon
from apps.timelines import selectors as timeline_selectors
from twitter import logging as logs
from twitter.api.auth import request_access
from twitter.api.pagination import page_params
from twitter.db import routing

logger = logging.getLogger(__name__)

PATH = "/api/v1/timelines/home"

HOT_PATH_REQUESTS = Counter(
    "twitter_mastodon_home_hot_path_requests_total",
    "Home timeline requests on the Mastodon-compatible API, by path taken",
    ["path"],
)


class MastodonHomeHotPathMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method != "GET" or request.path_info.rstrip("/") != PATH or not is_mastodon(request):
            return self.get_response(request)
        access = request_access(request, oauth=True)
        if access is None or (access.scopes is not None and not scope_rules.covers(access.scopes, "read:statuses")):
            HOT_PATH_REQUESTS.labels(path="full").inc()
            return self.get_response(request)
        try:
            params = page_params(request)
            routing.set_viewer(access.user_id)
            shown = timeline_selectors.home_tweets(viewer_id=access.user_id, params=params)
            response = statuses_response(request, shown, params, cursors=[tweet.id for tweet in shown])
        except Exception:  # answered again by the full stack, in its error format
            logger.debug("Mastodon home hot path declined", exc_info=True)
            HOT_PATH_REQUESTS.labels(path="full").inc()
            return self.get_response(request)
        HOT_PATH_REQUESTS.labels(path="hot").inc()
        logs.bind(route=PATH, user_id=access.user_id)
        response["Allow"] = "GET, HEAD, OPTIONS"
        return response
