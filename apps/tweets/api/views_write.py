"""write-API: post and delete tweets."""

from typing import Any

from django.http import HttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.tweets import engagement, rendering, services
from apps.tweets.serializers import TweetOutputSerializer
from twitter.api.fields import IdField, StrictCharField, parse_id
from twitter.api.views import reject_unknown_fields, request_user_id

TEXT_INPUT_MAX_LENGTH = 4000  # before normalization; the tweet rules apply after it


def plain_tweet_input(data: dict[str, Any]) -> dict[str, Any] | None:
    """What `TweetCreateApi.InputSerializer` makes of the common body (text, maybe the id replied
    to), without building a serializer per request; None for anything else (media, a
    bad value), which the serializer then checks and explains. Tests hold the two equal."""
    text = data.get("text")
    if not isinstance(text, str) or len(text) > TEXT_INPUT_MAX_LENGTH or "\x00" in text or "media_ids" in data:
        return None
    if not text.isascii():
        try:
            text.encode("utf-8")  # DRF refuses lone surrogates
        except UnicodeEncodeError:
            return None
    plain: dict[str, Any] = {"text": text}
    if "reply_to_id" in data:
        reply_to = data["reply_to_id"]
        plain["reply_to_id"] = None if reply_to is None else parse_id(reply_to)
        if reply_to is not None and plain["reply_to_id"] is None:
            return None
    return plain


class TweetCreateApi(APIView):
    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        text = StrictCharField(trim_whitespace=False, allow_blank=True, max_length=TEXT_INPUT_MAX_LENGTH)
        reply_to_id = IdField(required=False, allow_null=True)
        media_ids = serializers.ListField(child=IdField(), required=False, max_length=4)

    @extend_schema(request=InputSerializer, responses={201: TweetOutputSerializer})
    def post(self, request: Request) -> HttpResponse:
        data = reject_unknown_fields(request, {"text", "reply_to_id", "media_ids"})
        validated = plain_tweet_input(data)
        if validated is None:
            serializer = self.InputSerializer(data=data)
            serializer.is_valid(raise_exception=True)
            validated = serializer.validated_data
        posted = services.tweet_create(author_id=request_user_id(request), **validated)
        author = posted.author
        card = rendering.author_card(
            user_id=author.id, username=author.username, display_name=author.display_name, avatar_url=author.avatar_url
        )
        body = rendering.assemble(rendering.render_core(posted.tweet).core, card, engagement.NOT_FLAGGED)
        return HttpResponse(body, status=status.HTTP_201_CREATED, content_type="application/json")


class TweetDeleteApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={204: None})
    def delete(self, request: Request, tweet_id: int) -> Response:
        services.tweet_delete(tweet_id=tweet_id, actor_id=request_user_id(request))
        return Response(status=status.HTTP_204_NO_CONTENT)
