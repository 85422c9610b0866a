"""Outbox events: every side effect leaves the transaction as a row, then a message.

`publish(TweetCreated(...))` writes an OutboxEvent (the event's type and payload, see
`twitter.event_types`) in the caller's transaction. After commit:
1. local handlers run in this process (quick, best-effort effects such as showing a tweet
   to its author at once; every one of them is repeated by a consumer task). They get the
   event's payload, what the publisher still holds in memory (`context`: the tweet row,
   so nothing is read back), and one Redis batch that all of them share: one round trip;
2. the relay sends one Celery message per subscribed task and marks the event published.
   With OUTBOX_RELAY="worker" (the default) the relay runs in the Celery worker
   (`twitter.relay`), woken through that same batch, and sends events in batches: the
   request does no broker work. With "inline" the request sends its own events.
If the broker is down, events stay unpublished and `outbox_sweep_task` sends them later.

An event is delivered when its consumers say so, not when the broker took the messages:
each consumer task confirms the events it finished (`confirm`, called by the worker after
the task succeeded), and the sweep sends an event again to the consumers that did not
confirm it within OUTBOX_CONFIRM_SECONDS (`resend_unconfirmed`), up to
OUTBOX_MAX_ATTEMPTS times, then leaves a dead letter per missing consumer. A broker that
loses everything it held therefore loses no event. Delivery is at-least-once: every
consumer is idempotent.
"""

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Generic, TypeVar

from celery import Task, current_app
from django.conf import settings
from django.db import connections, transaction
from django.db.models import F
from django.utils import timezone

from twitter import keys
from twitter import logging as logs
from twitter.db.breaker import CircuitBreaker
from twitter.db.routing import mark_recent_write
from twitter.db.rows import insert_row
from twitter.event_types import Event
from twitter.models import DeadLetter, OutboxEvent
from twitter.redis import Batch, redis_errors

logger = logging.getLogger(__name__)

Payload = dict[str, Any]
E = TypeVar("E", bound=Event)


@dataclass
class Committed(Generic[E]):
    """An event as its local handlers see it, right after its transaction committed."""

    event: E
    # What the publisher held in memory (e.g. {"tweet": <Tweet>}); never stored.
    context: dict[str, Any] = field(default_factory=dict)
    # Redis commands of every handler of this event, sent together after the last one.
    redis: Batch = field(default_factory=Batch)


LocalHandler = Callable[[Committed[Any]], None]


@dataclass(frozen=True)
class _Subscription:
    event: type[Event]
    when: Callable[[Any], bool] | None
    batched: bool = True


_subscribers: dict[str, dict[str, _Subscription]] = defaultdict(dict)
_local_handlers: dict[str, list[LocalHandler]] = defaultdict(list)
broker_breaker = CircuitBreaker("broker", cooldown=settings.BROKER_BREAKER_COOLDOWN)


def subscribe(
    event: type[E], task: Task | str, *, when: Callable[[E], bool] | None = None, batched: bool = True
) -> None:
    """Deliver every `event` to the Celery task `task(event_id, payload)` (its body reads
    the payload with `event.from_payload`), or only those `when(event)` accepts: a
    consumer that would do nothing with an event says so here, and no message (and no
    task run) is spent on it. Several pending events go to a consumer in one message
    unless `batched` is false (events meant to be worked on in parallel)."""
    name = task if isinstance(task, str) else str(task.name)
    _subscribers[event.TYPE].setdefault(name, _Subscription(event, when, batched))


def on_commit_locally(event: type[E]) -> Callable[[Callable[[Committed[E]], None]], Callable[[Committed[E]], None]]:
    """Decorator: run the handler in the publishing process right after an `event` commits
    (best effort: each such effect is repeated by a consumer task)."""

    def register(handler: Callable[[Committed[E]], None]) -> Callable[[Committed[E]], None]:
        if handler not in _local_handlers[event.TYPE]:
            _local_handlers[event.TYPE].append(handler)
        return handler

    return register


def subscribers(event_type: str, payload: Payload | None = None) -> list[str]:
    """The tasks subscribed to `event_type`; given a payload, those it is relevant to."""
    subscribed = _subscribers.get(event_type, {})
    if payload is None:
        return list(subscribed)
    parsed: dict[type[Event], Event] = {}
    chosen = []
    for task, subscription in subscribed.items():
        if subscription.when is not None:
            event = parsed.get(subscription.event) or subscription.event.from_payload(payload)
            parsed[subscription.event] = event
            if not subscription.when(event):
                continue
        chosen.append(task)
    return chosen


