"""read-API: the signed-in user's notifications and their unread count."""

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from apps.notifications import selectors
from apps.notifications.models import Kind
from apps.notifications.rendering import render_groups
from apps.tweets.serializers import AuthorOutputSerializer, TweetOutputSerializer
from twitter.api.pagination import PAGE_PARAMETERS, link_header, page_params
from twitter.api.views import ReadApiView, request_user_id
from twitter.errors import ApplicationError


class NotificationOutputSerializer(serializers.Serializer):
    """Documents the JSON that apps.notifications.rendering builds."""

    id = serializers.CharField(help_text="The newest notification of the group; the listing's cursor.")
    type = serializers.ChoiceField(choices=Kind.choices)
    created_at = serializers.DateTimeField()
    actors = AuthorOutputSerializer(many=True, help_text="The most recent ones.")
    actors_count = serializers.IntegerField(help_text="Likes and retweets of one tweet are grouped.")
    tweet = TweetOutputSerializer(allow_null=True)
    read = serializers.BooleanField()


def _kinds(request: Request) -> list[str] | None:
    raw = request.query_params.getlist("type")
    if not raw:
        return None
    kinds = sorted({kind.strip() for value in raw for kind in value.split(",") if kind.strip()})
    unknown = [kind for kind in kinds if kind not in Kind.values]
    if unknown or not kinds:
        raise ApplicationError(
            "Invalid input.", fields={"type": [f"One or more of: {', '.join(Kind.values)} (comma-separated)."]}
        )
    return kinds


class NotificationListApi(ReadApiView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[*PAGE_PARAMETERS, OpenApiParameter("type", str, required=False, description="e.g. like,follow")],
        responses={200: NotificationOutputSerializer(many=True)},
    )
    def get(self, request: Request) -> HttpResponse:
        user_id = request_user_id(request)
        params = page_params(request)
        groups = selectors.groups_page(user_id=user_id, params=params, kinds=_kinds(request))
        _, body = render_groups(groups, viewer_id=user_id, last_read_id=selectors.last_read_id(user_id=user_id))
        response = HttpResponse(body, content_type="application/json")
        header = link_header(request, [group.latest_id for group in groups], params)
        if header:
            response["Link"] = header
        return response


class NotificationUnreadCountApi(ReadApiView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: inline_serializer("UnreadCount", {"count": serializers.IntegerField()})})
    def get(self, request: Request) -> Response:
        return Response({"count": selectors.unread_count(user_id=request_user_id(request))})
