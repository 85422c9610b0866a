"""write-API: mark notifications read."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.notifications import services
from twitter.api.fields import IdField
from twitter.api.views import reject_unknown_fields, request_user_id


class NotificationMarkReadApi(APIView):
    """Everything up to `up_to_id` (usually the newest id the client showed) is read."""

    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        up_to_id = IdField()

    @extend_schema(
        request=InputSerializer,
        responses={200: inline_serializer("ReadMarker", {"last_read_id": serializers.CharField()})},
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=reject_unknown_fields(request, {"up_to_id"}))
        serializer.is_valid(raise_exception=True)
        last = services.notifications_mark_read(
            user_id=request_user_id(request), up_to_id=serializer.validated_data["up_to_id"]
        )
        return Response({"last_read_id": str(last)})