def local_handlers(event_type: str) -> list[LocalHandler]:
    return list(_local_handlers.get(event_type, ()))


def publish(event: Event, *, context: dict[str, Any] | None = None, writer_id: int | None = None) -> OutboxEvent:
    """Record `event` in the current transaction; it is delivered after commit. `context`
    is handed to local handlers as is (objects the publisher has in memory); `writer_id`
    is the user whose next reads must see this write (`routing.mark_recent_write`, done
    in the after-commit batch)."""
    request_id = logs.current_request_id()
    row = OutboxEvent(
        event_type=event.TYPE, payload=event.payload(), request_id="" if request_id == "-" else request_id
    )
    insert_row(row)  # one per write: without the ORM's per-save work
    transaction.on_commit(lambda: _after_commit(row, event, context or {}, writer_id), robust=True)
    return row


def _after_commit(row: OutboxEvent, event: Event, context: dict[str, Any], writer_id: int | None) -> None:
    committed = Committed(event=event, context=context)
    if writer_id is not None:
        mark_recent_write(writer_id, batch=committed.redis)
    for handler in _local_handlers.get(event.TYPE, ()):
        try:
            handler(committed)
        except Exception:
            logger.warning("local handler %s for %s failed", handler.__qualname__, row, exc_info=True)
    inline = settings.OUTBOX_RELAY == "inline"
    if not inline:
        committed.redis.pipe.lpush(keys.outbox_wake(), 1)
    try:
        committed.redis.execute()
    except redis_errors:
        # Every effect is repeated by a consumer; the relay finds the event when it next looks.
        logger.warning("could not run the after-commit effects of %s", row, exc_info=True)
    if inline:
        relay([row])


BATCH_TASK = "twitter.tasks.deliver_batch_task"


def queue_of(task_name: str) -> str:
    """The queue CELERY_TASK_ROUTES gives a task (else the default queue)."""
    route = settings.CELERY_TASK_ROUTES.get(task_name) or {}
    return str(route.get("queue", settings.CELERY_TASK_DEFAULT_QUEUE))


def _deliveries(events: Iterable[OutboxEvent]) -> dict[str, list[OutboxEvent]]:
    """The events each consumer is to get (those its `when` accepts)."""
    deliveries: dict[str, list[OutboxEvent]] = defaultdict(list)
    for event in events:
        for task_name in subscribers(event.event_type, event.payload):
            deliveries[task_name].append(event)
    return deliveries


def _send(deliveries: dict[str, list[OutboxEvent]], *, waiting: str) -> bool:
    """One message per consumer for every OUTBOX_DELIVERY_BATCH events it gets (one per
    event for a consumer subscribed with `batched=False`): a single
    event goes to the consumer task itself, several to `deliver_batch_task`, which runs
    the consumer on each in turn (one broker message and one task run for the lot).
    Through the broker's breaker: False when the broker is unavailable (what `waiting`
    names then waits)."""
    if not broker_breaker.allow():
        return False
    try:
        for task_name, delivered in deliveries.items():
            size = max(1, int(settings.OUTBOX_DELIVERY_BATCH)) if _batched(task_name) else 1
            for start in range(0, len(delivered), size):
                _send_one(task_name, delivered[start : start + size])
    except Exception:
        broker_breaker.record_failure()
        logger.warning("broker unavailable; %s wait", waiting, exc_info=True)
        return False
    broker_breaker.record_success()
    return True


def _batched(task_name: str) -> bool:
    return all(subscribed[task_name].batched for subscribed in _subscribers.values() if task_name in subscribed)


def _send_one(task_name: str, events: list[OutboxEvent]) -> None:
    # The arguments' repr for logs and monitoring is given: Celery would otherwise build
    # it with saferepr on every send, a sizeable part of a send's cost.
    if len(events) == 1:
        event = events[0]
        name, args = task_name, [event.id, event.payload]
        argsrepr = f"({event.id}, <{event.event_type} payload>)"
    else:
        # Each event with the request that caused it (a batch mixes several).
        name, args = BATCH_TASK, [task_name, [[event.id, event.payload, event.request_id] for event in events]]
        argsrepr = f"({task_name}, <{len(events)} events from {events[0].id}>)"
    current_app.send_task(
        name,
        args=args,
        queue=queue_of(task_name),
        retry=False,
        headers={"event_type": events[0].event_type, "request_id": events[0].request_id},
        argsrepr=argsrepr,
        kwargsrepr="{}",
    )


