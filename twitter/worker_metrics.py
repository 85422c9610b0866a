"""The worker's /metrics, on a port of its own (WORKER_METRICS_PORT; 0: none), served by
the worker's main process: the samples of its pool processes (twitter.metrics, in
multiprocess mode) and what is counted where it lives, read at each scrape: the outbox's
pending and unconfirmed events and the age of the oldest, dead letters not replayed, the
depth of each Celery queue, and how far the replica is behind the primary.

A scrape never fails for a source that is down: its series are left out and
`twitter_source_up{source}` says 0.
"""

import logging
import os
from collections.abc import Iterator
from typing import Any

from celery.signals import worker_init, worker_process_shutdown
from django.conf import settings
from django.db import DatabaseError, connections
from django.db.models import Count, Min
from django.utils import timezone
from prometheus_client import REGISTRY, CollectorRegistry, start_http_server
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


def _outbox() -> Iterator[GaugeMetricFamily]:
    from twitter.models import DeadLetter, OutboxEvent

    now = timezone.now()
    for name, rows, what in (
        ("pending", OutboxEvent.objects.filter(published_at__isnull=True), "not yet sent to the broker"),
        (
            "unconfirmed",
            OutboxEvent.objects.filter(published_at__isnull=False, done_at__isnull=True),
            "sent, some consumer has not confirmed yet",
        ),
    ):
        found = rows.aggregate(count=Count("id"), oldest=Min("created_at"))
        yield GaugeMetricFamily(f"twitter_outbox_{name}_events", f"Outbox events {what}", value=found["count"])
        age = (now - found["oldest"]).total_seconds() if found["oldest"] is not None else 0.0
        yield GaugeMetricFamily(
            f"twitter_outbox_oldest_{name}_age_seconds", f"Age of the oldest outbox event {what} (0: none)", value=age
        )
    dead = DeadLetter.objects.filter(replayed_at__isnull=True).count()
    yield GaugeMetricFamily("twitter_dead_letters", "Dead letters not replayed", value=dead)


def _queues() -> Iterator[GaugeMetricFamily]:
    import redis

    client = redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_timeout=2, socket_connect_timeout=2)
    try:
        depth = GaugeMetricFamily("twitter_celery_queue_depth", "Tasks waiting in each Celery queue", labels=["queue"])
        for queue in settings.CELERY_TASK_QUEUES:
            depth.add_metric([queue], client.llen(queue))
        yield depth
    finally:
        client.close()


def _replica() -> Iterator[GaugeMetricFamily]:
    """Each replica's lag (a replica that does not answer is left out: its breaker and
    the read-API's readiness say so)."""
    replicas = [
        alias
        for alias, url in zip(settings.REPLICA_ALIASES, settings.REPLICA_DATABASE_URLS, strict=True)
        if url != settings.DATABASE_URL
    ]
    if not replicas:
        return
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        (primary_lsn,) = cursor.fetchone()
    in_bytes = GaugeMetricFamily("twitter_replica_lag_bytes", "WAL a replica has not replayed yet", labels=["replica"])
    in_seconds = GaugeMetricFamily(
        "twitter_replica_lag_seconds",
        "Age of the last transaction a replica replayed while WAL waits (0: caught up)",
        labels=["replica"],
    )
    answered = 0
    for alias in replicas:
        try:
            with connections[alias].cursor() as cursor:
                cursor.execute(
                    "SELECT pg_wal_lsn_diff(%s::pg_lsn, pg_last_wal_replay_lsn()),"
                    " CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0"
                    " ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()) END",
                    [primary_lsn],
                )
                lag_bytes, lag_seconds = cursor.fetchone()
        except DatabaseError as exc:
            logger.warning("metrics: %s could not be read: %s", alias, exc)
            continue
        answered += 1
        in_bytes.add_metric([alias], max(0.0, float(lag_bytes or 0)))
        in_seconds.add_metric([alias], max(0.0, float(lag_seconds or 0)))
    if not answered:
        raise DatabaseError("no replica answers")
    yield in_bytes
    yield in_seconds


class StateCollector(Collector):
    """Counts read where they live, at each scrape."""

    sources = {"database": _outbox, "broker": _queues, "replica": _replica}

    def collect(self) -> Iterator[Any]:
        up = GaugeMetricFamily("twitter_source_up", "1 when the last scrape could read the source", labels=["source"])
        for name, read in self.sources.items():
            try:
                families = list(read())
            except (DatabaseError, RedisError) as exc:  # a source that is down must not fail the scrape
                logger.warning("metrics: %s could not be read: %s", name, exc)
                up.add_metric([name], 0)
                continue
            finally:
                for alias in ("default", *settings.REPLICA_ALIASES):
                    if not connections[alias].in_atomic_block:  # (a test's transaction)
                        connections[alias].close()  # the exporter's thread gives its connections back
            up.add_metric([name], 1)
            yield from families
        yield up


def registry() -> CollectorRegistry:
    """What the worker's exporter serves: every pool process's samples, and the state."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        combined = CollectorRegistry()
        multiprocess.MultiProcessCollector(combined)
    else:
        combined = REGISTRY
    combined.register(StateCollector())
    return combined


@worker_init.connect
def _serve(**kwargs: Any) -> None:
    port = int(settings.WORKER_METRICS_PORT)
    if port:
        start_http_server(port, addr=settings.WORKER_METRICS_HOST, registry=registry())
        logger.info("metrics on http://%s:%s/metrics", settings.WORKER_METRICS_HOST, port)


@worker_process_shutdown.connect
def _forget(pid: int | None = None, **kwargs: Any) -> None:
    """A pool process that ends leaves its live gauges behind (see twitter.metrics)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid or os.getpid())
