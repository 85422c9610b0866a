"""Defaults for every Celery task: at-least-once delivery with backoff, then a dead letter."""

import logging
import time
from typing import Any

from billiard.einfo import ExceptionInfo
from celery import Task
from celery.signals import task_postrun, task_prerun, task_retry
from django.db import InterfaceError, OperationalError, close_old_connections
from redis import ConnectionError as RedisConnectionError
from redis import TimeoutError as RedisTimeoutError
from redis.exceptions import ClusterError, RedisClusterException

from twitter import logging as logs
from twitter import metrics

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

        metrics.TASK_FAILURES.labels(self.name).inc()
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


_LOG_SCOPE, _STARTED = "log_scope", "log_started"
task_logger = logging.getLogger("twitter.tasks.runs")


@task_prerun.connect
def _log_scope_begins(
    *, task: Task | None = None, task_id: str = "", args: tuple[Any, ...] = (), **kwargs: Any
) -> None:
    """Every line a task logs says which task, which attempt, which event and which
    request caused it (the event's X-Request-ID, sent as a message header)."""
    from twitter import events

    if task is None:
        return
    request = task.request
    fields: dict[str, Any] = {"task": task.name, "task_id": task_id, "attempt": int(request.retries or 0) + 1}
    setattr(request, _STARTED, time.perf_counter())
    if args and events.is_consumer(task.name):
        fields["event_id"] = args[0]
    request_id = getattr(request, "request_id", None) or (getattr(request, "headers", None) or {}).get("request_id")
    if request_id:
        fields["request_id"] = request_id
    setattr(request, _LOG_SCOPE, logs.enter(**fields))  # Celery's Context takes any attribute


@task_postrun.connect
def _log_scope_ends(*, task: Task | None = None, state: str | None = None, **kwargs: Any) -> None:
    """One line per task run, with its scope's fields: how it ended and how long it took."""
    if task is None:
        return
    scope = getattr(task.request, _LOG_SCOPE, None)
    if scope is None:
        return
    started = getattr(task.request, _STARTED, None)
    duration = round((time.perf_counter() - started) * 1000, 2) if started is not None else None
    task_logger.info("task %s", (state or "done").lower(), extra={"state": state, "duration_ms": duration})
    if duration is not None:
        metrics.TASK_DURATION.labels(task.name, state or "UNKNOWN").observe(duration / 1000)
    setattr(task.request, _LOG_SCOPE, None)
    logs.leave(scope)


@task_retry.connect
def _count_retry(*, sender: Task | None = None, **kwargs: Any) -> None:
    if sender is not None:
        metrics.TASK_RETRIES.labels(sender.name).inc()


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
