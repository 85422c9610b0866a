"""Mastodon's Conversation entity: a direct-message conversation, its last message shown as
a direct status."""

from collections.abc import Sequence
from typing import Any

from apps.mastodon.accounts import account, profiles
from apps.mastodon.statuses import direct_status
from apps.messages.selectors import ConversationView
from apps.tweets import entities
from apps.users import selectors as user_selectors


def conversations(views: Sequence[ConversationView], *, viewer_id: int, origin: str) -> list[dict[str, Any]]:
    people = profiles.get(
        {u for view in views for u in view.participant_ids}
        | {view.last_message.sender_id for view in views if view.last_message is not None}
    )
    texts = [view.last_message.text for view in views if view.last_message is not None]
    mentioned = user_selectors.user_ids_by_username(usernames=[m.value for t in texts for m in entities.mentions(t)])
    out = []
    for view in views:
        last = None
        message = view.last_message
        if message is not None and message.sender_id in people:
            last = direct_status(
                message_id=message.id,
                text=message.text,
                created_at=message.created_at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                media=list(message.media or []),
                author=people[message.sender_id],
                mentioned=mentioned,
                origin=origin,
            )
        out.append(
            {
                "id": str(view.id),
                "unread": view.unread_count > 0,
                "accounts": [
                    account(people[u], origin) for u in view.participant_ids if u != viewer_id and u in people
                ],
                "last_status": last,
            }
        )
    return out
