"""Outbox events: every side effect leaves the transaction as a row, then a message.

`publish()` writes an OutboxEvent in the caller's transaction. After commit:
1. local handlers run in this process (quick, best-effort effects such as hiding an
   unfollowed author at once; every one of them is repeated by a consumer task);
2. the relay sends one Celery message per subscribed task and marks the event published.
If the broker is down, events stay unpublished and `outbox_sweep_task` sends them later.
Delivery is at-least-once: every consumer is idempotent.
"""

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from twitter.db.breaker import CircuitBreaker
from twitter.models import OutboxEvent

logger = logging.getLogger(__name__)

Payload = dict[str, Any]
LocalHandler = Callable[[Payload], None]

Relevant = Callable[[Payload], bool]

_subscribers: dict[str, dict[str, Relevant | None]] = defaultdict(dict)
_local_handlers: dict[str, list[LocalHandler]] = defaultdict(list)
broker_breaker = CircuitBreaker("broker", cooldown=settings.BROKER_BREAKER_COOLDOWN)


def subscribe(event_type: str, task_name: str, *, when: Relevant | None = None) -> None:
    """Deliver every `event_type` event to the Celery task `task_name(event_id, payload)`,
    or only those `when(payload)` accepts: a consumer that would do nothing with an event
    says so here, and no message (and no task run) is spent on it."""
    _subscribers[event_type].setdefault(task_name, when)


def on_commit_locally(event_type: str, handler: LocalHandler) -> None:
    """Run `handler(payload)` in the publishing process right after commit."""
    if handler not in _local_handlers[event_type]:
        _local_handlers[event_type].append(handler)


def subscribers(event_type: str, payload: Payload | None = None) -> list[str]:
    """The tasks subscribed to `event_type`; given a payload, those it is relevant to."""
    subscribed = _subscribers.get(event_type, {})
    if payload is None:
        return list(subscribed)
    return [task for task, when in subscribed.items() if when is None or when(payload)]


def publish(event_type: str, payload: Payload) -> OutboxEvent:
    """Record an event in the current transaction; it is delivered after commit."""
    event = OutboxEvent.objects.create(event_type=event_type, payload=payload)
    transaction.on_commit(lambda: _after_commit(event), robust=True)
    return event


def _after_commit(event: OutboxEvent) -> None:
    for handler in _local_handlers.get(event.event_type, ()):
        try:
            handler(event.payload)
        except Exception:
            logger.warning("local handler %s for %s failed", handler.__qualname__, event, exc_info=True)
    relay([event])


def _send(event: OutboxEvent) -> None:
    # The arguments' repr for logs and monitoring is given: Celery would otherwise build
    # it with saferepr on every send, a sizeable part of a tweet's cost on the write-API.
    argsrepr = f"({event.id}, <{event.event_type} payload>)"
    for task_name in subscribers(event.event_type, event.payload):
        current_app.send_task(
            task_name,
            args=[event.id, event.payload],
            retry=False,
            headers={"event_type": event.event_type},
            argsrepr=argsrepr,
            kwargsrepr="{}",
        )


def relay(events: Iterable[OutboxEvent]) -> int:
    """Send events to their consumers; return how many were published."""
    published: list[int] = []
    for event in events:
        if not broker_breaker.allow():
            break
        try:
            _send(event)
        except Exception:
            broker_breaker.record_failure()
            logger.warning("broker unavailable; %s waits in the outbox", event, exc_info=True)
            break
        broker_breaker.record_success()
        published.append(event.id)
    if published:
        OutboxEvent.objects.filter(id__in=published).update(published_at=timezone.now())
    return len(published)


def sweep(*, older_than_seconds: float, batch_size: int = 500) -> int:
    """Send events that were not published right after commit (broker down, process killed)."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    total = 0
    while True:
        with transaction.atomic():
            events = list(
                OutboxEvent.objects.select_for_update(skip_locked=True)
                .filter(published_at__isnull=True, created_at__lte=cutoff)
                .order_by("id")[:batch_size]
            )
            if not events:
                return total
            OutboxEvent.objects.filter(id__in=[e.id for e in events]).update(attempts=F("attempts") + 1)
            sent = relay(events)
        total += sent
        if sent < len(events):
            return total
