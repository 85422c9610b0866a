"""Direct-message conversations (Mastodon's `/api/v1/conversations`): the list on the
read-API; marking one read and removing it from the list on the write-API."""

from rest_framework.request import Request
from rest_framework.response import Response

from apps.mastodon.api.base import MastodonView, origin, signed_in
from apps.mastodon.api.schema import EMPTY, PAGE, doc, entity, entity_list
from apps.mastodon.conversations import conversations
from apps.messages import selectors as message_selectors
from apps.messages import services as message_services
from twitter.api.pagination import page_params, paginated_response


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
