"""Revoked sessions and users, known in every process without a Redis call per request.

Revoking writes an entry to one sorted set in Redis (scored by when it may be forgotten:
the last moment a token it covers could still be unexpired), bumps an epoch counter and
tells the user's open streams. Every process loads the set on first use and reloads it
when the epoch moves; a background thread reads the epoch every
REVOCATION_POLL_SECONDS. A revocation made in this process counts here at once, and in
the others within that poll. With Redis unreachable a process keeps what it knew.
"""

import logging
import os
import threading
import time

from django.conf import settings

from twitter import keys
from twitter.redis import get_redis, publish, redis_errors

logger = logging.getLogger(__name__)

_SESSION, _USER = "s", "u"


def _lifetime() -> int:
    """How long a session's revocation must be remembered: a native access token's whole
    life, and a minute."""
    return int(settings.SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"].total_seconds()) + 60


def _user_lifetime() -> int:
    """How long a user's revocation must be remembered: the longest life of any access
    token (an OAuth token lives far longer than a native one), and a minute."""
    return max(_lifetime(), int(settings.OAUTH_ACCESS_TOKEN_SECONDS) + 60)


class Revocations:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sessions: dict[str, float] = {}  # session id -> forget after
        self._users: dict[int, float] = {}  # user id -> tokens issued until then are revoked
        self._epoch: bytes | None = None
        self._pid = 0

    # --- reading ---------------------------------------------------------------------

    def session_ended(self, session_id: str | None) -> bool:
        self._ensure_loaded()
        return session_id is not None and session_id in self._sessions

    def revoked_before(self, user_id: int) -> float | None:
        self._ensure_loaded()
        return self._users.get(user_id)

    def _ensure_loaded(self) -> None:
        if self._pid == os.getpid():
            return
        with self._lock:
            if self._pid == os.getpid():
                return
            self._pid = os.getpid()
            self._sessions, self._users, self._epoch = {}, {}, None
            threading.Thread(target=self._poll, name="revocations", daemon=True).start()
        self.refresh()

    def _poll(self) -> None:
        while True:
            time.sleep(settings.REVOCATION_POLL_SECONDS)
            try:
                if get_redis().get(keys.revocation_epoch()) != self._epoch:
                    self.refresh()
            except redis_errors as exc:
                logger.warning("revocations not refreshed, redis unavailable: %s", exc)
            except Exception:  # the poller must outlive any one failure
                logger.exception("revocations not refreshed")

    def refresh(self) -> None:
        """Load every revocation still in force (and the epoch it belongs to)."""
        client = get_redis()
        try:
            pipe = client.pipeline(transaction=False)
            pipe.get(keys.revocation_epoch())
            pipe.zrangebyscore(keys.revocations(), time.time(), "+inf", withscores=True)
            epoch, members = pipe.execute()
        except redis_errors as exc:
            logger.warning("revocations not loaded, redis unavailable: %s", exc)
            return
        sessions: dict[str, float] = {}
        users: dict[int, float] = {}
        for member, forget_after in members:
            kind, _, rest = member.decode().partition(":")
            if kind == _SESSION:
                sessions[rest] = float(forget_after)
            elif kind == _USER:
                user, _, before = rest.partition(":")
                users[int(user)] = max(users.get(int(user), 0.0), float(before))
        with self._lock:
            self._sessions, self._users, self._epoch = sessions, users, epoch

    # --- writing ---------------------------------------------------------------------

    def revoke_session(self, *, user_id: int, session_id: str, expires_at: float | None = None) -> None:
        """`expires_at`: when the session's last token expires, if not within a native
        token's life (an OAuth token)."""
        forget_after = time.time() + _lifetime() if expires_at is None else expires_at + 60
        self._record(user_id, f"{_SESSION}:{session_id}", forget_after)
        with self._lock:
            self._sessions[session_id] = forget_after

    def revoke_user(self, *, user_id: int) -> None:
        before = int(time.time())
        self._record(user_id, f"{_USER}:{user_id}:{before}", time.time() + _user_lifetime())
        with self._lock:
            self._users[user_id] = max(self._users.get(user_id, 0.0), float(before))

    def _record(self, user_id: int, member: str, forget_after: float) -> None:
        now = time.time()
        pipe = get_redis().pipeline(transaction=False)
        pipe.zadd(keys.revocations(), {member: forget_after})
        pipe.zremrangebyscore(keys.revocations(), "-inf", now)
        pipe.incr(keys.revocation_epoch())
        publish(pipe, keys.stream_control(user_id), b'{"event":"revoked"}')
        pipe.execute()

    def forget(self) -> None:
        """Drop what this process knows (tests, after they empty Redis)."""
        with self._lock:
            self._sessions, self._users, self._epoch = {}, {}, None


revocations = Revocations()
