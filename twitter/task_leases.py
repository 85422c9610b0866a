"""Leases on the tasks a worker holds, so that a dead worker's tasks come back in seconds.

The Redis broker delivers a task again when it was not acknowledged within the
visibility timeout (kombu keeps unacknowledged deliveries in a sorted set scored by
delivery time, and every worker restores the expired ones). A long timeout makes a
killed worker's tasks wait that long; a short one hands a merely slow task to a second
worker. So the timeout is short (CELERY_VISIBILITY_TIMEOUT, 20 s) and a thread in each
worker's main process renews, every TASK_LEASE_RENEW_SECONDS, the delivery time of every
task the worker holds (received, waiting for an ETA, or running): a live worker keeps
its tasks however long they run; a dead one stops renewing, and its tasks are delivered
again about a visibility timeout after its last renewal.
"""

import logging
import threading
import time
from typing import Any

import redis
from celery.signals import worker_ready, worker_shutdown
from celery.worker import state
from django.conf import settings

logger = logging.getLogger(__name__)


def held_delivery_tags() -> list[str]:
    """The broker's delivery tags of every task this worker holds now."""
    for _ in range(3):
        try:
            requests = tuple(state.requests.values())
        except RuntimeError:  # changed while copied (the consumer thread): copy again
            continue
        return [str(request.message.delivery_tag) for request in requests if request.message.delivery_tag]
    return []


class LeaseRenewer(threading.Thread):
    def __init__(self, index_key: str) -> None:
        super().__init__(name="task-lease-renewer", daemon=True)
        self.index_key = index_key
        self.interval = float(settings.TASK_LEASE_RENEW_SECONDS)
        self._stopping = threading.Event()
        timeout = settings.CELERY_BROKER_CONNECTION_TIMEOUT
        self._redis = redis.Redis.from_url(
            settings.CELERY_BROKER_URL, socket_timeout=timeout, socket_connect_timeout=timeout
        )

    def stop(self) -> None:
        self._stopping.set()
        self.join(timeout=self.interval + 5)

    def run(self) -> None:
        logger.info("task lease renewal started (every %ss)", self.interval)
        while not self._stopping.wait(self.interval):
            self.renew()

    def renew(self) -> int:
        """Move the held deliveries' time to now; only ones still unacknowledged (XX)."""
        tags = held_delivery_tags()
        if not tags:
            return 0
        try:
            renewed = self._redis.zadd(self.index_key, dict.fromkeys(tags, time.time()), xx=True, ch=True)
            return int(renewed or 0)
        except redis.RedisError as exc:
            logger.warning("task lease renewal: broker unavailable (%s)", exc)
            return 0


_renewer: LeaseRenewer | None = None


@worker_ready.connect
def _start(sender: Any = None, **kwargs: Any) -> None:
    """Only on a Redis broker: another broker notices a dead worker by its connection."""
    global _renewer
    channel = sender.connection.default_channel if sender is not None else None
    index_key = getattr(channel, "unacked_index_key", None)
    if _renewer is None and index_key:
        _renewer = LeaseRenewer(str(index_key))
        _renewer.start()


@worker_shutdown.connect
def _stop(**kwargs: Any) -> None:
    global _renewer
    if _renewer is not None:
        _renewer.stop()
        _renewer = None
