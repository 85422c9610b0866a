"""write-API: like and retweet (both idempotent; acting on a retweet acts on its original)."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.tweets import selectors, services
from twitter.api.views import request_user_id

LikeStateSerializer = inline_serializer(
    "LikeState", {"liked": serializers.BooleanField(), "like_count": serializers.IntegerField()}
)
RetweetStateSerializer = inline_serializer(
    "RetweetState",
    {
        "retweeted": serializers.BooleanField(),
        "retweet_count": serializers.IntegerField(),
        "retweet_id": serializers.CharField(allow_null=True),
    },
)


class TweetLikeApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={200: LikeStateSerializer})
    def post(self, request: Request, tweet_id: int) -> Response:
        tweet, _ = services.like_create(user_id=request_user_id(request), tweet_id=tweet_id)
        return Response({"liked": True, "like_count": tweet.like_count})

    @extend_schema(request=None, responses={200: LikeStateSerializer})
    def delete(self, request: Request, tweet_id: int) -> Response:
        tweet, _ = services.like_delete(user_id=request_user_id(request), tweet_id=tweet_id)
        return Response({"liked": False, "like_count": tweet.like_count})


class TweetRetweetApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={201: RetweetStateSerializer, 200: RetweetStateSerializer})
    def post(self, request: Request, tweet_id: int) -> Response:
        retweet, created = services.retweet_create(user_id=request_user_id(request), tweet_id=tweet_id)
        original = selectors.tweet_counts(tweet_id=retweet.retweet_of_id or retweet.id)
        return Response(
            {"retweeted": True, "retweet_count": original.retweet_count, "retweet_id": str(retweet.id)},
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(request=None, responses={200: RetweetStateSerializer})
    def delete(self, request: Request, tweet_id: int) -> Response:
        original_id, _ = services.retweet_delete(user_id=request_user_id(request), tweet_id=tweet_id)
        original = selectors.tweet_counts(tweet_id=original_id)
        return Response({"retweeted": False, "retweet_count": original.retweet_count, "retweet_id": None})
