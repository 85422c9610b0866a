"""Reads of direct messages, for participants only (anyone else gets a 404).

Reads go where the routers say (the replica on the read-API; the primary for a viewer
who just wrote). A participant row or message the replica has not replayed yet (the
other side just wrote) is looked up on the primary.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Sum

from apps.messages.models import Message, Participant
from apps.users import selectors as user_selectors
from twitter.api.pagination import PageParams, paginate_queryset
from twitter.db.routing import PRIMARY
from twitter.errors import NotFoundError

# Where to look: where the routers say, then the primary (a row not replayed yet).
_WHERE = (None, PRIMARY)


def not_found() -> NotFoundError:
    """The one answer to anything about a conversation the asker is not in."""
    return NotFoundError("Conversation not found.", code="conversation_not_found")


@dataclass(frozen=True)
class ConversationView:
    """A conversation as one participant sees it."""

    id: int
    activity_id: int  # the list's cursor
    participant_ids: list[int]
    last_message: Message | None
    unread_count: int
    updated_at: datetime


def _membership(conversation_id: int, user_id: int) -> Participant:
    for using in _WHERE:
        member = (
            Participant.objects.db_manager(using)
            .select_related("conversation")
            .filter(conversation_id=conversation_id, user_id=user_id)
            .first()
        )
        if member is not None:
            return member
    raise not_found()


def _db_of(row: Participant) -> str:
    """The database a row was read from: the rest of the answer is read there too."""
    return row._state.db or PRIMARY


def _views(members: list[Participant], using: str) -> list[ConversationView]:
    conversation_ids = [member.conversation_id for member in members]
    everyone: dict[int, list[int]] = {}
    rows = Participant.objects.using(using).filter(conversation_id__in=conversation_ids).order_by("id")
    for conversation_id, user_id in rows.values_list("conversation_id", "user_id"):
        everyone.setdefault(conversation_id, []).append(user_id)
    last_ids = [m.conversation.last_message_id for m in members if m.conversation.last_message_id is not None]
    last = Message.objects.using(using).in_bulk(last_ids)
    return [
        ConversationView(
            id=member.conversation_id,
            activity_id=member.activity_id,
            participant_ids=everyone.get(member.conversation_id, []),
            last_message=last.get(member.conversation.last_message_id or 0),
            unread_count=member.unread_count,
            updated_at=member.conversation.updated_at,
        )
        for member in members
    ]


def conversations_page(*, viewer_id: int, params: PageParams) -> list[ConversationView]:
    """The viewer's conversations, most recent activity first (paged by activity)."""
    members = paginate_queryset(
        Participant.objects.select_related("conversation").filter(user_id=viewer_id, hidden=False),
        params,
        id_field="activity_id",
    )
    return _views(members, _db_of(members[0])) if members else []


def conversation_get(*, viewer_id: int, conversation_id: int) -> ConversationView:
    member = _membership(conversation_id, viewer_id)
    return _views([member], _db_of(member))[0]


def messages_page(*, viewer_id: int, conversation_id: int, params: PageParams) -> list[Message]:
    """A page of the conversation's messages, newest first: one range scan."""
    member = _membership(conversation_id, viewer_id)
    rows = Message.objects.using(_db_of(member)).filter(conversation_id=conversation_id)
    return paginate_queryset(rows, params)


def unread_total(*, viewer_id: int) -> int:
    """Unread messages in all the viewer's conversations."""
    rows = Participant.objects.filter(user_id=viewer_id, hidden=False)
    return int(rows.aggregate(total=Sum("unread_count"))["total"] or 0)


def message_for(*, viewer_id: int, message_id: int) -> Message | None:
    """A message, if the viewer takes part in its conversation (for their stream)."""
    for using in _WHERE:
        message = Message.objects.db_manager(using).filter(pk=message_id).first()
        if message is not None:
            in_it = Participant.objects.db_manager(using).filter(
                conversation_id=message.conversation_id, user_id=viewer_id
            )
            return message if in_it.exists() else None
    return None


def messages_since(*, viewer_id: int, since_id: int, limit: int) -> list[Message]:
    """The viewer's messages newer than `since_id`, oldest first (a stream resuming)."""
    conversations = Participant.objects.using(PRIMARY).filter(user_id=viewer_id).values("conversation_id")
    rows = Message.objects.using(PRIMARY).filter(conversation_id__in=conversations, id__gt=since_id)
    return list(rows.order_by("id")[:limit])


def cards(user_ids: Iterable[int]) -> dict[int, dict[str, str]]:
    return {
        user_id: user_selectors.card(summary)
        for user_id, summary in user_selectors.user_summaries(user_ids=set(user_ids)).items()
    }


def render_message(message: Message, users: dict[int, dict[str, str]]) -> dict[str, Any]:
    return {
        "id": str(message.id),
        "conversation_id": str(message.conversation_id),
        "sender": users.get(message.sender_id),
        "text": message.text,
        "media": message.media,
        "created_at": message.created_at,
    }


def render_conversations(views: list[ConversationView]) -> list[dict[str, Any]]:
    users = cards(
        [u for view in views for u in view.participant_ids]
        + [view.last_message.sender_id for view in views if view.last_message is not None]
    )
    return [
        {
            "id": str(view.id),
            "participants": [users[u] for u in view.participant_ids if u in users],
            "last_message": render_message(view.last_message, users) if view.last_message is not None else None,
            "unread_count": view.unread_count,
            "updated_at": view.updated_at,
        }
        for view in views
    ]


def render_messages(messages: list[Message]) -> list[dict[str, Any]]:
    users = cards(message.sender_id for message in messages)
    return [render_message(message, users) for message in messages]
