"""Writes of the notifications context. Every function is idempotent: they run from
outbox events, which arrive at least once and in any order."""

from django.db import IntegrityError, transaction

from apps.follows import selectors as follow_selectors
from apps.notifications.models import GROUPED_KINDS, Kind, Notification, ReadMarker
from twitter import streams
from twitter.db.routing import mark_recent_write


def _group_key(*, kind: str, actor_id: int, tweet_id: int | None) -> str:
    if kind in GROUPED_KINDS:
        return f"{kind}:{tweet_id}"
    return f"{kind}:{actor_id}:{tweet_id or 0}"


def notification_create(*, recipient_id: int, actor_id: int, kind: Kind, tweet_id: int | None) -> int:
    """Notify `recipient_id` (and their live stream, if one is open). Returns 0 when they
    already were (a replayed event), when the actor acted on their own content, or when
    either of the two blocked the other."""
    if recipient_id == actor_id or follow_selectors.blocked_between(user_id=recipient_id, other_id=actor_id):
        return 0
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                recipient_id=recipient_id,
                actor_id=actor_id,
                kind=kind,
                tweet_id=tweet_id,
                group_key=_group_key(kind=kind, actor_id=actor_id, tweet_id=tweet_id),
            )
    except IntegrityError:
        return 0
    transaction.on_commit(lambda: streams.publish_notification(recipient_id, notification.id))
    return 1


def notification_delete(*, actor_id: int, kind: Kind, tweet_id: int | None, recipient_id: int | None = None) -> int:
    """Its cause was undone (unfollow, unlike, un-retweet)."""
    queryset = Notification.objects.filter(actor_id=actor_id, kind=kind, tweet_id=tweet_id)
    if recipient_id is not None:
        queryset = queryset.filter(recipient_id=recipient_id)
    deleted, _ = queryset.delete()
    return deleted


def notifications_delete_for_tweet(*, tweet_id: int) -> int:
    """A deleted tweet: its likes, retweets, and the replies or mentions it made."""
    deleted, _ = Notification.objects.filter(tweet_id=tweet_id).delete()
    return deleted


def notifications_mark_read(*, user_id: int, up_to_id: int) -> int:
    """Everything up to `up_to_id` is read. The marker never moves back; returns it."""
    with transaction.atomic():
        ReadMarker.objects.bulk_create([ReadMarker(user_id=user_id)], ignore_conflicts=True)
        marker = ReadMarker.objects.select_for_update().get(user_id=user_id)
        if up_to_id > marker.last_read_id:
            marker.last_read_id = up_to_id
            marker.save(update_fields=["last_read_id", "updated_at"])
        mark_recent_write(user_id)
    return marker.last_read_id


def notification_dismiss(*, user_id: int, notification_id: int) -> bool:
    """Remove one of the user's notifications (idempotent). True when one was removed."""
    deleted, _ = Notification.objects.filter(pk=notification_id, recipient_id=user_id).delete()
    if deleted:
        mark_recent_write(user_id)
    return bool(deleted)


def notifications_clear(*, user_id: int) -> int:
    """Remove all of the user's notifications; returns how many."""
    deleted, _ = Notification.objects.filter(recipient_id=user_id).delete()
    if deleted:
        mark_recent_write(user_id)
    return deleted
