"""A small circuit breaker for one dependency, shared by the threads of a process."""

import threading
import time

from twitter import metrics


class CircuitBreaker:
    """Closed: calls go through. Open: calls are refused until `cooldown` has passed; then
    exactly one caller is let through as a probe (half-open) while the rest stay refused,
    and its outcome closes or re-opens the breaker."""

    def __init__(self, name: str, cooldown: float) -> None:
        self.name = name
        self.cooldown = cooldown
        self._open_until = 0.0  # 0.0 means closed
        self._lock = threading.Lock()

    @property
    def is_open(self) -> bool:
        return self._open_until != 0.0

    def allow(self) -> bool:
        if self._open_until == 0.0:
            return True
        with self._lock:
            now = time.monotonic()
            if now < self._open_until:
                return False
            self._open_until = now + self.cooldown  # this caller is the probe
            return True

    def record_failure(self) -> None:
        with self._lock:
            tripped = self._open_until == 0.0
            self._open_until = time.monotonic() + self.cooldown
        if tripped:
            metrics.BREAKER_TRIPS.labels(self.name).inc()
            metrics.BREAKER_OPEN.labels(self.name).set(1)

    def record_success(self) -> None:
        if self._open_until != 0.0:
            with self._lock:
                self._open_until = 0.0
            metrics.BREAKER_OPEN.labels(self.name).set(0)
