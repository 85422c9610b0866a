"""read-API: the home timeline and user timelines, as pre-serialized JSON."""

from django.http import HttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request

from apps.timelines import selectors
from apps.tweets.serializers import TweetOutputSerializer
from apps.users import selectors as user_selectors
from twitter.api.pages import json_page, viewer_of
from twitter.api.pagination import PAGE_PARAMETERS, page_params
from twitter.api.views import ReadApiView, request_user_id


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
