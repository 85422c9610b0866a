"""Rate limits counted in Redis: fixed windows per bucket and identity.

A bucket is a name and a rate ("300/300": 300 requests per 300 seconds). An identity is
whatever the bucket is kept per (an account, an IP, an IP and the account being signed in
to); it is hashed before it becomes part of a key, so no raw client input ever reaches
Redis. The general buckets every request hits (per account, per IP) are counted in
process and added to Redis in the background (`BatchedCounts`): the request path makes no
Redis call for them. The tight buckets (logins, posting, ...) are counted exactly, all of
one request's in one call (`count`).
"""

import hashlib
import logging
import os
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from twitter import keys
from twitter.redis import Batch, by_slot, get_redis, redis_errors, registered_script

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rate:
    limit: int
    period: int  # seconds

    @classmethod
    def parse(cls, text: str, *, scale: float = 1.0) -> "Rate":
        """'300/300' (per seconds), or '10/min', '5/hour', '100/day'."""
        count, _, per = text.partition("/")
        units = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600, "hour": 3600}
        units |= {"d": 86400, "day": 86400}
        period = int(per) if per.isdigit() else units.get(per.strip().lower())
        if not count.strip().isdigit() or not period:
            raise ValueError(f"a rate is 'requests/seconds' (e.g. 300/300) or 'requests/min|hour|day', not {text!r}")
        return cls(limit=max(1, round(int(count) * scale)), period=period)


@dataclass(frozen=True)
class Count:
    bucket: str
    rate: Rate
    used: int
    reset_at: int  # Unix time the window ends

    @property
    def remaining(self) -> int:
        return max(0, self.rate.limit - self.used)

    @property
    def exceeded(self) -> bool:
        return self.used > self.rate.limit


def digest(identity: str) -> str:
    return hashlib.blake2b(identity.encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()


# The tight buckets of one request in one call: INCR each, EXPIRE on a window's first hit.
_COUNT = """
local out = {}
for i = 1, #KEYS do
  local used = redis.call('INCR', KEYS[i])
  if used == 1 then redis.call('EXPIRE', KEYS[i], ARGV[i]) end
  out[i] = used
end
return out
"""


def count(hits: Sequence[tuple[str, Rate, str]], *, now: float) -> list[Count]:
    """Count one hit on each (bucket, rate, identity) exactly, in one round trip: one
    script call on a single Redis, one per key (pipelined per node) on a cluster."""
    windows = [int(now // rate.period) for _, rate, _ in hits]
    bucket_keys = [
        keys.rate_limit(bucket, digest(identity), window)
        for (bucket, _, identity), window in zip(hits, windows, strict=True)
    ]
    periods = dict(zip(bucket_keys, [rate.period for _, rate, _ in hits], strict=True))
    batch = Batch()
    groups = by_slot(bucket_keys)
    for group in groups:
        batch.script(registered_script(_COUNT), keys=group, args=[periods[key] for key in group])
    used_by_key: dict[str, Any] = {}
    for group, counted in zip(groups, batch.execute(), strict=True):
        used_by_key.update(zip(group, counted, strict=True))  # type: ignore[call-overload]  # the script's list
    replies = [used_by_key[key] for key in bucket_keys]
    return [
        Count(bucket=bucket, rate=rate, used=int(used), reset_at=(window + 1) * rate.period)
        for (bucket, rate, _), window, used in zip(hits, windows, replies, strict=True)
    ]


def tightest(found: Sequence[Count]) -> Count:
    """The count a client should be told about: an exceeded one, else the least room left."""
    if len(found) == 1:
        return found[0]
    exceeded = [c for c in found if c.exceeded]
    if exceeded:
        return max(exceeded, key=lambda c: c.reset_at)
    return min(found, key=lambda c: (c.remaining, -c.reset_at))


class BatchedCounts:
    """Counts kept in this process and added to Redis in the background, for the general
    buckets every request hits: the request path makes no Redis call for them.

    A request is judged on the bucket's count across all processes as of the last flush
    plus this process's hits since, so other processes' hits show up within
    `flush_seconds` (a budget of 300 per 5 minutes is off by at most a fraction of a
    second's traffic). The tight buckets (logins, posting) stay exact: `count`.
    """

    def __init__(self, flush_seconds: float) -> None:
        self.flush_seconds = flush_seconds
        self._lock = threading.Lock()
        self._pending: dict[str, int] = {}
        self._expiry: dict[str, tuple[int, int]] = {}  # key -> (period, window end)
        self._seen: dict[str, int] = {}
        self._pid = 0

    def hit(self, bucket: str, rate: Rate, identity: str, now: float) -> Count:
        window = int(now // rate.period)
        key = keys.rate_limit(bucket, digest(identity), window)
        with self._lock:
            self._ensure_flusher()
            self._pending[key] = self._pending.get(key, 0) + 1
            self._expiry[key] = (rate.period, (window + 1) * rate.period)
            used = self._seen.get(key, 0) + self._pending[key]
        return Count(bucket=bucket, rate=rate, used=used, reset_at=(window + 1) * rate.period)

    def _ensure_flusher(self) -> None:
        if self._pid != os.getpid():  # a forked child starts its own
            self._pid, self._pending, self._seen = os.getpid(), {}, {}
            threading.Thread(target=self._run, name="rate-limit-flush", daemon=True).start()

    def _run(self) -> None:
        while True:
            time.sleep(self.flush_seconds)
            try:
                self.flush()
            except Exception:  # the flusher must outlive any one failure
                logger.exception("rate-limit counts could not be flushed")

    def clear(self) -> None:
        """Forget every count (tests, after they empty Redis)."""
        with self._lock:
            self._pending, self._seen, self._expiry = {}, {}, {}

    def flush(self) -> None:
        """Add the pending hits to Redis and learn every process's totals. Hits stay
        pending until Redis has them, so none is invisible while a flush is under way (and
        with Redis down they keep counting here)."""
        with self._lock:
            now = time.time()
            for key in [key for key, (_, ends) in self._expiry.items() if ends <= now]:
                self._expiry.pop(key, None)
                self._seen.pop(key, None)
                self._pending.pop(key, None)
            flushing = dict(self._pending)
            periods = {key: self._expiry[key][0] for key in flushing}
        if not flushing:
            return
        pipe = get_redis().pipeline(transaction=False)
        for key, hits in flushing.items():
            pipe.incrby(key, hits)
            pipe.expire(key, periods[key])
        try:
            totals = pipe.execute()[0::2]
        except redis_errors as exc:
            logger.warning("rate-limit counts not flushed, redis unavailable: %s", exc)
            return
        with self._lock:
            for (key, flushed), total in zip(flushing.items(), totals, strict=True):
                if key not in self._pending:  # cleared meanwhile
                    continue
                self._seen[key] = int(total)  # every process's hits, ours flushed included
                left = self._pending[key] - flushed  # hits that came in during the flush
                if left > 0:
                    self._pending[key] = left
                else:
                    del self._pending[key]


batched = BatchedCounts(flush_seconds=0.25)
