"""Direct-message conversations (Mastodon's `/api/v1/conversations`): the list and their
images on the read-API; marking one read and removing it from the list on the write-API."""

from django.http.response import HttpResponseBase
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from apps.mastodon import direct_media
from apps.mastodon.api.base import MastodonView, origin, signed_in
from apps.mastodon.api.schema import EMPTY, NO_TOKEN, PAGE, doc, entity, entity_list
from apps.mastodon.conversations import conversations
from apps.media import services as media_services
from apps.messages import selectors as message_selectors
from apps.messages import services as message_services
from twitter.api.files import private_file
from twitter.api.pagination import page_params, paginated_response
from twitter.errors import NotFoundError


class ConversationsApi(MastodonView):
    scopes = {"GET": "read:statuses"}

    @doc(entity_list("Conversation"), params=PAGE, paged=True)
    def get(self, request: Request) -> Response:
        user_id = signed_in(request)
        params = page_params(request)
        views = message_selectors.conversations_page(viewer_id=user_id, params=params)
        body = conversations(views, viewer_id=user_id, origin=origin(request))
        return paginated_response(request, body, [view.activity_id for view in views], params)


class ConversationReadApi(MastodonView):
    scopes = {"POST": "write:conversations"}

    @doc(entity("Conversation"))
    def post(self, request: Request, conversation_id: int) -> Response:
        user_id = signed_in(request)
        view = message_selectors.conversation_get(viewer_id=user_id, conversation_id=conversation_id)
        if view.last_message is not None:
            message_services.conversation_mark_read(
                user_id=user_id, conversation_id=conversation_id, last_read_id=view.last_message.id
            )
        view = message_selectors.conversation_get(viewer_id=user_id, conversation_id=conversation_id)
        return Response(conversations([view], viewer_id=user_id, origin=origin(request))[0])


class ConversationRemoveApi(MastodonView):
    scopes = {"DELETE": "write:conversations"}

    @doc(EMPTY)
    def delete(self, request: Request, conversation_id: int) -> Response:
        message_services.conversation_leave(user_id=signed_in(request), conversation_id=conversation_id)
        return Response({})


class DirectMediaApi(MastodonView):
    """A direct message's image by its signed link (`apps.mastodon.direct_media`): the link
    is the permission, as Mastodon apps fetch media with no token."""

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(
        description="The link comes in a direct status's `media_attachments`; it expires.",
        responses={
            (200, "image/*"): OpenApiResponse(OpenApiTypes.BINARY, description="The bytes (local storage)."),
            302: OpenApiResponse(description="To a short-lived URL of the bytes (S3 storage)."),
        },
        auth=NO_TOKEN,  # type: ignore[arg-type]  # drf-spectacular takes security requirement objects
    )
    def get(self, request: Request, token: str) -> HttpResponseBase:
        found = direct_media.opened(token)
        media = media_services.media_of_message(message_id=found[0], media_id=found[1]) if found else None
        if media is None:
            raise NotFoundError("Record not found")
        return private_file(
            media_services.media_private_location(media), lambda: media_services.media_open(media), media.content_type
        )
