"""The process's Redis client (timelines, counters, markers): one pool, short timeouts.

With REDIS_CLUSTER, REDIS_URL names any node of a Redis Cluster and the client is a
`redis.cluster.RedisCluster`: the same commands, routed by key slot, with pipelines sent
per node. Code that runs on both keeps to what both allow: a script or transaction
touches keys of one slot (twitter.keys puts a user's keys under one hash tag), multi-key
reads across slots go through `mget`, and scripts join a pipeline through `Batch`.
"""

import os
import threading
from collections.abc import Iterable, Sequence
from typing import Any

import redis
from django.conf import settings
from redis.backoff import NoBackoff
from redis.cluster import RedisCluster
from redis.commands.core import Script
from redis.crc import key_slot
from redis.retry import Retry

redis_errors = (
    redis.ConnectionError,
    redis.TimeoutError,
    redis.ResponseError,
    redis.ReadOnlyError,
    redis.exceptions.RedisClusterException,  # a cluster with a node gone: slots not covered
)


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
_made_for: tuple[int, str, bool] = (0, "", False)  # the process and settings it was made for
_lock = threading.Lock()


def is_cluster() -> bool:
    return bool(settings.REDIS_CLUSTER)


def connect(url: str, **options: Any) -> redis.Redis:
    """A client for `url`: a RedisCluster client when REDIS_CLUSTER is set (typed as
    redis.Redis, whose commands it shares)."""
    if is_cluster():
        client: Any = RedisCluster.from_url(url, require_full_coverage=False, **options)
        return client  # type: ignore[no-any-return]  # the same command API
    return redis.Redis.from_url(url, **options)


def get_redis() -> redis.Redis:
    """This process's client: made again after a fork, or when the settings it was made
    for change (tests point a process at another Redis)."""
    global _client, _made_for
    wanted = (os.getpid(), settings.REDIS_URL, bool(settings.REDIS_CLUSTER))
    if _client is None or _made_for != wanted:
        with _lock:
            if _client is None or _made_for != wanted:
                _client = connect(
                    settings.REDIS_URL,
                    socket_timeout=settings.REDIS_SOCKET_TIMEOUT,
                    socket_connect_timeout=settings.REDIS_SOCKET_TIMEOUT,
                    health_check_interval=30,
                    retry=fail_fast_retry(),
                )
                _made_for = wanted
    return _client


def by_slot(keys: Sequence[str]) -> list[list[str]]:
    """`keys` in groups that one script call may take: all of them on a single Redis, one
    group per hash slot on a cluster."""
    if not is_cluster():
        return [list(keys)] if keys else []
    groups: dict[int, list[str]] = {}
    for key in keys:
        groups.setdefault(key_slot(key.encode()), []).append(key)
    return list(groups.values())


def mget(keys: Sequence[str]) -> list[Any]:
    """Values of `keys` (None when missing): one MGET on a single Redis, one per node
    (pipelined) on a cluster."""
    if not keys:
        return []
    client: Any = get_redis()
    if is_cluster():
        return list(client.mget_nonatomic(list(keys)))
    return list(client.mget(list(keys)))


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
        self._scripts: dict[int, tuple[Script, Sequence[str], Sequence[object]]] = {}

    def __len__(self) -> int:
        return len(self.pipe)

    def script(self, script: Script, *, keys: Sequence[str], args: Sequence[object]) -> int:
        """Queue a script call; return its position among the batch's results."""
        position = len(self.pipe)
        # EVALSHA by name: a cluster pipeline refuses the method (it routes the command by
        # its keys, which must share a slot) but not the command.
        routing = _routed_to(keys[0]) if keys else {}
        self.pipe.execute_command("EVALSHA", script.sha, len(keys), *keys, *args, **routing)
        self._scripts[position] = (script, keys, args)
        return position

    def execute(self) -> list[object]:
        """Every command's result, in order; the first error is raised."""
        if not len(self.pipe):
            return []
        stack = _queued(self.pipe)
        try:
            results: list[object] = self.pipe.execute(raise_on_error=False)
        except redis_errors:
            if not is_cluster():
                raise
            # A node is away and the cluster pipeline sent nothing: what the other nodes
            # hold is still done (every command the platform batches is idempotent).
            results = _per_node(stack)
        for position, (script, keys, args) in self._scripts.items():
            if isinstance(results[position], redis.exceptions.NoScriptError):
                results[position] = script(keys=keys, args=args, client=get_redis())  # type: ignore[arg-type]
        for result in results:
            if isinstance(result, Exception):
                raise result
        return results


