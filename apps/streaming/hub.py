"""One Redis pub/sub connection per streaming process, shared by every open stream.

Each stream gets an asyncio queue; the hub subscribes a channel while at least one
stream wants it and routes each message, with its channel, to those streams' queues. An idle stream costs
a queue and a coroutine, not a Redis connection or a thread.
"""

import asyncio
import contextlib
import logging
from collections import defaultdict
from typing import Any

import redis.asyncio as aioredis
from django.conf import settings
from redis.asyncio.cluster import RedisCluster

logger = logging.getLogger(__name__)

QUEUE_SIZE = 1000  # a reader this far behind loses live events (they resume from the timeline)


class Hub:
    def __init__(self) -> None:
        self._queues: dict[bytes, set[asyncio.Queue[tuple[bytes, bytes]]]] = defaultdict(set)
        self._client: aioredis.Redis | None = None
        self._pubsub: aioredis.client.PubSub | None = None
        self._reader: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()

    def client(self) -> aioredis.Redis:
        if self._client is None and settings.REDIS_CLUSTER:
            cluster: Any = RedisCluster.from_url(
                settings.REDIS_URL, max_connections=settings.STREAMING_REDIS_CONNECTIONS, socket_connect_timeout=2
            )
            self._client = cluster  # the same command API, routed by key slot
        if self._client is None:
            # A few connections for every stream's bookkeeping: callers queue for one
            # instead of opening more, however many streams are open.
            pool = aioredis.BlockingConnectionPool.from_url(
                settings.REDIS_URL,
                max_connections=settings.STREAMING_REDIS_CONNECTIONS,
                timeout=5,
                socket_connect_timeout=2,
            )
            self._client = aioredis.Redis(connection_pool=pool)
        return self._client

    def _channels(self) -> aioredis.Redis:
        """Where to subscribe: the client itself, or on a cluster the node REDIS_URL names
        (a cluster delivers every PUBLISH to every node's subscribers)."""
        if settings.REDIS_CLUSTER:
            return aioredis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2)
        return self.client()

    async def subscribe(self, channels: list[str]) -> "asyncio.Queue[tuple[bytes, bytes]]":
        queue: asyncio.Queue[tuple[bytes, bytes]] = asyncio.Queue(QUEUE_SIZE)
        async with self._lock:
            if self._pubsub is None:
                self._pubsub = self._channels().pubsub(ignore_subscribe_messages=True)
            fresh = [channel for channel in channels if not self._queues.get(channel.encode())]
            for channel in channels:
                self._queues[channel.encode()].add(queue)
            if fresh:
                await self._pubsub.subscribe(*fresh)
            if self._reader is None or self._reader.done():
                self._reader = asyncio.create_task(self._read(self._pubsub))
        return queue

    async def unsubscribe(self, channels: list[str], queue: "asyncio.Queue[tuple[bytes, bytes]]") -> None:
        async with self._lock:
            idle = []
            for channel in channels:
                queues = self._queues.get(channel.encode())
                if queues is None:
                    continue
                queues.discard(queue)
                if not queues:
                    del self._queues[channel.encode()]
                    idle.append(channel)
            if idle and self._pubsub is not None:
                with contextlib.suppress(Exception):
                    await self._pubsub.unsubscribe(*idle)

    async def _read(self, pubsub: aioredis.client.PubSub) -> None:
        while True:
            try:
                message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
            except (aioredis.ConnectionError, aioredis.TimeoutError) as exc:
                logger.warning("streaming hub lost redis: %s; reconnecting", exc)
                await asyncio.sleep(1.0)
                continue
            except Exception:
                logger.exception("streaming hub could not read a message")
                await asyncio.sleep(0.1)
                continue
            if message is None or message.get("type") != "message":
                if not self._queues:
                    await asyncio.sleep(0.05)
                continue
            for queue in list(self._queues.get(message["channel"], ())):
                with contextlib.suppress(asyncio.QueueFull):
                    queue.put_nowait((message["channel"], message["data"]))


hub = Hub()
