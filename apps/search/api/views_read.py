"""read-API: `GET /api/v1/search?q=&type=tweets|users|hashtags`.

Tweets sort by relevance (the default: text relevance with recency, paginated by
`offset`) or `sort=recent` (newest first, paginated by `max_id` like every timeline).
Users and hashtags page by `offset`. Every page carries a Link header; the
`X-Search-Backend` header says which backend answered.
"""

from django.conf import settings
from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, PolymorphicProxySerializer, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from apps.search import selectors
from apps.search.query import QUERY_MAX_LENGTH
from apps.tweets import presentation
from apps.tweets.serializers import TweetOutputSerializer
from apps.users import selectors as user_selectors
from apps.users.serializers import UserOutputSerializer
from twitter.api.fields import IdField, WholeNumberField
from twitter.api.pages import viewer_of
from twitter.api.pagination import DEFAULT_LIMIT, MAX_LIMIT, PageParams, link_header, offset_link_header
from twitter.api.views import ReadApiView


def _offset_links(request: Request, offset: int, limit: int, more: bool) -> str | None:
    has_next = more and offset + limit <= settings.SEARCH_MAX_OFFSET
    return offset_link_header(request, offset=offset, limit=limit, has_next=has_next)


class SearchApi(ReadApiView):
    class InputSerializer(serializers.Serializer):
        q = serializers.CharField(max_length=QUERY_MAX_LENGTH, trim_whitespace=True)
        type = serializers.ChoiceField(choices=["tweets", "users", "hashtags"], default="tweets")
        sort = serializers.ChoiceField(choices=["relevance", "recent"], default="relevance")
        limit = WholeNumberField(min_value=1, max_value=MAX_LIMIT, default=DEFAULT_LIMIT)
        offset = WholeNumberField(min_value=0, default=0)
        max_id = IdField(required=False)

        def validate_offset(self, value: int) -> int:
            if value > settings.SEARCH_MAX_OFFSET:
                raise serializers.ValidationError(f"At most {settings.SEARCH_MAX_OFFSET}; narrow the search instead.")
            return value

        def validate(self, attrs: dict[str, object]) -> dict[str, object]:
            recent = attrs["type"] == "tweets" and attrs["sort"] == "recent"
            if "max_id" in attrs and not recent:
                raise serializers.ValidationError({"max_id": ["Only with type=tweets and sort=recent."]})
            if recent and attrs["offset"]:
                raise serializers.ValidationError({"offset": ["sort=recent pages by max_id."]})
            return attrs

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="words, #tag, @user, from:user"),
            OpenApiParameter("type", str, enum=["tweets", "users", "hashtags"], required=False),
            OpenApiParameter("sort", str, enum=["relevance", "recent"], required=False, description="tweets only"),
            OpenApiParameter("limit", int, required=False),
            OpenApiParameter("offset", int, required=False, description="relevance pages"),
            OpenApiParameter("max_id", str, required=False, description="sort=recent pages"),
        ],
        responses={
            200: PolymorphicProxySerializer(
                component_name="SearchResults",
                serializers=[
                    TweetOutputSerializer,
                    UserOutputSerializer,
                    inline_serializer(
                        "HashtagHit", {"tag": serializers.CharField(), "tweet_count": serializers.IntegerField()}
                    ),
                ],
                resource_type_field_name=None,
                many=True,
            )
        },
    )
    def get(self, request: Request) -> HttpResponse:
        serializer = self.InputSerializer(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        text, limit, offset = data["q"], data["limit"], data["offset"]
        response: HttpResponse
        if data["type"] == "users":
            users_found = selectors.search_users(text=text, limit=limit, offset=offset)
            users = [u for u in user_selectors.users_in_order(user_ids=users_found.items) if not u.is_suspended]
            response = Response(UserOutputSerializer(users, many=True).data)
            header = _offset_links(request, offset, limit, not users_found.exhausted)
            backend = users_found.backend
        elif data["type"] == "hashtags":
            tags_found = selectors.search_hashtags(text=text, limit=limit, offset=offset)
            response = Response([{"tag": hit.tag, "tweet_count": hit.tweet_count} for hit in tags_found.items])
            header = _offset_links(request, offset, limit, not tags_found.exhausted)
            backend = tags_found.backend
        else:
            found = selectors.search_tweets(
                text=text, sort=data["sort"], limit=limit, offset=offset, max_id=data.get("max_id")
            )
            page = presentation.tweets_by_id(tweet_ids=found.items, viewer_id=viewer_of(request))
            response = HttpResponse(page.json(), content_type="application/json")
            if data["sort"] == "recent":
                header = link_header(request, found.items, PageParams(limit=limit, max_id=data.get("max_id")))
            else:
                header = _offset_links(request, offset, limit, not found.exhausted)
            backend = found.backend
        if header:
            response["Link"] = header
        response["X-Search-Backend"] = backend
        return response
