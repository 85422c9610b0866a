"""write-API: post and delete tweets."""

from django.http import HttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.tweets import rendering, services
from apps.tweets.api.serializers import TweetOutputSerializer
from twitter.api.fields import IdField, StrictCharField
from twitter.api.views import reject_unknown_fields, request_user_id


class TweetCreateApi(APIView):
    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        text = StrictCharField(trim_whitespace=False, allow_blank=True, max_length=4000)
        reply_to_id = IdField(required=False, allow_null=True)
        media_ids = serializers.ListField(child=IdField(), required=False, max_length=4)

    @extend_schema(request=InputSerializer, responses={201: TweetOutputSerializer})
    def post(self, request: Request) -> HttpResponse:
        data = reject_unknown_fields(request, {"text", "reply_to_id", "media_ids"})
        serializer = self.InputSerializer(data=data)
        serializer.is_valid(raise_exception=True)
        posted = services.tweet_create(author_id=request_user_id(request), **serializer.validated_data)
        author = posted.author
        card = rendering.author_card(
            user_id=author.id, username=author.username, display_name=author.display_name, avatar_url=author.avatar_url
        )
        body = rendering.assemble(rendering.render_core(posted.tweet).core, card, rendering.NO_ENGAGEMENT_FLAGS)
        return HttpResponse(body, status=status.HTTP_201_CREATED, content_type="application/json")


class TweetDeleteApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={204: None})
    def delete(self, request: Request, tweet_id: int) -> Response:
        services.tweet_delete(tweet_id=tweet_id, actor_id=request_user_id(request))
        return Response(status=status.HTTP_204_NO_CONTENT)
