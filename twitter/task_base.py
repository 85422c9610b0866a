"""Defaults for every Celery task: at-least-once delivery with backoff, then a dead letter."""

import logging
from typing import Any

from billiard.einfo import ExceptionInfo
from celery import Task
from celery.signals import task_postrun, task_prerun
from django.db import InterfaceError, OperationalError, close_old_connections
from redis import ConnectionError as RedisConnectionError
from redis import TimeoutError as RedisTimeoutError
from redis.exceptions import ClusterError, RedisClusterException

logger = logging.getLogger(__name__)

# Failures worth retrying: a dependency that is down for now (a Redis Cluster with a node
# away answers CLUSTERDOWN, or has no node for a slot, until it is whole again).
TRANSIENT_ERRORS = (
    OperationalError,
    InterfaceError,
    RedisConnectionError,
    RedisTimeoutError,
    ClusterError,
    RedisClusterException,
)


class ReliableTask(Task):
    acks_late = True
    reject_on_worker_lost = True
    autoretry_for: tuple[type[Exception], ...] = TRANSIENT_ERRORS
    retry_backoff = 2
    retry_backoff_max = 300
    retry_jitter = True
    max_retries = 8

    def on_failure(
        self, exc: Exception, task_id: str, args: tuple[Any, ...], kwargs: dict[str, Any], einfo: ExceptionInfo
    ) -> None:
        """Retries are spent (or the error is not transient): keep the task for replay."""
        from twitter.models import DeadLetter

        try:
            DeadLetter.objects.create(
                task_name=self.name,
                args=list(args),
                kwargs=dict(kwargs),
                error=f"{type(exc).__name__}: {exc}"[:2000],
                traceback=str(einfo)[:20000],
            )
        except Exception:
            logger.exception("could not record dead letter for %s%r", self.name, args)


@task_prerun.connect
@task_postrun.connect
def _connections_between_tasks(*, task: Task | None = None, **kwargs: Any) -> None:
    """What Django does around each request, around each task: connections go back to the
    pool, and a broken or obsolete one is dropped. (Celery's own clean-up would close the
    pool, so it is told to reuse connections: CELERY_DB_REUSE_MAX.) Tasks run in a test's
    process (eagerly) are left alone: they are inside the test's transaction."""
    if task is not None and not getattr(task.request, "is_eager", False):
        close_old_connections()


@task_postrun.connect
def _confirm_event(
    *, task: Task | None = None, args: tuple[Any, ...] = (), state: str | None = None, **kwargs: Any
) -> None:
    """An event consumer that succeeded confirms its event (twitter.events.confirm): until
    then the sweep holds the event as undelivered."""
    from twitter import events

    if task is None or state != "SUCCESS" or not args or not events.is_consumer(task.name):
        return
    try:
        events.confirm([int(args[0])], task.name)
    except Exception:
        # Unconfirmed, the event is sent again later: a duplicate, never a loss.
        logger.warning("could not confirm event %s for %s", args[0], task.name, exc_info=True)