def relay(events: Iterable[OutboxEvent]) -> int:
    """Send events to their consumers; return how many were published."""
    batch = list(events)
    if not batch or not _send(_deliveries(batch), waiting=f"{len(batch)} event(s) from {batch[0]} in the outbox"):
        return 0
    OutboxEvent.objects.filter(id__in=[event.id for event in batch]).update(published_at=timezone.now())
    return len(batch)


def sweep(*, older_than_seconds: float, batch_size: int = 500, count_attempts: bool = True) -> int:
    """Send unpublished events at least `older_than_seconds` old, oldest first, a batch per
    transaction; stop when none is left or the broker fails. Several callers share the
    work (each batch is claimed with SKIP LOCKED). Return how many were sent.

    The beat's sweep sends what the relay left (broker down, process killed) and counts
    attempts; the worker's relay (`twitter.relay`) sends everything as it commits."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    total = 0
    while True:
        with transaction.atomic():
            pending = OutboxEvent.objects.select_for_update(skip_locked=True).filter(published_at__isnull=True)
            if older_than_seconds > 0:
                pending = pending.filter(created_at__lte=cutoff)
            batch = list(pending.order_by("id")[:batch_size])
            if not batch:
                return total
            if count_attempts:
                OutboxEvent.objects.filter(id__in=[e.id for e in batch]).update(attempts=F("attempts") + 1)
            sent = relay(batch)
        total += sent
        if sent < len(batch):
            return total


def is_consumer(task_name: str) -> bool:
    """Whether `task_name` consumes events (its arguments are `event_id, payload`)."""
    return any(task_name in subscribed for subscribed in _subscribers.values())


def confirm(event_ids: list[int], consumer: str) -> None:
    """Record that `consumer` finished with these events (its work is committed)."""
    if not event_ids:
        return
    table = OutboxEvent._meta.db_table
    with connections["default"].cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET confirmed = array_append(confirmed, %s)"  # noqa: S608
            " WHERE id = ANY(%s) AND NOT (%s = ANY(confirmed))",
            [consumer, event_ids, consumer],
        )


def resend_unconfirmed(*, older_than_seconds: float, max_attempts: int, batch_size: int = 500) -> tuple[int, int]:
    """For events published at least `older_than_seconds` ago and not done: mark done
    those every consumer confirmed; send the others again to the consumers that did not
    confirm (the broker may have lost the messages, or a worker its task); past
    `max_attempts`, leave a dead letter per missing consumer and give up. Returns (events
    sent again, events given up)."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    resent = given_up = 0
    while True:
        with transaction.atomic():
            batch = list(
                OutboxEvent.objects.select_for_update(skip_locked=True)
                .filter(published_at__lte=cutoff, done_at__isnull=True)
                .order_by("id")[:batch_size]
            )
            if not batch:
                return resent, given_up
            done: list[int] = []
            missing: dict[str, list[OutboxEvent]] = defaultdict(list)
            for event in batch:
                absent = [task for task in subscribers(event.event_type, event.payload) if task not in event.confirmed]
                if not absent:
                    done.append(event.id)
                elif event.attempts >= max_attempts:
                    DeadLetter.objects.bulk_create(
                        DeadLetter(
                            task_name=task,
                            args=[event.id, event.payload],
                            error=f"not confirmed after {event.attempts} deliveries",
                        )
                        for task in absent
                    )
                    done.append(event.id)
                    given_up += 1
                else:
                    for task in absent:
                        missing[task].append(event)
            OutboxEvent.objects.filter(id__in=done).update(done_at=timezone.now())
            again = sorted({event.id for events in missing.values() for event in events})
            if again:
                if not _send(missing, waiting=f"{len(again)} unconfirmed event(s)"):
                    return resent, given_up
                OutboxEvent.objects.filter(id__in=again).update(attempts=F("attempts") + 1, published_at=timezone.now())
                logger.warning("sent %d unconfirmed event(s) again, from %s", len(again), again[0])
                resent += len(again)
        if len(batch) < batch_size:
            return resent, given_up
