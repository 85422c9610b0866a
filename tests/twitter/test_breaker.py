import time

from twitter.db.breaker import CircuitBreaker


def test_closed_breaker_lets_every_call_through() -> None:
    breaker = CircuitBreaker("dep", cooldown=60)
    assert all(breaker.allow() for _ in range(5))
    assert not breaker.is_open


def test_open_breaker_refuses_until_cooldown_then_lets_one_probe() -> None:
    breaker = CircuitBreaker("dep", cooldown=0.05)
    breaker.record_failure()
    assert breaker.is_open
    assert not breaker.allow()
    time.sleep(0.06)
    assert breaker.allow()  # the probe
    assert not breaker.allow()  # others wait for the probe's outcome


def test_successful_probe_closes_and_failed_probe_reopens() -> None:
    breaker = CircuitBreaker("dep", cooldown=0.01)
    breaker.record_failure()
    time.sleep(0.02)
    assert breaker.allow()
    breaker.record_failure()
    assert not breaker.allow()
    time.sleep(0.02)
    assert breaker.allow()
    breaker.record_success()
    assert not breaker.is_open
    assert breaker.allow()
    assert breaker.allow()
