"""Which database a read goes to: one rule, `read_alias()`.

Reads go to a replica unless (a) every replica's breaker is open: each recently failed,
and a request must not wait on one again, or (b) the viewer wrote within
READ_YOUR_WRITES_SECONDS: their own changes may not be replayed yet. With several
replicas (REPLICA_ALIASES) requests take turns, and each request keeps the replica it
started on (its pages and lookups agree with one another); a replica whose breaker is
open is passed over. The read-API's router sends ORM reads by it, and code that names a
database (raw SQL, a task reading the replica) asks it too. The deliberate primary read
is explicit: `PRIMARY`.
"""

import contextvars
import itertools
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connections, transaction

from twitter import keys
from twitter.db.breaker import CircuitBreaker
from twitter.ids import id_age_seconds
from twitter.redis import Batch, get_redis, redis_errors

logger = logging.getLogger(__name__)

PRIMARY = "default"
REPLICA = "replica"  # the first replica
REPLICAS: list[str] = list(settings.REPLICA_ALIASES)

replica_breakers = {alias: CircuitBreaker(alias, cooldown=settings.REPLICA_BREAKER_COOLDOWN) for alias in REPLICAS}
replica_breaker = replica_breakers[REPLICA]
_turns = itertools.count()
primary_breaker = CircuitBreaker("primary", cooldown=settings.PRIMARY_BREAKER_COOLDOWN)
_UNAVAILABLE = "_database_unavailable"


def note_database_unavailable(request: Any) -> None:
    """Mark the request as one that found the database unavailable (see
    guards.PrimaryBreakerMiddleware); `request` is Django's or DRF's."""
    setattr(getattr(request, "_request", request), _UNAVAILABLE, True)


def database_was_unavailable(request: Any) -> bool:
    return bool(getattr(request, _UNAVAILABLE, False))


@dataclass
class _RequestState:
    viewer_id: int | None = None
    pinned_to_primary: bool | None = None  # decided on the first SQL read of the request
    replica: str | None = None  # the replica this request reads, once chosen
    replica_failed: bool = False  # a query on a replica failed during this request


_request_state: contextvars.ContextVar[_RequestState | None] = contextvars.ContextVar(
    "read_routing_state", default=None
)


def begin_request() -> contextvars.Token[_RequestState | None]:
    return _request_state.set(_RequestState())


def end_request(token: contextvars.Token[_RequestState | None]) -> None:
    _request_state.reset(token)


def set_viewer(user_id: int) -> None:
    state = _request_state.get()
    if state is not None:
        state.viewer_id = user_id


def _pinned_to_primary() -> bool:
    state = _request_state.get()
    if state is None or state.viewer_id is None:
        return False
    if state.pinned_to_primary is None:
        state.pinned_to_primary = recently_wrote(state.viewer_id)
    return state.pinned_to_primary


def may_be_unreplayed(row_id: int) -> bool:
    """The replica-lag rule: a row whose (snowflake) id is younger than
    REPLICA_LAG_GRACE_SECONDS may not be on the replica yet, so a miss there is asked of the
    primary; an older miss is a real one."""
    return bool(id_age_seconds(row_id) < float(settings.REPLICA_LAG_GRACE_SECONDS))


def unreplayed(row_ids: Iterable[int]) -> list[int]:
    """Those of `row_ids` (missing on the replica) that the primary may still have."""
    return [row_id for row_id in row_ids if may_be_unreplayed(row_id)]


def read_alias() -> str:
    """The alias for a read now: a replica that is healthy, unless the viewer's own writes
    may not be replayed yet."""
    if _pinned_to_primary():
        return PRIMARY
    state = _request_state.get()
    kept = state.replica if state is not None else None
    if kept is not None and not replica_breakers[kept].is_open:
        return kept
    start = next(_turns) % len(REPLICAS)
    for alias in REPLICAS[start:] + REPLICAS[:start]:
        if replica_breakers[alias].allow() and _connected(alias):
            replica_breakers[alias].record_success()
            if state is not None:
                state.replica = alias
            return alias
    return PRIMARY


def _connected(alias: str) -> bool:
    """Whether this request holds (or could take) a connection to the replica."""
    replica = connections[alias]
    if replica.connection is not None:
        return True
    try:
        replica.ensure_connection()
    except DatabaseError:
        if _replica_down(replica):
            breaker = replica_breakers[alias]
            logger.warning("%s unreachable; reads go elsewhere for %.1fs", alias, breaker.cooldown)
            breaker.record_failure()
        else:
            logger.info("no %s connection free in time; this read goes elsewhere", alias)
        return False
    _failures_seen[id(getattr(replica, "pool", None))] = _pool_failures(replica)
    return True


# Failed or lost connections each replica pool had at its last good checkout.
_failures_seen: dict[int, int] = {}


def _pool_failures(replica: Any) -> int:
    pool = getattr(replica, "pool", None)
    if pool is None:
        return 0
    stats = pool.get_stats()
    return int(stats.get("connections_errors", 0)) + int(stats.get("connections_lost", 0))


def _replica_down(replica: Any) -> bool:
    """A checkout timed out. The replica is down when its pool could still grow and has
    seen connections fail since the last good checkout; a pool whose connections were
    all busy is contention, which opens no breaker."""
    pool = getattr(replica, "pool", None)
    if pool is None:
        return True
    stats = pool.get_stats()
    could_grow = int(stats.get("pool_size", 0)) < int(stats.get("pool_max", 1))
    return could_grow and _pool_failures(replica) > _failures_seen.get(id(pool), 0)


def replica_failed(alias: str = REPLICA) -> None:
    """A query on a replica failed mid-request: stop sending reads there for a while (the
    read-API's middleware then answers the request again, elsewhere)."""
    replica_breakers[alias].record_failure()
    state = _request_state.get()
    if state is not None:
        state.replica_failed = True
        state.replica = None


def request_replica_failed() -> bool:
    state = _request_state.get()
    return state is not None and state.replica_failed


def _mark_in(client: Any, user_id: int) -> None:
    """The marker, on a client or a pipeline."""
    client.set(keys.recent_write(user_id), 1, px=int(settings.READ_YOUR_WRITES_SECONDS * 1000))


def mark_recent_write(user_id: int, *, batch: Batch | None = None) -> None:
    """Read `user_id`'s next reads from the primary: after the current transaction
    commits, or, given an after-commit batch (twitter.events), as part of it."""
    if batch is not None:
        _mark_in(batch.pipe, user_id)
        return

    def _mark() -> None:
        try:
            _mark_in(get_redis(), user_id)
        except redis_errors as exc:
            logger.warning("could not mark recent write of user %s: %s", user_id, exc)

    transaction.on_commit(_mark)


def recently_wrote(user_id: int) -> bool:
    try:
        return bool(get_redis().exists(keys.recent_write(user_id)))
    except redis_errors:
        return False
