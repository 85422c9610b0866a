"""Consumers of direct-message events: live delivery to the participants' streams."""

from typing import Any

from celery import shared_task

from twitter import streams
from twitter.event_types import MessageCreated, MessageDeleted
from twitter.task_base import ReliableTask

Payload = dict[str, Any]


@shared_task(base=ReliableTask, name="apps.messages.tasks.message_created_task")
def message_created_task(event_id: int, payload: Payload) -> None:
    event = MessageCreated.from_payload(payload)
    streams.publish_direct(
        event.participant_ids, event="message", message_id=event.message_id, conversation_id=event.conversation_id
    )


@shared_task(base=ReliableTask, name="apps.messages.tasks.message_deleted_task")
def message_deleted_task(event_id: int, payload: Payload) -> None:
    event = MessageDeleted.from_payload(payload)
    streams.publish_direct(
        event.participant_ids,
        event="message_deleted",
        message_id=event.message_id,
        conversation_id=event.conversation_id,
    )
