"""The outbox relay of a Celery worker (OUTBOX_RELAY="worker", the default).

A thread in the worker's main process sends committed events to their consumers, so the
request that wrote them does no broker work. The write path pushes to
`keys.outbox_wake()` after each commit with events (in the Redis batch it sends anyway);
the relay waits on that list for at most OUTBOX_RELAY_IDLE_SECONDS, empties it, then
sends every unpublished event, oldest first, in batches of OUTBOX_RELAY_BATCH: one query
claims a batch (SKIP LOCKED: the relays of several workers share the work), the broker
gets its messages, one UPDATE marks them. The list is emptied *before* the outbox is
read, so an event committed meanwhile wakes the relay again: none waits for the idle
timeout unless Redis is down (and then the timeout is how long it waits at most).
"""

import logging
import threading
from typing import Any

import redis
from celery.signals import worker_ready, worker_shutdown
from django.conf import settings
from django.db import close_old_connections

from twitter import events, keys
from twitter.redis import connect, get_redis, redis_errors

logger = logging.getLogger(__name__)


class Relay(threading.Thread):
    def __init__(self) -> None:
        super().__init__(name="outbox-relay", daemon=True)
        self._stopping = threading.Event()
        idle = float(settings.OUTBOX_RELAY_IDLE_SECONDS)
        self._idle = idle
        # Its own connection: it blocks for longer than the shared client's timeout.
        self._redis = connect(
            settings.REDIS_URL, socket_timeout=idle + 2, socket_connect_timeout=settings.REDIS_SOCKET_TIMEOUT
        )

    def stop(self) -> None:
        """Ends the thread; a wake-up ends its wait at once (without Redis, the wait runs
        out: at most the idle timeout)."""
        self._stopping.set()
        try:
            get_redis().rpush(keys.outbox_wake(), 1)
        except redis_errors as exc:
            logger.info("outbox relay: no wake-up for the stop (%s); it ends within %.0fs", exc, self._idle)
        self.join(timeout=self._idle + 5)

    def run(self) -> None:
        logger.info("outbox relay started")
        while not self._stopping.is_set():
            try:
                self.wait_for_work()
                events.sweep(older_than_seconds=0, batch_size=settings.OUTBOX_RELAY_BATCH, count_attempts=False)
            except Exception:
                logger.warning("outbox relay: a round failed; trying again", exc_info=True)
                self._stopping.wait(self._idle)
            finally:
                close_old_connections()  # back to the pool; a broken connection is dropped

    def wait_for_work(self) -> None:
        """Until a commit wakes the relay, or the idle timeout; then forget the wake-ups."""
        try:
            if self._redis.blpop([keys.outbox_wake()], timeout=self._idle) is not None:
                self._redis.delete(keys.outbox_wake())
        except redis.RedisError as exc:
            logger.warning("outbox relay: Redis unavailable (%s); polling the outbox", exc)
            self._stopping.wait(self._idle)


_relay: Relay | None = None


@worker_ready.connect
def _start(**kwargs: Any) -> None:
    global _relay
    if settings.OUTBOX_RELAY == "worker" and _relay is None:
        _relay = Relay()
        _relay.start()


@worker_shutdown.connect
def _stop(**kwargs: Any) -> None:
    global _relay
    if _relay is not None:
        _relay.stop()
        _relay = None
