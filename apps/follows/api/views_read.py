"""read-API: followers and following lists, paginated by when the follow happened."""

from collections.abc import Callable

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from apps.follows import selectors
from apps.users import selectors as user_selectors
from apps.users.api.serializers import UserOutputSerializer
from twitter.api.pagination import PageParams, page_params, paginated_response
from twitter.api.views import ReadApiView

PAGE_PARAMETERS = [
    OpenApiParameter(name, int if name == "limit" else str, required=False)
    for name in ("limit", "max_id", "since_id", "min_id")
]


def _user_list(request: Request, user_id: int, page: Callable[..., list[tuple[int, int]]]) -> Response:
    user_selectors.user_get(user_id=user_id)  # 404 / 403 for unknown or suspended accounts
    params: PageParams = page_params(request)
    pairs = page(user_id=user_id, params=params)
    users = user_selectors.users_in_order(user_ids=[other for _, other in pairs])
    data = UserOutputSerializer(users, many=True).data
    return paginated_response(request, list(data), [follow_id for follow_id, _ in pairs], params)


class FollowersApi(ReadApiView):
    @extend_schema(parameters=PAGE_PARAMETERS, responses={200: UserOutputSerializer(many=True)})
    def get(self, request: Request, user_id: int) -> Response:
        return _user_list(request, user_id, selectors.followers_page)


class FollowingApi(ReadApiView):
    @extend_schema(parameters=PAGE_PARAMETERS, responses={200: UserOutputSerializer(many=True)})
    def get(self, request: Request, user_id: int) -> Response:
        return _user_list(request, user_id, selectors.following_page)
