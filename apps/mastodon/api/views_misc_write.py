"""write-API: media uploads, dismissing notifications, markers and suggestions (Mastodon's)."""

from django.core.files.uploadedfile import UploadedFile
from rest_framework.request import Request
from rest_framework.response import Response

from apps.follows import suggestions
from apps.mastodon.api.base import MastodonView, param, signed_in
from apps.mastodon.api.schema import EMPTY, ID, MARKERS, TEXT, body, doc, entity, fields
from apps.mastodon.statuses import attachment
from apps.media import services as media_services
from apps.notifications import selectors as notification_selectors
from apps.notifications import services as notification_services
from twitter.api.fields import parse_id
from twitter.errors import ApplicationError

_MEDIA_FIELDS = {"description": TEXT, "focus": {"type": "string", "description": "x,y, each from -1 to 1."}}


class MediaUploadApi(MastodonView):
    """`/api/v2/media` and `/api/v1/media`: an image, ready at once (200, never 202), with
    its `description` and `focus` ("x,y")."""

    scopes = {"POST": "write:media"}

    @doc(
        entity("MediaAttachment"),
        request=body(
            {"file": {"type": "string", "format": "binary"}, **_MEDIA_FIELDS},
            required=["file"],
            media=["multipart/form-data"],
        ),
    )
    def post(self, request: Request) -> Response:
        user_id = signed_in(request)
        file = request.FILES.get("file") if hasattr(request, "FILES") else None
        if not isinstance(file, UploadedFile):
            raise ApplicationError("Invalid input.", fields={"file": ["Attach an image as `file` (multipart)."]})
        media = media_services.media_upload(
            owner_id=user_id, file=file, description=param(request, "description"), focus=param(request, "focus")
        )
        return Response(attachment(media_services.media_public(media)))


class MediaUpdateApi(MastodonView):
    """`PUT /api/v1/media/:id`: the description or focus of an upload not attached yet."""

    scopes = {"PUT": "write:media"}

    @doc(entity("MediaAttachment"), request=body(_MEDIA_FIELDS))
    def put(self, request: Request, media_id: int) -> Response:
        media = media_services.media_describe(
            owner_id=signed_in(request),
            media_id=media_id,
            description=param(request, "description"),
            focus=param(request, "focus"),
        )
        return Response(attachment(media_services.media_public(media)))


class NotificationDismissApi(MastodonView):
    scopes = {"POST": "write:notifications"}

    @doc(EMPTY)
    def post(self, request: Request, notification_id: int) -> Response:
        notification_services.notification_dismiss(user_id=signed_in(request), notification_id=notification_id)
        return Response({})


class NotificationsClearApi(MastodonView):
    scopes = {"POST": "write:notifications"}

    @doc(EMPTY)
    def post(self, request: Request) -> Response:
        notification_services.notifications_clear(user_id=signed_in(request))
        return Response({})


class MarkersSaveApi(MastodonView):
    """Saves the notifications marker (the home timeline's is not kept)."""

    scopes = {"POST": "write:statuses"}

    @doc(
        MARKERS,
        request=body({name: fields({"last_read_id": ID}) for name in ("home", "notifications")}),
        description="`notifications[last_read_id]` in a form.",
    )
    def post(self, request: Request) -> Response:
        user_id = signed_in(request)
        raw = param(request, "notifications[last_read_id]")
        nested = param(request, "notifications")
        if raw is None and isinstance(nested, dict):
            raw = nested.get("last_read_id")
        if raw is not None:
            last = parse_id(raw)
            if last is None:
                raise ApplicationError("Invalid input.", fields={"notifications[last_read_id]": ["Must be an id."]})
            notification_services.notifications_mark_read(user_id=user_id, up_to_id=last)
        current = notification_selectors.last_read_id(user_id=user_id)
        return Response(
            {"notifications": {"last_read_id": str(current), "version": 0, "updated_at": "1970-01-01T00:00:00.000Z"}}
        )


class SuggestionDismissApi(MastodonView):
    scopes = {"DELETE": "read"}

    @doc(EMPTY)
    def delete(self, request: Request, user_id: int) -> Response:
        suggestions.dismiss(user_id=signed_in(request), dismissed_id=user_id)
        return Response({})
