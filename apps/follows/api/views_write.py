"""write-API: follow and unfollow, block and mute."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.follows import services, suggestions
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


BlockingSerializer = inline_serializer("Blocking", {"blocking": serializers.BooleanField()})
MutingSerializer = inline_serializer("Muting", {"muting": serializers.BooleanField()})


class BlockApi(APIView):
    """POST blocks (and ends the follows between you, both ways), DELETE unblocks (the
    follows are not restored); both are idempotent."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={200: BlockingSerializer})
    def post(self, request: Request, user_id: int) -> Response:
        services.block_create(blocker_id=request_user_id(request), blocked_id=user_id)
        return Response({"blocking": True})

    @extend_schema(request=None, responses={200: BlockingSerializer})
    def delete(self, request: Request, user_id: int) -> Response:
        services.block_delete(blocker_id=request_user_id(request), blocked_id=user_id)
        return Response({"blocking": False})


class MuteApi(APIView):
    """POST mutes, DELETE unmutes; both are idempotent."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={200: MutingSerializer})
    def post(self, request: Request, user_id: int) -> Response:
        services.mute_create(muter_id=request_user_id(request), muted_id=user_id)
        return Response({"muting": True})

    @extend_schema(request=None, responses={200: MutingSerializer})
    def delete(self, request: Request, user_id: int) -> Response:
        services.mute_delete(muter_id=request_user_id(request), muted_id=user_id)
        return Response({"muting": False})


class SuggestionDismissApi(APIView):
    """Never suggest this account to you again (idempotent)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, user_id: int) -> Response:
        suggestions.dismiss(user_id=request_user_id(request), dismissed_id=user_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
