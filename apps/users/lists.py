"""Paginated lists of users (followers, following, who liked a tweet)."""

from rest_framework.request import Request
from rest_framework.response import Response

from apps.users import selectors
from apps.users.serializers import UserOutputSerializer
from twitter.api.pagination import PageParams, paginated_response


def user_list_response(request: Request, pairs: list[tuple[int, int]], params: PageParams) -> Response:
    """A page of users from (cursor id, user id) pairs, newest first; the cursor ids (the
    follow or like ids) paginate the list."""
    users = [user for user in selectors.users_in_order(user_ids=[other for _, other in pairs]) if not user.is_suspended]
    data = UserOutputSerializer(users, many=True).data
    return paginated_response(request, list(data), [cursor for cursor, _ in pairs], params)
