"""Responses made of pre-serialized JSON items (tweets), and who is asking."""

from collections.abc import Sequence
from typing import Protocol

from django.http import HttpRequest, HttpResponse
from rest_framework.request import Request

from twitter.api.pagination import PageParams, link_header
from twitter.api.views import request_user_id


class JsonPage(Protocol):
    """A page of items already serialized (e.g. apps.tweets.presentation.Page)."""

    @property
    def ids(self) -> list[int]: ...

    def json(self) -> bytes: ...


def json_page(
    request: HttpRequest, page: JsonPage, params: PageParams, cursors: Sequence[int] | None = None
) -> HttpResponse:
    """A page of items as the response body, with its Link header; `cursors` are the ids
    that paginate it when they are not the items' own (e.g. like ids), newest first."""
    response = HttpResponse(page.json(), content_type="application/json")
    header = link_header(request, page.ids if cursors is None else cursors, params)
    if header:
        response["Link"] = header
    return response


def viewer_of(request: Request) -> int | None:
    """The signed-in user asking, or None for an anonymous request."""
    return request_user_id(request) if request.user is not None and request.user.is_authenticated else None
