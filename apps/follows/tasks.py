"""Who-to-follow in the worker: a user's suggestions computed when a read asks for them,
and again when their follows, blocks or mutes change (consumers of graph events,
idempotent: a replay computes the same list)."""

from typing import Any

from celery import shared_task

from apps.follows import suggestions
from twitter.event_types import BlockCreated, FollowCreated, MuteCreated
from twitter.task_base import ReliableTask

Payload = dict[str, Any]


@shared_task(name=suggestions.COMPUTE_TASK)
def suggestions_compute_task(user_id: int) -> int:
    """A read found no suggestions for `user_id` (suggestions.ask_worker)."""
    return len(suggestions.refresh(user_id=user_id))


@shared_task(base=ReliableTask, name="apps.follows.tasks.suggestions_after_follow_task")
def suggestions_after_follow_task(event_id: int, payload: Payload) -> None:
    suggestions.refresh_if_cached(user_id=FollowCreated.from_payload(payload).follower_id)


@shared_task(base=ReliableTask, name="apps.follows.tasks.suggestions_after_block_task")
def suggestions_after_block_task(event_id: int, payload: Payload) -> None:
    event = BlockCreated.from_payload(payload)
    for user_id in (event.blocker_id, event.blocked_id):
        suggestions.refresh_if_cached(user_id=user_id)


@shared_task(base=ReliableTask, name="apps.follows.tasks.suggestions_after_mute_task")
def suggestions_after_mute_task(event_id: int, payload: Payload) -> None:
    suggestions.refresh_if_cached(user_id=MuteCreated.from_payload(payload).muter_id)