def _queued(pipe: Any) -> list[Any]:
    """A cluster pipeline's queued commands (each with .args and .options), kept before it
    runs: redis-py (pinned in requirements/base.txt) keeps them in its execution
    strategy, and clears them whether the pipeline succeeds or fails."""
    strategy = getattr(pipe, "_execution_strategy", None)
    return list(strategy.command_queue) if strategy is not None else []


def _routed_to(key: str | bytes) -> dict[str, Any]:
    """Options that send a command of a cluster pipeline to the node serving `key`'s slot
    (none on a single Redis). Unrouted, redis-py 8 asks the cluster's default node for the
    keys of every script call (COMMAND GETKEYS): a round trip each, and none of the batch
    is sent when that node is away."""
    if not is_cluster():
        return {}
    client: Any = get_redis()
    try:
        return {"target_nodes": client.nodes_manager.get_node_from_slot(_slot(key))}
    except redis_errors:  # no node serves the slot now: routed (and failing) when sent
        return {}


def _slot(key: str | bytes) -> int:
    return key_slot(key if isinstance(key, bytes) else str(key).encode())


def _command_slot(args: Sequence[Any]) -> int:
    """The slot a command is routed by: its first key (a script's first key; a channel for
    PUBLISH, which any node takes)."""
    name = str(args[0]).upper()
    return _slot(args[3] if name in ("EVALSHA", "EVAL") and int(args[2]) > 0 else args[1])


def _per_node(stack: Sequence[Any]) -> list[object]:
    """Run a cluster pipeline's commands one node at a time; a node that fails gives its
    commands its error, and the others run."""
    client: Any = get_redis()
    groups: dict[str, list[int]] = {}
    nodes: dict[int, Any] = {}
    results: list[object] = [None] * len(stack)
    for position, command in enumerate(stack):
        try:
            node = client.nodes_manager.get_node_from_slot(_command_slot(command.args))
        except redis_errors as exc:  # no node serves the slot (its node was found failed)
            results[position] = exc
            continue
        groups.setdefault(node.name, []).append(position)
        nodes[position] = node
    for positions in groups.values():
        pipe = client.pipeline(transaction=False)
        for position in positions:
            options = {name: value for name, value in stack[position].options.items() if name != "target_nodes"}
            pipe.execute_command(*stack[position].args, target_nodes=nodes[position], **options)
        try:
            replies = pipe.execute(raise_on_error=False)
        except redis_errors as exc:
            replies = [exc] * len(positions)
        for position, reply in zip(positions, replies, strict=True):
            results[position] = reply
    return results


def publish(pipe: Any, channel: str, message: bytes) -> None:
    """Queue a PUBLISH in a pipeline. By name: a cluster pipeline refuses the method but
    sends the command (a cluster delivers it to every node's subscribers)."""
    pipe.execute_command("PUBLISH", channel, message, **_routed_to(channel))


# A set holding this member was loaded whole from the database; one without it (Redis
# restarted empty or evicted it, or it was never loaded) is loaded again before use.
LOADED = "0"


def replace_loaded(key: str, members: Iterable[int | str], *, ttl: int | None) -> None:
    """Write a set loaded whole from the database, with its loaded mark, in one atomic
    step (a single key: one slot on a cluster too); `ttl` seconds, or none."""
    pipe = get_redis().pipeline(transaction=True)
    pipe.delete(key)
    pipe.sadd(key, LOADED, *(str(member) for member in members))
    if ttl:
        pipe.expire(key, ttl)
    pipe.execute()


_ADD_IF_LOADED = """
-- Add ARGV[1] to the set KEYS[1] only if the set exists (was loaded whole).
if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('SADD', KEYS[1], ARGV[1]) end
return 0
"""


def add_if_loaded(key: str, member: str, *, batch: Batch | None = None) -> Any:
    """Add `member` to the set `key` only if the set exists: a set that is loaded whole from
    the database when missing must not be recreated holding one member. With a batch, the
    call joins it."""
    script = registered_script(_ADD_IF_LOADED)
    if batch is not None:
        return batch.script(script, keys=[key], args=[member])
    return script(keys=[key], args=[member], client=get_redis())
