"""read-API: the home timeline and user timelines, as pre-serialized JSON."""

from collections.abc import Sequence

from django.http import HttpRequest, HttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request

from apps.timelines import selectors
from apps.tweets.api.serializers import TweetOutputSerializer
from apps.users import selectors as user_selectors
from twitter.api.pagination import PAGE_PARAMETERS, PageParams, link_header, page_params
from twitter.api.views import ReadApiView, request_user_id


def json_page(
    request: HttpRequest, page: selectors.Page, params: PageParams, cursors: Sequence[int] | None = None
) -> HttpResponse:
    """A page of tweets; `cursors` are the ids that paginate it when they are not the
    tweets' own (e.g. like ids), newest first."""
    response = HttpResponse(page.json(), content_type="application/json")
    header = link_header(request, page.ids if cursors is None else cursors, params)
    if header:
        response["Link"] = header
    return response


def viewer_of(request: Request) -> int | None:
    return request_user_id(request) if request.user is not None and request.user.is_authenticated else None


class HomeTimelineApi(ReadApiView):
    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=PAGE_PARAMETERS, responses={200: TweetOutputSerializer(many=True)})
    def get(self, request: Request) -> HttpResponse:
        params = page_params(request)
        page = selectors.home_page(viewer_id=request_user_id(request), params=params)
        return json_page(request, page, params)


class UserTweetsApi(ReadApiView):
    @extend_schema(parameters=PAGE_PARAMETERS, responses={200: TweetOutputSerializer(many=True)})
    def get(self, request: Request, user_id: int) -> HttpResponse:
        user_selectors.user_get(user_id=user_id)
        params = page_params(request)
        page = selectors.user_page(user_id=user_id, viewer_id=viewer_of(request), params=params)
        return json_page(request, page, params)
