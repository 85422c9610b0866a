"""read-API views of the users context: profiles."""

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from apps.users import selectors
from apps.users.api.serializers import UserMeOutputSerializer, UserOutputSerializer
from twitter.api.views import ReadApiView, request_user_id


class UserMeApi(ReadApiView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: UserMeOutputSerializer})
    def get(self, request: Request) -> Response:
        user = selectors.user_get_me(user_id=request_user_id(request))
        return Response(UserMeOutputSerializer(user).data)


class UserDetailApi(ReadApiView):
    @extend_schema(responses={200: UserOutputSerializer})
    def get(self, request: Request, user_id: int) -> Response:
        return Response(UserOutputSerializer(selectors.user_get(user_id=user_id)).data)


class UserByUsernameApi(ReadApiView):
    @extend_schema(responses={200: UserOutputSerializer})
    def get(self, request: Request, username: str) -> Response:
        return Response(UserOutputSerializer(selectors.user_get_by_username(username=username)).data)
