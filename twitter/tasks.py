"""Periodic jobs of the kernel."""

import time

from celery import shared_task

from twitter import keys
from twitter.redis import get_redis
from twitter.task_base import ReliableTask


@shared_task(base=ReliableTask, name="twitter.tasks.heartbeat_task")
def heartbeat_task() -> float:
    """Proves beat and a worker are alive: /health/ready reports its age."""
    now = time.time()
    get_redis().set(keys.beat_heartbeat(), now)
    return now
