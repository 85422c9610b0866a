"""read-API: a participant's conversations and their messages."""

from django.http import HttpResponseBase
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from apps.media import services as media_services
from apps.messages import selectors
from apps.messages.api.serializers import ConversationOutputSerializer, MessageOutputSerializer
from twitter.api.files import private_file
from twitter.api.pagination import PAGE_PARAMETERS, page_params, paginated_response
from twitter.api.views import ReadApiView, request_user_id
from twitter.errors import NotFoundError


class ConversationListApi(ReadApiView):
    """The viewer's conversations, most recent activity first. The cursors (`max_id`,
    `min_id`, `since_id`) are ids of last messages, as the Link header gives them."""

    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=PAGE_PARAMETERS, responses={200: ConversationOutputSerializer(many=True)})
    def get(self, request: Request) -> Response:
        params = page_params(request)
        views = selectors.conversations_page(viewer_id=request_user_id(request), params=params)
        data = selectors.render_conversations(views)
        return paginated_response(request, data, [view.activity_id for view in views], params)


class ConversationDetailApi(ReadApiView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: ConversationOutputSerializer})
    def get(self, request: Request, conversation_id: int) -> Response:
        view = selectors.conversation_get(viewer_id=request_user_id(request), conversation_id=conversation_id)
        return Response(selectors.render_conversations([view])[0])


class MessageListApi(ReadApiView):
    """A conversation's messages, newest first."""

    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=PAGE_PARAMETERS, responses={200: MessageOutputSerializer(many=True)})
    def get(self, request: Request, conversation_id: int) -> Response:
        params = page_params(request)
        messages = selectors.messages_page(
            viewer_id=request_user_id(request), conversation_id=conversation_id, params=params
        )
        data = selectors.render_messages(messages)
        return paginated_response(request, data, [message.id for message in messages], params)


class ConversationUnreadCountApi(ReadApiView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={200: inline_serializer("ConversationsUnreadCount", {"count": serializers.IntegerField()})}
    )
    def get(self, request: Request) -> Response:
        return Response({"count": selectors.unread_total(viewer_id=request_user_id(request))})


class MessageMediaApi(ReadApiView):
    """The bytes of a message's media, for its conversation's participants only (anyone
    else gets a 404): a redirect to a URL valid for DM_MEDIA_URL_SECONDS (S3 storage), or
    the bytes themselves (local storage). Neither may be kept by a shared cache."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={
            (200, "image/*"): OpenApiResponse(OpenApiTypes.BINARY, description="The bytes (local storage)."),
            302: OpenApiResponse(description="To a short-lived URL of the bytes (S3 storage)."),
        }
    )
    def get(self, request: Request, conversation_id: int, message_id: int, media_id: int) -> HttpResponseBase:
        message = selectors.message_for(viewer_id=request_user_id(request), message_id=message_id)
        if message is None or message.conversation_id != conversation_id:
            raise selectors.not_found()
        media = media_services.media_of_message(message_id=message.id, media_id=media_id)
        if media is None:
            raise NotFoundError("Media not found.", code="media_not_found")
        return private_file(
            media_services.media_private_location(media), lambda: media_services.media_open(media), media.content_type
        )
