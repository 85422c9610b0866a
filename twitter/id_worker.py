"""Lease of this process's snowflake worker id.

A worker id is held as a session-level Postgres advisory lock on a connection of its
own: while the process lives the lock is held, and it is released by the server when the
process dies, so ids stay unique across processes and hosts with no coordination per
insert. A watchdog re-leases if that connection is lost. SNOWFLAKE_WORKER_ID pins it
instead (for deployments that assign ordinals themselves).
"""

import logging
import os
import random
import threading
from typing import Any

import psycopg
from django.conf import settings
from django.db import connections

from twitter import ids

logger = logging.getLogger(__name__)

# First key of the two-int advisory lock space; the second is the worker id.
LOCK_NAMESPACE = 0x7477_6964  # "twid"
WATCHDOG_SECONDS = 15.0


class WorkerIdUnavailableError(RuntimeError):
    pass


class _Lease:
    def __init__(self) -> None:
        self.connection: psycopg.Connection[tuple[int, ...]] | None = None
        self.worker_id: int | None = None
        self.pid = os.getpid()
        self.lock = threading.Lock()


_lease = _Lease()


def _conninfo() -> str:
    """Django's own connection parameters for the primary, as a libpq conninfo; or
    DATABASE_SESSION_URL's (a session of its own, past a transaction-mode PgBouncer)."""
    if settings.DATABASE_SESSION_URL:
        params: dict[str, Any] = dict(psycopg.conninfo.conninfo_to_dict(settings.DATABASE_SESSION_URL))
    else:
        params = {
            key: value
            for key, value in connections["default"].get_connection_params().items()
            if isinstance(value, str | int) and key != "cursor_factory"
        }
    params.update(
        connect_timeout=5,
        application_name="snowflake-lease",
        keepalives=1,
        keepalives_idle=10,
        keepalives_interval=5,
        keepalives_count=3,
    )
    return psycopg.conninfo.make_conninfo("", **params)


def _acquire() -> tuple[psycopg.Connection[tuple[int, ...]], int]:
    connection: psycopg.Connection[tuple[int, ...]] = psycopg.connect(_conninfo(), autocommit=True)
    start = random.randrange(ids.MAX_WORKER_ID + 1)  # noqa: S311 - spreads contention, not security
    for offset in range(ids.MAX_WORKER_ID + 1):
        candidate = (start + offset) % (ids.MAX_WORKER_ID + 1)
        row = connection.execute("SELECT pg_try_advisory_lock(%s, %s)", (LOCK_NAMESPACE, candidate)).fetchone()
        if row and row[0]:
            return connection, candidate
    connection.close()
    raise WorkerIdUnavailableError("all snowflake worker ids are leased")


def current_worker_id() -> int:
    pinned = settings.SNOWFLAKE_WORKER_ID
    if pinned is not None:
        return int(pinned)
    with _lease.lock:
        if _lease.pid != os.getpid():  # a forked child never shares its parent's lease
            _lease.connection, _lease.worker_id, _lease.pid = None, None, os.getpid()
        if _lease.worker_id is None:
            _lease.connection, _lease.worker_id = _acquire()
            threading.Thread(target=_watchdog, name="snowflake-lease", daemon=True).start()
            logger.info("leased snowflake worker id %s", _lease.worker_id)
        return _lease.worker_id


def _watchdog() -> None:
    pid = os.getpid()
    stop = threading.Event()
    while not stop.wait(WATCHDOG_SECONDS):
        with _lease.lock:
            if _lease.pid != pid or _lease.connection is None:
                return
            try:
                _lease.connection.execute("SELECT 1")
                continue
            except psycopg.Error:
                logger.warning("snowflake lease connection lost; leasing again")
            try:
                _lease.connection, _lease.worker_id = _acquire()
            except (psycopg.Error, WorkerIdUnavailableError):
                logger.exception("could not lease a snowflake worker id; will retry")
                continue
            ids.rebind_worker_id(_lease.worker_id)


def release() -> None:
    """Give the worker id back (tests, graceful shutdown)."""
    with _lease.lock:
        if _lease.connection is not None:
            _lease.connection.close()
        _lease.connection, _lease.worker_id = None, None
    ids.forget_worker_id()
