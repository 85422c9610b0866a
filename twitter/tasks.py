"""Periodic jobs of the kernel."""

import time
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from twitter import events, keys
from twitter.models import OutboxEvent
from twitter.redis import get_redis
from twitter.task_base import ReliableTask


@shared_task(base=ReliableTask, name="twitter.tasks.heartbeat_task")
def heartbeat_task() -> float:
    """Proves beat and a worker are alive: /health/ready reports its age."""
    now = time.time()
    get_redis().set(keys.beat_heartbeat(), now)
    return now


@shared_task(base=ReliableTask, name="twitter.tasks.outbox_sweep_task")
def outbox_sweep_task() -> int:
    """Publish events the after-commit relay could not (broker down, process killed)."""
    return events.sweep(older_than_seconds=settings.OUTBOX_SWEEP_AGE_SECONDS)


@shared_task(base=ReliableTask, name="twitter.tasks.outbox_prune_task")
def outbox_prune_task() -> int:
    """Delete published events past their retention."""
    cutoff = timezone.now() - timedelta(days=settings.OUTBOX_RETENTION_DAYS)
    deleted, _ = OutboxEvent.objects.filter(published_at__lt=cutoff).delete()
    return deleted
