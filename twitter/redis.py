"""The process's Redis client (timelines, counters, markers): one pool, short timeouts."""

import os
import threading
from typing import Any

import redis
from django.conf import settings
from redis.backoff import NoBackoff
from redis.commands.core import Script
from redis.retry import Retry

redis_errors = (redis.ConnectionError, redis.TimeoutError, redis.ResponseError, redis.ReadOnlyError)


def fail_fast_retry() -> Retry:
    """Once more at once (a connection the server closed), never with backoff: a cache that
    is down must fail in milliseconds, not after redis-py's default of ten retries with
    backoff (about a second and a half per call), since every caller has a way without it."""
    return Retry(NoBackoff(), 1)


def active_ttl_seconds() -> int:
    """How long a reader's cached timelines and viewer sets live without a read
    (TIMELINE_ACTIVE_DAYS): inactive readers are rebuilt when they come back."""
    return int(settings.TIMELINE_ACTIVE_DAYS * 86400)


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
                    retry=fail_fast_retry(),
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


class Batch:
    """Redis commands sent in one round trip, scripts included.

    A pipeline given a registered script checks that Redis has it (a round trip of its
    own) every time; here scripts run by EVALSHA straight away, and if Redis lost them (a
    restart), they are loaded and those calls made again (scripts must be idempotent)."""

    def __init__(self) -> None:
        self.pipe = get_redis().pipeline(transaction=False)
        self._scripts: dict[int, tuple[Script, list[str], list[object]]] = {}

    def __len__(self) -> int:
        return len(self.pipe)

    def script(self, script: Script, *, keys: list[str], args: list[object]) -> int:
        """Queue a script call; return its position among the batch's results."""
        position = len(self.pipe)
        self.pipe.evalsha(script.sha, len(keys), *keys, *args)  # type: ignore[arg-type]  # ids and strings
        self._scripts[position] = (script, keys, args)
        return position

    def execute(self) -> list[object]:
        """Every command's result, in order; the first error is raised."""
        if not len(self.pipe):
            return []
        results: list[object] = self.pipe.execute(raise_on_error=False)
        for position, (script, keys, args) in self._scripts.items():
            if isinstance(results[position], redis.exceptions.NoScriptError):
                results[position] = script(keys=keys, args=args, client=get_redis())  # type: ignore[arg-type]
        for result in results:
            if isinstance(result, Exception):
                raise result
        return results


_ADD_IF_LOADED = """
-- Add ARGV[1] to the set KEYS[1] only if the set exists (was loaded whole).
if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('SADD', KEYS[1], ARGV[1]) end
return 0
"""


def add_if_loaded(key: str, member: str, *, client: Any) -> Any:
    """Add `member` to the set `key` only if the set exists: a set that is loaded whole from
    the database when missing must not be recreated holding one member."""
    return registered_script(_ADD_IF_LOADED)(keys=[key], args=[member], client=client)
