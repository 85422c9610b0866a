"""Mastodon's Notification entity, from the notifications context's items."""

from collections.abc import Sequence
from typing import Any

from apps.mastodon.accounts import account, profiles
from apps.mastodon.statuses import statuses
from apps.notifications.selectors import Item
from apps.tweets import presentation

# Our kinds as Mastodon's types (a reply notifies as a mention does there).
TYPES = {"follow": "follow", "like": "favourite", "retweet": "reblog", "reply": "mention", "mention": "mention"}
KINDS_OF = {kind_type: [k for k, t in TYPES.items() if t == kind_type] for kind_type in set(TYPES.values())}


def kinds_for(types: list[str], excluded: list[str]) -> list[str] | None:
    """Our kinds for Mastodon's `types[]` / `exclude_types[]` (None: all of them)."""
    if not types and not excluded:
        return None
    wanted = [t for t in (types or list(KINDS_OF)) if t not in excluded]
    return sorted({kind for t in wanted for kind in KINDS_OF.get(t, [])})


def notifications(items: Sequence[Item], *, viewer_id: int, origin: str) -> list[dict[str, Any]]:
    actors = profiles.get({item.actor_id for item in items})
    tweet_ids = sorted({item.tweet_id for item in items if item.tweet_id is not None})
    shown = presentation.shown_by_id(tweet_ids=tweet_ids, viewer_id=viewer_id)
    by_id = {int(status["id"]): status for status in statuses(shown, origin)}
    out = []
    for item in items:
        actor = actors.get(item.actor_id)
        status = by_id.get(item.tweet_id) if item.tweet_id is not None else None
        if actor is None or (item.tweet_id is not None and status is None):
            continue  # the actor is gone, or the status is
        entity: dict[str, Any] = {
            "id": str(item.id),
            "type": TYPES.get(item.kind, item.kind),
            "group_key": f"ungrouped-{item.id}",
            "created_at": item.created_at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "account": account(actor, origin),
        }
        if status is not None:
            entity["status"] = status
        out.append(entity)
    return out
