"""Rate limits counted in Redis: fixed windows per bucket and identity.

A bucket is a name and a rate ("300/300": 300 requests per 300 seconds). An identity is
whatever the bucket is kept per (an account, an IP, an IP and the account being signed in
to); it is hashed before it becomes part of a key, so no raw client input ever reaches
Redis. All the buckets of one request are counted in one Redis call (a script), together with
any keys the caller wants read (the admission middleware checks revoked sessions in the
same call).
"""

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from redis.commands.core import Script

from twitter import keys
from twitter.redis import get_redis


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


# One call for a whole request: count each bucket (INCR, and EXPIRE on a window's first
# hit), then read the extra keys the caller adds (revocation markers). Returns the counts,
# then the extra keys' values (nil when absent).
_ADMIT = """
local buckets = tonumber(ARGV[1])
local out = {}
for i = 1, buckets do
  local used = redis.call('INCR', KEYS[i])
  if used == 1 then redis.call('EXPIRE', KEYS[i], ARGV[i + 1]) end
  out[i] = used
end
for i = buckets + 1, #KEYS do
  out[i] = redis.call('GET', KEYS[i])
end
return out
"""
_scripts: dict[int, Script] = {}


def _script() -> Script:
    client = get_redis()
    registered = _scripts.get(id(client))
    if registered is None:
        registered = _scripts[id(client)] = client.register_script(_ADMIT)
    return registered


def count(
    hits: Sequence[tuple[str, Rate, str]], *, also_read: Sequence[str] = (), now: float
) -> tuple[list[Count], list[Any]]:
    """Count one hit on each (bucket, rate, identity) and read the `also_read` keys, in
    one round trip; return the counts and those keys' values."""
    windows = [int(now // rate.period) for _, rate, _ in hits]
    bucket_keys = [
        keys.rate_limit(bucket, digest(identity), window)
        for (bucket, _, identity), window in zip(hits, windows, strict=True)
    ]
    replies = _script()(keys=[*bucket_keys, *also_read], args=[len(hits), *(rate.period for _, rate, _ in hits)])
    counts = [
        Count(bucket=bucket, rate=rate, used=int(used), reset_at=(window + 1) * rate.period)
        for (bucket, rate, _), window, used in zip(hits, windows, replies, strict=False)
    ]
    return counts, list(replies[len(hits) :])


def tightest(found: Sequence[Count]) -> Count:
    """The count a client should be told about: an exceeded one, else the least room left."""
    exceeded = [c for c in found if c.exceeded]
    if exceeded:
        return max(exceeded, key=lambda c: c.reset_at)
    return min(found, key=lambda c: (c.remaining, -c.reset_at))
