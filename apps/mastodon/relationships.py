"""Mastodon's Relationship entity, from the follows context's relations."""

from typing import Any

from apps.follows import selectors as follow_selectors


def relationships(viewer_id: int, others: list[int], *, using: str | None = None) -> list[dict[str, Any]]:
    found = follow_selectors.relations(viewer_id=viewer_id, others=others, using=using)
    return [
        {
            "id": str(other),
            "following": relation.following,
            "showing_reblogs": relation.following,
            "notifying": False,
            "languages": None,
            "followed_by": relation.followed_by,
            "blocking": relation.blocking,
            "blocked_by": relation.blocked_by,
            "muting": relation.muting,
            "muting_notifications": relation.muting,
            "requested": False,
            "requested_by": False,
            "domain_blocking": False,
            "endorsed": False,
            "note": "",
        }
        for other, relation in found.items()
    ]
