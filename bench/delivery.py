"""What delivery acknowledged by consumers costs, next to the alternative (issue 13).

The platform counts an event delivered when each consumer confirms it (an UPDATE of the
outbox row when its task is done); the broker (Redis) may lose messages, since the sweep
sends unconfirmed events again. The alternative is a broker that does not lose them:
RabbitMQ with durable queues, persistent messages and publisher confirms, where the relay
waits for the broker to confirm each publish. Neither runs in the request (the relay and
the consumers run in the worker); this measures, per event, on this machine:

- the relay's publish to the Redis broker (what runs today);
- a publish to RabbitMQ, durable and persistent, with publisher confirms (when
  BENCH_AMQP_URL, default the local RabbitMQ, answers);
- the consumer's confirmation (the UPDATE that records it), on real outbox rows.
"""

import os
import time
import uuid
from typing import Any

from celery import Celery
from django.db import connections
from kombu import Queue

from twitter import events
from twitter.db.routing import PRIMARY

DEFAULT_AMQP_URL = "amqp://guest:guest@127.0.0.1:5672//"
TASK = "apps.timelines.tasks.tweet_created_task"


def _per_message(publish: Any, count: int) -> dict[str, float]:
    publish(0)  # the connection and the queue's declaration are not what is measured
    wall, cpu = time.perf_counter(), time.process_time()
    for n in range(1, count + 1):
        publish(n)
    return {
        "wall_ms": round((time.perf_counter() - wall) * 1000 / count, 3),
        "cpu_ms": round((time.process_time() - cpu) * 1000 / count, 3),
    }


def _publish_cost(broker_url: str, count: int, **transport_options: Any) -> dict[str, float]:
    app = Celery("bench-delivery", broker=broker_url, set_as_current=False)
    app.conf.broker_transport_options = transport_options
    app.conf.broker_connection_retry_on_startup = True
    queue = f"bench-delivery-{uuid.uuid4().hex[:8]}"
    payload = {"tweet_id": 1, "author_id": 2, "reply_to_id": None, "reply_to_user_id": None}
    try:
        with app.producer_or_acquire() as producer:

            def publish(n: int) -> None:
                app.send_task(TASK, args=[n, payload], queue=queue, producer=producer, retry=False)

            return _per_message(publish, count)
    finally:
        with app.connection_for_write() as connection:
            Queue(queue).bind(connection.default_channel).delete()


def _confirm_cost(count: int) -> dict[str, float] | None:
    with connections[PRIMARY].cursor() as cursor:
        cursor.execute("SELECT id FROM twitter_outboxevent ORDER BY id DESC LIMIT %s", [count + 1])
        ids = [row[0] for row in cursor.fetchall()]
    if len(ids) <= count:
        return None
    consumer = "bench.confirmation-cost"
    try:
        return _per_message(lambda n: events.confirm([ids[n]], consumer), count)
    finally:
        with connections[PRIMARY].cursor() as cursor:
            cursor.execute(
                "UPDATE twitter_outboxevent SET confirmed = array_remove(confirmed, %s) WHERE id = ANY(%s)",
                [consumer, ids],
            )


def measure(broker_url: str, count: int = 2000) -> dict[str, Any]:
    amqp_url = os.environ.get("BENCH_AMQP_URL", DEFAULT_AMQP_URL)
    result: dict[str, Any] = {"messages": count, "redis_publish": _publish_cost(broker_url, count)}
    try:
        result["rabbitmq_confirmed_publish"] = _publish_cost(amqp_url, count, confirm_publish=True)
    except Exception as exc:  # noqa: BLE001 - no RabbitMQ here: reported, not fatal
        result["rabbitmq_confirmed_publish"] = {"unavailable": str(exc)[:200]}
    result["consumer_confirmation"] = _confirm_cost(count)
    return result
