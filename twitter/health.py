"""Liveness and readiness.

/health/live answers while the process can serve. /health/ready checks every
dependency and names each one; it is 503 only when a dependency this role cannot work
without is down (write-API: primary; read-API: both replica and primary), so that a
Redis or broker outage degrades the platform instead of taking every instance out.
"""

import time
from collections.abc import Callable
from typing import Any

from celery import current_app
from django.conf import settings
from django.db import DatabaseError, connections
from django.http import HttpRequest, JsonResponse

from twitter import keys
from twitter.db.routing import PRIMARY, REPLICAS, replica_breakers
from twitter.redis import get_redis

CheckResult = dict[str, Any]


def _timed(check: Callable[[], dict[str, Any]]) -> CheckResult:
    started = time.perf_counter()
    try:
        result = {"ok": True, **check()}
    except Exception as exc:  # noqa: BLE001 - a readiness probe reports every failure
        result = {"ok": False, "error": f"{type(exc).__name__}: {exc}".strip()[:300]}
    result["latency_ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


def _check_primary() -> dict[str, Any]:
    with connections[PRIMARY].cursor() as cursor:
        cursor.execute("SELECT 1")
    return {}


def _check_one_replica(alias: str) -> dict[str, Any]:
    breaker = replica_breakers[alias]
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT pg_is_in_recovery(), EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())")
            in_recovery, lag = cursor.fetchone()
    except DatabaseError as exc:
        breaker.record_failure()
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}".strip()[:300]}
    detail: dict[str, Any] = {"ok": True, "streaming": bool(in_recovery), "breaker_open": breaker.is_open}
    if in_recovery and lag is not None:
        detail["last_replay_seconds_ago"] = round(float(lag), 3)
    if not in_recovery:
        detail["note"] = "no replica configured: the replica alias points at the primary"
    return detail


def _check_replica() -> dict[str, Any]:
    """Every replica; fine while one of them answers (reads go to those that do)."""
    found = {alias: _check_one_replica(alias) for alias in REPLICAS}
    if len(found) == 1:
        [only] = found.values()
        if not only.pop("ok"):
            raise DatabaseError(only["error"])
        return only
    if not any(detail["ok"] for detail in found.values()):
        raise DatabaseError("no replica answers")
    return {"replicas": found}


def _check_redis() -> dict[str, Any]:
    client = get_redis()
    client.ping()
    heartbeat = client.get(keys.beat_heartbeat())
    if heartbeat is None:
        return {"beat_heartbeat_age_seconds": None}
    return {"beat_heartbeat_age_seconds": round(time.time() - float(heartbeat), 1)}


def _check_broker() -> dict[str, Any]:
    with current_app.connection_for_write() as connection:
        connection.ensure_connection(max_retries=1, timeout=settings.CELERY_BROKER_CONNECTION_TIMEOUT)
    return {}


CHECKS: dict[str, Callable[[], dict[str, Any]]] = {
    "database": _check_primary,
    "replica": _check_replica,
    "redis": _check_redis,
    "broker": _check_broker,
}


def _ready(role: str, results: dict[str, CheckResult]) -> bool:
    if role == "read-api":
        return bool(results["replica"]["ok"] or results["database"]["ok"])
    return bool(results["database"]["ok"])


def live(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok", "service": settings.SERVICE_ROLE})


def ready(request: HttpRequest) -> JsonResponse:
    results = {name: _timed(check) for name, check in CHECKS.items()}
    ok = _ready(settings.SERVICE_ROLE, results)
    degraded = [name for name, result in results.items() if not result["ok"]]
    status = "unavailable" if not ok else ("degraded" if degraded else "ok")
    body = {"status": status, "service": settings.SERVICE_ROLE, "down": degraded, "checks": results}
    return JsonResponse(body, status=200 if ok else 503)
