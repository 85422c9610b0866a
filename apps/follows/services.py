"""Writes of the follows context."""

from django.db import IntegrityError, transaction

from apps.follows import selectors
from apps.follows.models import Block, Follow, Mute
from apps.users import selectors as user_selectors
from apps.users import services as user_services
from twitter import events
from twitter.errors import ApplicationError, PermissionDeniedError
from twitter.event_types import BlockCreated, BlockDeleted, FollowCreated, FollowDeleted, MuteCreated, MuteDeleted


def follow_create(*, follower_id: int, followee_id: int) -> bool:
    """Follow (idempotent). True when a new follow was made."""
    if follower_id == followee_id:
        raise ApplicationError("You cannot follow yourself.", code="cannot_follow_self")
    user_selectors.user_active_summary(user_id=followee_id)
    if selectors.blocked_between(user_id=follower_id, other_id=followee_id):
        raise PermissionDeniedError("You cannot follow this account.", code="blocked")
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


def block_create(*, blocker_id: int, blocked_id: int) -> bool:
    """Block (idempotent): the follows between the two end in both directions, at once.
    True when a new block was made."""
    if blocker_id == blocked_id:
        raise ApplicationError("You cannot block yourself.", code="cannot_block_self")
    user_selectors.user_get_any(user_id=blocked_id)
    with transaction.atomic():
        _, created = Block.objects.get_or_create(blocker_id=blocker_id, blocked_id=blocked_id)
        if not created:
            return False
        follow_delete(follower_id=blocker_id, followee_id=blocked_id)
        follow_delete(follower_id=blocked_id, followee_id=blocker_id)
        events.publish(BlockCreated(blocker_id=blocker_id, blocked_id=blocked_id), writer_id=blocker_id)
    return True


def block_delete(*, blocker_id: int, blocked_id: int) -> bool:
    """Unblock (idempotent); the follows are not restored. True when a block was removed."""
    with transaction.atomic():
        deleted, _ = Block.objects.filter(blocker_id=blocker_id, blocked_id=blocked_id).delete()
        if not deleted:
            return False
        events.publish(BlockDeleted(blocker_id=blocker_id, blocked_id=blocked_id), writer_id=blocker_id)
    return True


def mute_create(*, muter_id: int, muted_id: int) -> bool:
    """Mute (idempotent). True when a new mute was made."""
    if muter_id == muted_id:
        raise ApplicationError("You cannot mute yourself.", code="cannot_mute_self")
    user_selectors.user_get_any(user_id=muted_id)
    with transaction.atomic():
        _, created = Mute.objects.get_or_create(muter_id=muter_id, muted_id=muted_id)
        if created:
            events.publish(MuteCreated(muter_id=muter_id, muted_id=muted_id), writer_id=muter_id)
    return created


def mute_delete(*, muter_id: int, muted_id: int) -> bool:
    """Unmute (idempotent). True when a mute was removed."""
    with transaction.atomic():
        deleted, _ = Mute.objects.filter(muter_id=muter_id, muted_id=muted_id).delete()
        if not deleted:
            return False
        events.publish(MuteDeleted(muter_id=muter_id, muted_id=muted_id), writer_id=muter_id)
    return True
