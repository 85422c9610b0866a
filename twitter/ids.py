"""Time-sortable 64-bit ids ("snowflakes").

Layout, high bits first: 41 bits of milliseconds since EPOCH_MS, 10 bits of worker id,
12 bits of sequence. Ids sort by creation time, fit a signed bigint and need no
coordination per insert: each process owns a worker id (see `twitter.id_worker`), so two
processes never produce the same id.
"""

import os
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

EPOCH_MS = 1_704_067_200_000  # 2024-01-01T00:00:00Z
WORKER_BITS = 10
SEQUENCE_BITS = 12
MAX_WORKER_ID = (1 << WORKER_BITS) - 1
MAX_SEQUENCE = (1 << SEQUENCE_BITS) - 1
TIMESTAMP_SHIFT = WORKER_BITS + SEQUENCE_BITS
MAX_ID = (1 << 63) - 1


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


class SnowflakeGenerator:
    """Thread-safe id source for one worker id."""

    def __init__(self, worker_id: int, clock: Callable[[], int] = _now_ms) -> None:
        if not 0 <= worker_id <= MAX_WORKER_ID:
            raise ValueError(f"worker id must be within 0..{MAX_WORKER_ID}, got {worker_id}")
        self.worker_id = worker_id
        self._clock = clock
        self._lock = threading.Lock()
        self._last_ms = -1
        self._sequence = 0

    def next_id(self) -> int:
        with self._lock:
            now = self._clock()
            if now < self._last_ms:
                # The wall clock stepped back: keep issuing from the last millisecond we
                # used, so ids stay increasing, rather than risk repeating one.
                now = self._last_ms
            if now == self._last_ms:
                self._sequence = (self._sequence + 1) & MAX_SEQUENCE
                if self._sequence == 0:
                    now = self._wait_next_ms(self._last_ms)
            else:
                self._sequence = 0
            self._last_ms = now
            return ((now - EPOCH_MS) << TIMESTAMP_SHIFT) | (self.worker_id << SEQUENCE_BITS) | self._sequence

    def _wait_next_ms(self, last_ms: int) -> int:
        now = self._clock()
        while now <= last_ms:
            time.sleep(0.0001)
            now = self._clock()
        return now


def id_timestamp_ms(snowflake: int) -> int:
    """Unix milliseconds at which the id was made."""
    return (snowflake >> TIMESTAMP_SHIFT) + EPOCH_MS


def id_datetime(snowflake: int) -> datetime:
    return datetime.fromtimestamp(id_timestamp_ms(snowflake) / 1000, tz=UTC)


def id_age_seconds(snowflake: int) -> float:
    return (_now_ms() - id_timestamp_ms(snowflake)) / 1000


def min_id_for_ms(unix_ms: int) -> int:
    """The smallest id made at or after `unix_ms`: for time-window queries by id."""
    return max(0, unix_ms - EPOCH_MS) << TIMESTAMP_SHIFT


_generator: SnowflakeGenerator | None = None
_generator_lock = threading.Lock()


def forget_worker_id() -> None:
    """Drop the generator; the next id leases a worker id again."""
    global _generator
    _generator = None


os.register_at_fork(after_in_child=forget_worker_id)


def new_id() -> int:
    """A new unique id. The first call in a process leases its worker id."""
    generator = _generator
    if generator is None:
        generator = _init_generator()
    return generator.next_id()


def _init_generator() -> SnowflakeGenerator:
    global _generator
    from twitter.id_worker import current_worker_id

    with _generator_lock:
        if _generator is None:
            _generator = SnowflakeGenerator(current_worker_id())
        return _generator


def rebind_worker_id(worker_id: int) -> None:
    """Switch this process to a new worker id (after its lease was lost and renewed)."""
    global _generator
    with _generator_lock:
        _generator = SnowflakeGenerator(worker_id)


class BackfillIds:
    """Ids for rows created in bulk with past timestamps (seeding, imports). Unique within
    the worker id this process leased, and sorting by the given times."""

    def __init__(self, worker_id: int) -> None:
        self.worker_id = worker_id
        self._sequence: dict[int, int] = {}

    def for_time(self, unix_ms: int) -> int:
        while True:
            sequence = self._sequence.get(unix_ms, 0)
            if sequence <= MAX_SEQUENCE:
                self._sequence[unix_ms] = sequence + 1
                return ((unix_ms - EPOCH_MS) << TIMESTAMP_SHIFT) | (self.worker_id << SEQUENCE_BITS) | sequence
            unix_ms += 1
