"""read-API: a participant's conversations and their messages."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from apps.messages import selectors
from apps.messages.api.serializers import ConversationOutputSerializer, MessageOutputSerializer
from twitter.api.pagination import PAGE_PARAMETERS, page_params, paginated_response
from twitter.api.views import ReadApiView, request_user_id


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
