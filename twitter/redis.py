"""The process's Redis client (timelines, counters, markers): one pool, short timeouts."""

import os
import threading

import redis
from django.conf import settings
from redis.commands.core import Script

redis_errors = (redis.ConnectionError, redis.TimeoutError, redis.ResponseError, redis.ReadOnlyError)

_client: redis.Redis | None = None
_pid = 0
_lock = threading.Lock()


def get_redis() -> redis.Redis:
    global _client, _pid
    if _client is None or _pid != os.getpid():
        with _lock:
            if _client is None or _pid != os.getpid():
                _client = redis.Redis.from_url(
                    settings.REDIS_URL,
                    socket_timeout=settings.REDIS_SOCKET_TIMEOUT,
                    socket_connect_timeout=settings.REDIS_SOCKET_TIMEOUT,
                    health_check_interval=30,
                )
                _pid = os.getpid()
    return _client


_scripts: dict[tuple[int, str], Script] = {}


def registered_script(source: str) -> Script:
    """`source` registered on this process's client (EVALSHA, loaded on first use)."""
    client = get_redis()
    registered = _scripts.get((id(client), source))
    if registered is None:
        registered = _scripts[(id(client), source)] = client.register_script(source)
    return registered
