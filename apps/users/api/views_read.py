"""read-API views of the users context: profiles."""

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from apps.follows import selectors as follow_selectors
from apps.users import selectors
from apps.users.models import User
from apps.users.serializers import UserMeOutputSerializer, UserOutputSerializer, UserProfileOutputSerializer
from twitter.api.views import ReadApiView, request_user_id


class UserMeApi(ReadApiView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: UserMeOutputSerializer})
    def get(self, request: Request) -> Response:
        user = selectors.user_get_me(user_id=request_user_id(request))
        return Response(UserMeOutputSerializer(user).data)


def _profile(request: Request, user: User) -> Response:
    """A public profile; for a signed-in viewer, also whether they follow, block and mute
    this user."""
    data = dict(UserOutputSerializer(user).data)
    if request.user is not None and request.user.is_authenticated:
        viewer_id = request_user_id(request)
        data["following"] = viewer_id != user.pk and follow_selectors.follow_exists(
            follower_id=viewer_id, followee_id=user.pk
        )
        data["blocking"], data["muting"] = follow_selectors.relationship(viewer_id=viewer_id, user_id=user.pk)
    return Response(data)


class UserDetailApi(ReadApiView):
    @extend_schema(responses={200: UserProfileOutputSerializer})
    def get(self, request: Request, user_id: int) -> Response:
        return _profile(request, selectors.user_get(user_id=user_id))


class UserByUsernameApi(ReadApiView):
    @extend_schema(responses={200: UserProfileOutputSerializer})
    def get(self, request: Request, username: str) -> Response:
        return _profile(request, selectors.user_get_by_username(username=username))
