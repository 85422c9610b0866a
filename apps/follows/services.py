"""Writes of the follows context."""

from django.db import IntegrityError, transaction

from apps.follows.models import Follow
from apps.users import selectors as user_selectors
from apps.users import services as user_services
from twitter import events
from twitter.errors import ApplicationError
from twitter.event_types import FollowCreated, FollowDeleted


def follow_create(*, follower_id: int, followee_id: int) -> bool:
    """Follow (idempotent). True when a new follow was made."""
    if follower_id == followee_id:
        raise ApplicationError("You cannot follow yourself.", code="cannot_follow_self")
    user_selectors.user_active_summary(user_id=followee_id)
    with transaction.atomic():
        try:
            with transaction.atomic():
                follow = Follow.objects.create(follower_id=follower_id, followee_id=followee_id)
        except IntegrityError:
            return False  # already following (or a concurrent request just made it)
        user_services.user_counters_adjust(
            deltas={follower_id: {"following_count": 1}, followee_id: {"followers_count": 1}}
        )
        events.publish(FollowCreated(follower_id=follower_id, followee_id=followee_id, follow_id=follow.id))
    return True


def follow_delete(*, follower_id: int, followee_id: int) -> bool:
    """Unfollow (idempotent). True when a follow was removed."""
    with transaction.atomic():
        deleted, _ = Follow.objects.filter(follower_id=follower_id, followee_id=followee_id).delete()
        if not deleted:
            return False
        user_services.user_counters_adjust(
            deltas={follower_id: {"following_count": -1}, followee_id: {"followers_count": -1}}
        )
        events.publish(FollowDeleted(follower_id=follower_id, followee_id=followee_id))
    return True
