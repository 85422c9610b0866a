"""write-API: `POST /api/v1/media` and `POST /api/v1/media/{id}/confirm`.

Two ways in. A multipart/form-data POST with `file` (and optional `purpose`) uploads
directly: the bytes are checked and stored, and the media is ready (any storage). A JSON
POST `{"content_type", "size", "purpose"}` asks for an upload intent (S3 storage): the
client PUTs the bytes to the presigned URL with the given headers, then confirms.
"""

from datetime import timedelta

from django.conf import settings
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.media import services
from apps.media.models import Media
from twitter.api.parsers import JSONParser
from twitter.api.views import reject_unknown_fields, request_user_id
from twitter.errors import ApplicationError

MEDIA_OUTPUT = inline_serializer(
    "Media",
    {
        "id": serializers.CharField(),
        "type": serializers.CharField(),
        "content_type": serializers.CharField(),
        "url": serializers.CharField(),
        "width": serializers.IntegerField(allow_null=True),
        "height": serializers.IntegerField(allow_null=True),
        "description": serializers.CharField(allow_null=True, help_text="What the image shows (alt text)."),
        "focus": inline_serializer(
            "MediaFocus", {"x": serializers.FloatField(), "y": serializers.FloatField()}, allow_null=True
        ),
        "blurhash": serializers.CharField(allow_null=True, help_text="A placeholder to draw while it loads."),
        "status": serializers.CharField(),
        "size": serializers.IntegerField(allow_null=True),
    },
)


class MediaCreateApi(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser, MultiPartParser]

    class IntentInputSerializer(serializers.Serializer):
        content_type = serializers.CharField(max_length=50)
        size = serializers.IntegerField(min_value=1)
        purpose = serializers.ChoiceField(choices=Media.Purpose.choices, default=Media.Purpose.TWEET)
        description = serializers.CharField(
            max_length=services.DESCRIPTION_MAX_CHARACTERS, required=False, allow_blank=True
        )

    class UploadInputSerializer(serializers.Serializer):
        """The multipart form of a direct upload (documents the form; the view reads it)."""

        file = serializers.ImageField(help_text="JPEG, PNG, GIF or WebP, up to MEDIA_MAX_BYTES.")
        purpose = serializers.ChoiceField(choices=Media.Purpose.choices, default=Media.Purpose.TWEET)
        description = serializers.CharField(
            max_length=services.DESCRIPTION_MAX_CHARACTERS, required=False, allow_blank=True, help_text="Alt text."
        )

    @extend_schema(
        request={"multipart/form-data": UploadInputSerializer, "application/json": IntentInputSerializer},
        responses={201: MEDIA_OUTPUT},
        description=(
            "multipart/form-data `file` (+ `purpose`, `description`): a direct upload, ready at once. JSON "
            "`{content_type, size, purpose, description}` (S3 storage only): an upload intent with a presigned URL."
        ),
    )
    def post(self, request: Request) -> Response:
        owner_id = request_user_id(request)
        if request.content_type.startswith("multipart/form-data"):
            unknown = (set(request.POST) | set(request.FILES)) - {"file", "purpose", "description"}
            if unknown:
                raise ApplicationError("Unknown fields.", fields={name: ["Unknown field."] for name in sorted(unknown)})
            upload = request.FILES.get("file")
            if upload is None:
                raise ApplicationError("Invalid input.", fields={"file": ["Attach the image as `file`."]})
            media = services.media_upload(
                owner_id=owner_id,
                file=upload,
                purpose=str(request.POST.get("purpose", Media.Purpose.TWEET)),
                description=request.POST.get("description"),
            )
            return Response(services.media_public(media), status=status.HTTP_201_CREATED)
        serializer = self.IntentInputSerializer(
            data=reject_unknown_fields(request, {"content_type", "size", "purpose", "description"})
        )
        serializer.is_valid(raise_exception=True)
        media, url = services.media_upload_intent(owner_id=owner_id, **serializer.validated_data)
        expires_at = media.created_at + timedelta(seconds=settings.MEDIA_UPLOAD_SECONDS)
        body = {
            **services.media_public(media),
            "upload": {"method": "PUT", "url": url, "headers": {"Content-Type": media.content_type}},
            "upload_expires_at": expires_at.isoformat().replace("+00:00", "Z"),
        }
        return Response(body, status=status.HTTP_201_CREATED)


class MediaConfirmApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={200: MEDIA_OUTPUT})
    def post(self, request: Request, media_id: int) -> Response:
        media = services.media_confirm(owner_id=request_user_id(request), media_id=media_id)
        return Response(services.media_public(media))
