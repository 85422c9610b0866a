"""read-API: followers and following lists, paginated by when the follow happened; the
signed-in user's blocks and mutes."""

from collections.abc import Callable

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from apps.follows import selectors
from apps.users import selectors as user_selectors
from apps.users.lists import user_list_response
from apps.users.serializers import UserOutputSerializer
from twitter.api.pagination import PAGE_PARAMETERS, PageParams, page_params
from twitter.api.views import ReadApiView, request_user_id


def _user_list(request: Request, user_id: int, page: Callable[..., list[tuple[int, int]]]) -> Response:
    user_selectors.user_get(user_id=user_id)  # 404 / 403 for unknown or suspended accounts
    params: PageParams = page_params(request)
    return user_list_response(request, page(user_id=user_id, params=params), params)


class FollowersApi(ReadApiView):
    @extend_schema(parameters=PAGE_PARAMETERS, responses={200: UserOutputSerializer(many=True)})
    def get(self, request: Request, user_id: int) -> Response:
        return _user_list(request, user_id, selectors.followers_page)


class FollowingApi(ReadApiView):
    @extend_schema(parameters=PAGE_PARAMETERS, responses={200: UserOutputSerializer(many=True)})
    def get(self, request: Request, user_id: int) -> Response:
        return _user_list(request, user_id, selectors.following_page)


class BlocksApi(ReadApiView):
    """The accounts you blocked, most recent first."""

    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=PAGE_PARAMETERS, responses={200: UserOutputSerializer(many=True)})
    def get(self, request: Request) -> Response:
        params = page_params(request)
        return user_list_response(
            request, selectors.blocks_page(user_id=request_user_id(request), params=params), params
        )


class MutesApi(ReadApiView):
    """The accounts you muted, most recent first."""

    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=PAGE_PARAMETERS, responses={200: UserOutputSerializer(many=True)})
    def get(self, request: Request) -> Response:
        params = page_params(request)
        return user_list_response(
            request, selectors.mutes_page(user_id=request_user_id(request), params=params), params
        )
