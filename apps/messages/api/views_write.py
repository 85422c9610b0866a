"""write-API: start and leave conversations, send, delete and report messages, mark read."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.messages import selectors, services
from apps.messages.api.serializers import ConversationOutputSerializer, MessageOutputSerializer
from apps.messages.models import Report
from twitter.api.fields import IdField, StrictCharField
from twitter.api.views import reject_unknown_fields, request_user_id

TEXT_INPUT_MAX_LENGTH = 40_000  # before normalization; the message rules apply after it


class ConversationCreateApi(APIView):
    """Start a conversation. With one other participant it is the one the two of you
    have: 201 when it is new, 200 with the existing one."""

    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        participant_ids = serializers.ListField(child=IdField(), min_length=1, max_length=100)

    @extend_schema(
        request=InputSerializer, responses={201: ConversationOutputSerializer, 200: ConversationOutputSerializer}
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=reject_unknown_fields(request, {"participant_ids"}))
        serializer.is_valid(raise_exception=True)
        user_id = request_user_id(request)
        started = services.conversation_start(
            user_id=user_id, participant_ids=serializer.validated_data["participant_ids"]
        )
        view = selectors.conversation_get(viewer_id=user_id, conversation_id=started.conversation.id)
        data = selectors.render_conversations([view])[0]
        return Response(data, status=status.HTTP_201_CREATED if started.created else status.HTTP_200_OK)


class ConversationLeaveApi(APIView):
    """Leave a group conversation, or hide a conversation of two until a new message."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={204: None})
    def delete(self, request: Request, conversation_id: int) -> Response:
        services.conversation_leave(user_id=request_user_id(request), conversation_id=conversation_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MessageCreateApi(APIView):
    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        text = StrictCharField(trim_whitespace=False, allow_blank=True, max_length=TEXT_INPUT_MAX_LENGTH)
        media_ids = serializers.ListField(child=IdField(), required=False, max_length=4)

    @extend_schema(request=InputSerializer, responses={201: MessageOutputSerializer})
    def post(self, request: Request, conversation_id: int) -> Response:
        serializer = self.InputSerializer(data=reject_unknown_fields(request, {"text", "media_ids"}))
        serializer.is_valid(raise_exception=True)
        message = services.message_send(
            user_id=request_user_id(request), conversation_id=conversation_id, **serializer.validated_data
        )
        return Response(selectors.render_messages([message])[0], status=status.HTTP_201_CREATED)


class MessageDeleteApi(APIView):
    """Delete your own message, for everyone in the conversation."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={204: None})
    def delete(self, request: Request, conversation_id: int, message_id: int) -> Response:
        services.message_delete(
            user_id=request_user_id(request), conversation_id=conversation_id, message_id=message_id
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class ConversationReadApi(APIView):
    """Everything up to `last_read_id` (usually the newest message shown) is read."""

    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        last_read_id = IdField()

    @extend_schema(
        request=InputSerializer,
        responses={
            200: inline_serializer(
                "ConversationReadMarker",
                {"last_read_id": serializers.CharField(), "unread_count": serializers.IntegerField()},
            )
        },
    )
    def post(self, request: Request, conversation_id: int) -> Response:
        serializer = self.InputSerializer(data=reject_unknown_fields(request, {"last_read_id"}))
        serializer.is_valid(raise_exception=True)
        member = services.conversation_mark_read(
            user_id=request_user_id(request),
            conversation_id=conversation_id,
            last_read_id=serializer.validated_data["last_read_id"],
        )
        return Response({"last_read_id": str(member.last_read_id), "unread_count": member.unread_count})


class MessageReportApi(APIView):
    """Report someone's message to the moderators: they then see its text."""

    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        reason = serializers.ChoiceField(choices=Report.Reason.choices)
        comment = StrictCharField(required=False, allow_blank=True, max_length=1000)

    @extend_schema(
        request=InputSerializer,
        responses={201: inline_serializer("MessageReport", {"id": serializers.CharField()})},
    )
    def post(self, request: Request, conversation_id: int, message_id: int) -> Response:
        serializer = self.InputSerializer(data=reject_unknown_fields(request, {"reason", "comment"}))
        serializer.is_valid(raise_exception=True)
        report = services.message_report(
            user_id=request_user_id(request),
            conversation_id=conversation_id,
            message_id=message_id,
            **serializer.validated_data,
        )
        return Response({"id": str(report.id)}, status=status.HTTP_201_CREATED)
