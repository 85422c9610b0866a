"""write-API views of the users context: registration, sessions, own profile."""

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.users import services
from apps.users.models import DmPolicy
from apps.users.serializers import TokenPairOutputSerializer, UserMeOutputSerializer
from twitter.api.fields import IdField, StrictCharField
from twitter.api.views import reject_unknown_fields, request_user_id


class UserRegisterApi(APIView):
    authentication_classes: list[type] = []
    permission_classes = [AllowAny]

    class InputSerializer(serializers.Serializer):
        username = StrictCharField(max_length=64, trim_whitespace=False)
        email = StrictCharField(max_length=254)
        password = StrictCharField(max_length=256, trim_whitespace=False)
        display_name = StrictCharField(max_length=256, required=False, allow_blank=True, trim_whitespace=False)

    @extend_schema(request=InputSerializer, responses={201: UserMeOutputSerializer})
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(
            data=reject_unknown_fields(request, {"username", "email", "password", "display_name"})
        )
        serializer.is_valid(raise_exception=True)
        user = services.user_register(**serializer.validated_data)
        return Response(UserMeOutputSerializer(user).data, status=status.HTTP_201_CREATED)


class TokenObtainApi(APIView):
    """Username or email, and password, for an access and a refresh token."""

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]

    class InputSerializer(serializers.Serializer):
        username = StrictCharField(max_length=254, required=False)
        email = StrictCharField(max_length=254, required=False)
        password = StrictCharField(max_length=256, trim_whitespace=False)

        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            if not attrs.get("username") and not attrs.get("email"):
                raise serializers.ValidationError({"username": ["Give a username or an email."]})
            return attrs

    @extend_schema(request=InputSerializer, responses={200: TokenPairOutputSerializer})
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=reject_unknown_fields(request, {"username", "email", "password"}))
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        pair = services.auth_login(
            request=request._request, login=data.get("username") or data["email"], password=data["password"]
        )
        return Response(TokenPairOutputSerializer(pair).data)


class TokenRefreshApi(APIView):
    """A refresh token for a new pair; the old refresh token is revoked (rotation). Using
    a rotated refresh token again ends its whole session (401 `token_reused`)."""

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]

    class InputSerializer(serializers.Serializer):
        refresh = StrictCharField(max_length=2048)

    @extend_schema(request=InputSerializer, responses={200: TokenPairOutputSerializer})
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=reject_unknown_fields(request, {"refresh"}))
        serializer.is_valid(raise_exception=True)
        pair = services.auth_refresh(refresh_token=serializer.validated_data["refresh"])
        return Response(TokenPairOutputSerializer(pair).data)


class LogoutApi(APIView):
    authentication_classes: list[type] = []
    permission_classes = [AllowAny]

    class InputSerializer(serializers.Serializer):
        refresh = StrictCharField(max_length=2048)

    @extend_schema(request=InputSerializer, responses={204: None})
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=reject_unknown_fields(request, {"refresh"}))
        serializer.is_valid(raise_exception=True)
        services.auth_logout(refresh_token=serializer.validated_data["refresh"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class UserMeUpdateApi(APIView):
    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        display_name = StrictCharField(required=False, allow_blank=True, trim_whitespace=False, max_length=256)
        bio = StrictCharField(required=False, allow_blank=True, trim_whitespace=False, max_length=1024)
        location = StrictCharField(required=False, allow_blank=True, trim_whitespace=False, max_length=256)
        website = StrictCharField(required=False, allow_blank=True, max_length=1024)
        # An uploaded avatar (POST /media with purpose "avatar"); null removes the avatar.
        avatar_media_id = IdField(required=False, allow_null=True)
        dm_policy = serializers.ChoiceField(choices=DmPolicy.choices, required=False)

    @extend_schema(request=InputSerializer, responses={200: UserMeOutputSerializer})
    def patch(self, request: Request) -> Response:
        allowed = set(self.InputSerializer().fields)
        serializer = self.InputSerializer(data=reject_unknown_fields(request, allowed), partial=True)
        serializer.is_valid(raise_exception=True)
        user = services.user_update_profile(user_id=request_user_id(request), changes=serializer.validated_data)
        return Response(UserMeOutputSerializer(user).data)
