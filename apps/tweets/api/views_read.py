"""read-API: one tweet, its replies and conversation, who liked it, what a user liked,
and hashtags."""

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from apps.tweets import entities, presentation, selectors, trends
from apps.tweets.serializers import TweetOutputSerializer
from apps.users import selectors as user_selectors
from apps.users.lists import user_list_response
from apps.users.serializers import UserOutputSerializer
from twitter.api.fields import WholeNumberField
from twitter.api.pages import json_page, viewer_of
from twitter.api.pagination import PAGE_PARAMETERS, page_params
from twitter.api.views import ReadApiView
from twitter.errors import ApplicationError, NotFoundError

ANCESTORS_MAX = 100
DESCENDANTS_MAX = 200


class TweetDetailApi(ReadApiView):
    @extend_schema(responses={200: TweetOutputSerializer})
    def get(self, request: Request, tweet_id: int) -> HttpResponse:
        page = presentation.tweets_by_id(tweet_ids=[tweet_id], viewer_id=viewer_of(request))
        if not page.items:
            raise NotFoundError("Tweet not found.", code="tweet_not_found")
        return HttpResponse(page.items[0], content_type="application/json")


class TweetRepliesApi(ReadApiView):
    @extend_schema(parameters=PAGE_PARAMETERS, responses={200: TweetOutputSerializer(many=True)})
    def get(self, request: Request, tweet_id: int) -> HttpResponse:
        tweet = selectors.tweet_get_visible(tweet_id=tweet_id)
        params = page_params(request)
        ids = selectors.reply_ids_page(tweet_id=tweet.retweet_of_id or tweet.id, params=params)
        page = presentation.tweets_by_id(tweet_ids=ids, viewer_id=viewer_of(request))
        return json_page(request, page, params, cursors=ids)  # pages go on past hidden replies


class TweetContextApi(ReadApiView):
    """The conversation around a tweet: what it replies to (root first) and the replies
    below it (depth first, oldest first in each branch). Deleted tweets are left out."""

    @extend_schema(
        responses={
            200: inline_serializer(
                "TweetContext",
                {
                    "ancestors": TweetOutputSerializer(many=True),
                    "descendants": TweetOutputSerializer(many=True),
                },
            )
        }
    )
    def get(self, request: Request, tweet_id: int) -> HttpResponse:
        tweet = selectors.tweet_get_visible(tweet_id=tweet_id)
        anchor = tweet.retweet_of_id or tweet.id
        viewer = viewer_of(request)
        ancestors = presentation.tweets_by_id(
            tweet_ids=selectors.ancestor_ids(tweet_id=anchor, limit=ANCESTORS_MAX), viewer_id=viewer
        )
        descendants = presentation.tweets_by_id(
            tweet_ids=selectors.descendant_ids(tweet_id=anchor, limit=DESCENDANTS_MAX), viewer_id=viewer
        )
        body = b'{"ancestors":' + ancestors.json() + b',"descendants":' + descendants.json() + b"}"
        return HttpResponse(body, content_type="application/json")


class TweetLikedByApi(ReadApiView):
    @extend_schema(parameters=PAGE_PARAMETERS, responses={200: UserOutputSerializer(many=True)})
    def get(self, request: Request, tweet_id: int) -> Response:
        tweet = selectors.tweet_get_visible(tweet_id=tweet_id)
        params = page_params(request)
        pairs = selectors.likers_page(tweet_id=tweet.retweet_of_id or tweet.id, params=params)
        return user_list_response(request, pairs, params)


class UserLikesApi(ReadApiView):
    @extend_schema(parameters=PAGE_PARAMETERS, responses={200: TweetOutputSerializer(many=True)})
    def get(self, request: Request, user_id: int) -> HttpResponse:
        user_selectors.user_get(user_id=user_id)
        params = page_params(request)
        pairs = selectors.likes_page(user_id=user_id, params=params)
        page = presentation.tweets_by_id(tweet_ids=[t for _, t in pairs], viewer_id=viewer_of(request))
        return json_page(request, page, params, cursors=[like_id for like_id, _ in pairs])


def _tag(raw: str) -> str:
    tag = raw.removeprefix("#")
    if not entities.is_valid_tag(tag):
        raise ApplicationError(
            "Not a hashtag.", code="invalid_hashtag", fields={"tag": ["Letters, digits, marks or underscores."]}
        )
    return entities.normalize_tag(tag)


class HashtagTweetsApi(ReadApiView):
    @extend_schema(parameters=PAGE_PARAMETERS, responses={200: TweetOutputSerializer(many=True)})
    def get(self, request: Request, tag: str) -> HttpResponse:
        params = page_params(request)
        ids = selectors.hashtag_ids_page(tag=_tag(tag), params=params)
        page = presentation.tweets_by_id(tweet_ids=ids, viewer_id=viewer_of(request))
        return json_page(request, page, params, cursors=ids)


class TrendingHashtagsApi(ReadApiView):
    class InputSerializer(serializers.Serializer):
        hours = WholeNumberField(min_value=1, required=False, default=6)
        limit = WholeNumberField(min_value=1, max_value=50, required=False, default=10)

    @extend_schema(
        parameters=[
            OpenApiParameter("hours", int, required=False, description="1 to TRENDING_MAX_HOURS (default 6)"),
            OpenApiParameter("limit", int, required=False, description="1 to 50 (default 10)"),
        ],
        responses={
            200: inline_serializer(
                "Trend", {"tag": serializers.CharField(), "count": serializers.IntegerField()}, many=True
            )
        },
    )
    def get(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        hours = serializer.validated_data["hours"]
        if hours > trends.max_hours():
            raise ApplicationError("Invalid input.", fields={"hours": [f"At most {trends.max_hours()}."]})
        found = trends.trending(hours=hours, limit=serializer.validated_data["limit"])
        return Response([{"tag": trend.tag, "count": trend.count} for trend in found])
