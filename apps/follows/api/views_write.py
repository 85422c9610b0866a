"""write-API: follow and unfollow."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.follows import services
from twitter.api.views import request_user_id

RelationshipSerializer = inline_serializer("Relationship", {"following": serializers.BooleanField()})


class FollowApi(APIView):
    """POST follows, DELETE unfollows; both are idempotent."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={200: RelationshipSerializer})
    def post(self, request: Request, user_id: int) -> Response:
        services.follow_create(follower_id=request_user_id(request), followee_id=user_id)
        return Response({"following": True})

    @extend_schema(request=None, responses={200: RelationshipSerializer})
    def delete(self, request: Request, user_id: int) -> Response:
        services.follow_delete(follower_id=request_user_id(request), followee_id=user_id)
        return Response({"following": False})
