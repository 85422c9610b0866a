"""Responses of statuses: a page with its Link header, or one status."""

from collections.abc import Sequence
from typing import Any

import orjson
from django.http import HttpRequest, HttpResponse

from apps.mastodon.api.base import origin
from apps.mastodon.statuses import statuses
from apps.tweets import presentation
from twitter.api.pagination import PageParams, link_header
from twitter.errors import NotFoundError

STATUS_NOT_FOUND = "Record not found"


def json_response(body: Any, *, status: int = 200) -> HttpResponse:
    return HttpResponse(orjson.dumps(body), content_type="application/json", status=status)


def statuses_response(
    request: HttpRequest, shown: Sequence[presentation.Shown], params: PageParams, *, cursors: Sequence[int]
) -> HttpResponse:
    """A page of statuses; `cursors` (newest first) paginate it: the ids looked at, which
    may be more than those shown."""
    response = json_response(statuses(shown, origin(request)))
    header = link_header(request, cursors, params)
    if header:
        response["Link"] = header
    return response


def one_status(request: HttpRequest, tweet_id: int, *, viewer_id: int | None) -> dict[str, Any]:
    found = statuses(presentation.shown_by_id(tweet_ids=[tweet_id], viewer_id=viewer_id), origin(request))
    if not found:
        raise NotFoundError(STATUS_NOT_FOUND)
    return found[0]
