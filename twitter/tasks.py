"""Periodic jobs of the kernel."""

import logging
import time
from datetime import timedelta
from typing import Any

from celery import current_app, shared_task
from django.conf import settings
from django.utils import timezone

from twitter import events, keys, relay, task_leases  # noqa: F401  # the worker's relay and lease renewal start with it
from twitter import logging as logs
from twitter.models import IdempotentRequest, OutboxEvent
from twitter.redis import get_redis
from twitter.task_base import ReliableTask

logger = logging.getLogger(__name__)


@shared_task(base=ReliableTask, name="twitter.tasks.heartbeat_task")
def heartbeat_task() -> float:
    """Proves beat and a worker are alive: /health/ready reports its age."""
    now = time.time()
    get_redis().set(keys.beat_heartbeat(), now)
    return now


@shared_task(base=ReliableTask, name=events.BATCH_TASK)
def deliver_batch_task(task_name: str, items: list[list[Any]]) -> int:
    """Run the consumer `task_name` on several events in turn, as if each had its own
    message (the relay sends one when several events for one consumer are pending). An
    event whose run fails goes back to the broker alone, to be retried (and dead-lettered)
    as any task is; the others are not run again. Returns how many ran here."""
    consumer = current_app.tasks[task_name]
    run = getattr(consumer, "_orig_run", consumer.run)  # the function, without its own retry wrapper
    done: list[int] = []
    for event_id, payload, *caused_by in items:
        try:
            with logs.scope(event_id=event_id, request_id=caused_by[0] if caused_by else None):
                run(event_id, payload)
            done.append(event_id)
        except Exception:
            logger.warning("%s failed on event %s; retried on its own", task_name, event_id, exc_info=True)
            consumer.apply_async(args=(event_id, payload), queue=events.queue_of(task_name))
    events.confirm(done, task_name)
    return len(done)


@shared_task(base=ReliableTask, name="twitter.tasks.outbox_sweep_task")
def outbox_sweep_task() -> int:
    """Publish events the relay could not (broker down, process killed), and send again
    those some consumer did not confirm in time (the broker or a worker lost them)."""
    sent = events.sweep(older_than_seconds=settings.OUTBOX_SWEEP_AGE_SECONDS)
    resent, _ = events.resend_unconfirmed(
        older_than_seconds=settings.OUTBOX_CONFIRM_SECONDS, max_attempts=settings.OUTBOX_MAX_ATTEMPTS
    )
    return sent + resent


@shared_task(base=ReliableTask, name="twitter.tasks.outbox_prune_task")
def outbox_prune_task() -> int:
    """Delete delivered events past their retention."""
    cutoff = timezone.now() - timedelta(days=settings.OUTBOX_RETENTION_DAYS)
    deleted, _ = OutboxEvent.objects.filter(done_at__lt=cutoff).delete()
    return deleted


@shared_task(base=ReliableTask, name="twitter.tasks.idempotency_prune_task")
def idempotency_prune_task() -> int:
    """Forget answers kept for Idempotency-Key retries past IDEMPOTENCY_KEY_HOURS."""
    cutoff = timezone.now() - timedelta(hours=settings.IDEMPOTENCY_KEY_HOURS)
    deleted, _ = IdempotentRequest.objects.filter(created_at__lt=cutoff).delete()
    return deleted
