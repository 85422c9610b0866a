"""Defaults for every Celery task: at-least-once delivery with backoff."""

from celery import Task
from django.db import InterfaceError, OperationalError
from redis import ConnectionError as RedisConnectionError
from redis import TimeoutError as RedisTimeoutError

# Failures worth retrying: a dependency that is down for now.
TRANSIENT_ERRORS = (OperationalError, InterfaceError, RedisConnectionError, RedisTimeoutError)


class ReliableTask(Task):
    acks_late = True
    reject_on_worker_lost = True
    autoretry_for = TRANSIENT_ERRORS
    retry_backoff = 2
    retry_backoff_max = 300
    retry_jitter = True
    max_retries = 8
