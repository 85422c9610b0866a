"""read-API: one tweet and its replies."""

from django.http import HttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request

from apps.timelines import selectors as timeline_selectors
from apps.timelines.api.views_read import PAGE_PARAMETERS, json_page, viewer_of
from apps.tweets import selectors
from apps.tweets.api.serializers import TweetOutputSerializer
from twitter.api.pagination import page_params
from twitter.api.views import ReadApiView
from twitter.errors import NotFoundError


class TweetDetailApi(ReadApiView):
    @extend_schema(responses={200: TweetOutputSerializer})
    def get(self, request: Request, tweet_id: int) -> HttpResponse:
        page = timeline_selectors.tweets_by_id(tweet_ids=[tweet_id], viewer_id=viewer_of(request))
        if not page.items:
            raise NotFoundError("Tweet not found.", code="tweet_not_found")
        return HttpResponse(page.items[0], content_type="application/json")


class TweetRepliesApi(ReadApiView):
    @extend_schema(parameters=PAGE_PARAMETERS, responses={200: TweetOutputSerializer(many=True)})
    def get(self, request: Request, tweet_id: int) -> HttpResponse:
        selectors.tweet_get_visible(tweet_id=tweet_id)
        params = page_params(request)
        ids = selectors.reply_ids_page(tweet_id=tweet_id, params=params)
        page = timeline_selectors.tweets_by_id(tweet_ids=ids, viewer_id=viewer_of(request))
        return json_page(request, page, params)
