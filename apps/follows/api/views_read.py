"""read-API: followers and following lists, paginated by when the follow happened; the
signed-in user's blocks and mutes."""

from collections.abc import Callable

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from apps.follows import selectors, suggestions
from apps.users import selectors as user_selectors
from apps.users.lists import user_list_response
from apps.users.serializers import UserCardOutputSerializer, UserOutputSerializer
from twitter.api.fields import WholeNumberField
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


class SuggestionOutputSerializer(UserOutputSerializer):
    reason = serializers.ChoiceField(
        choices=["followed_by", "popular"],
        help_text="followed_by: accounts you follow follow them; popular: the graph gave too little.",
    )
    followed_by = UserCardOutputSerializer(many=True, help_text="Up to 3 of the accounts you follow who do.")


class SuggestionsApi(ReadApiView):
    """Who to follow, best first."""

    permission_classes = [IsAuthenticated]

    class QuerySerializer(serializers.Serializer):
        limit = WholeNumberField(required=False, min_value=1, max_value=suggestions.KEPT, default=10)

    @extend_schema(parameters=[QuerySerializer], responses={200: SuggestionOutputSerializer(many=True)})
    def get(self, request: Request) -> Response:
        query = self.QuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        found = suggestions.for_user(user_id=request_user_id(request), limit=query.validated_data["limit"])
        users = {user.pk: user for user in user_selectors.users_in_order(user_ids=[s.user_id for s in found])}
        cards = user_selectors.user_summaries(user_ids={f for s in found for f in s.followed_by})
        data = []
        for suggestion in found:
            user = users.get(suggestion.user_id)
            if user is None or user.is_suspended:
                continue
            item = dict(UserOutputSerializer(user).data)
            item["reason"] = suggestion.reason
            item["followed_by"] = [user_selectors.card(cards[f]) for f in suggestion.followed_by if f in cards]
            data.append(item)
        return Response(data)
