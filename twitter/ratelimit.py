"""Rate limits counted in Redis: fixed windows per bucket and identity.

A bucket is a name and a rate ("300/300": 300 requests per 300 seconds). An identity is
whatever the bucket is kept per (an account, an IP, an IP and the account being signed in
to); it is hashed before it becomes part of a key, so no raw client input ever reaches
Redis. All the buckets of one request are counted in one pipelined round trip, together
with any extra commands the caller adds (the admission middleware checks revoked
sessions in the same trip).
"""

import hashlib
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from redis.client import Pipeline

from twitter import keys


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


def count(pipe: Pipeline, hits: Sequence[tuple[str, Rate, str]], now: float | None = None) -> list[int]:
    """Queue one hit on each (bucket, rate, identity) into `pipe`; return the indexes of
    the replies that are the counts (the caller executes the pipeline)."""
    now = time.time() if now is None else now
    positions = []
    start = len(pipe)
    for bucket, rate, identity in hits:
        window = int(now // rate.period)
        key = keys.rate_limit(bucket, digest(identity), window)
        pipe.set(key, 0, ex=rate.period, nx=True)
        pipe.incr(key)
        positions.append(start + 1)
        start += 2
    return positions


def counts(
    hits: Sequence[tuple[str, Rate, str]], replies: Sequence[Any], positions: Sequence[int], now: float
) -> list[Count]:
    return [
        Count(
            bucket=bucket, rate=rate, used=int(replies[position]), reset_at=(int(now // rate.period) + 1) * rate.period
        )
        for (bucket, rate, _), position in zip(hits, positions, strict=True)
    ]


def tightest(found: Sequence[Count]) -> Count:
    """The count a client should be told about: an exceeded one, else the least room left."""
    exceeded = [c for c in found if c.exceeded]
    if exceeded:
        return max(exceeded, key=lambda c: c.reset_at)
    return min(found, key=lambda c: (c.remaining, -c.reset_at))
