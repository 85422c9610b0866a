"""The read-API never writes to the primary: any write statement there raises. A replica
that takes connections but fails queries trips the replica breaker. On the write-API, a
primary that cannot be reached trips the primary breaker: writes are refused at once
(503, Retry-After) instead of each waiting for the pool's timeout."""

import contextlib
import logging
from collections.abc import Callable
from typing import Any

from django.db import DatabaseError, DataError, connections
from django.http import HttpRequest, HttpResponse
from rest_framework.permissions import SAFE_METHODS

from twitter.api.errors import error_response
from twitter.db import routing

_WRITE_VERBS = ("INSERT", "UPDATE", "DELETE", "MERGE", "CREATE", "ALTER", "DROP", "TRUNCATE", "GRANT", "REVOKE")


class PrimaryWriteForbiddenError(RuntimeError):
    pass


def forbid_writes(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
    if sql.lstrip()[:8].upper().startswith(_WRITE_VERBS):
        raise PrimaryWriteForbiddenError(f"the read-API attempted a write on the primary: {sql[:120]}")
    return execute(sql, params, many, context)


logger = logging.getLogger(__name__)


def watch_replica(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
    try:
        return execute(sql, params, many, context)
    except DataError:  # a value from the request (a NUL, say) that no database takes
        raise
    except DatabaseError as exc:
        alias = context["connection"].alias
        logger.warning("a query on the replica failed (%s: %s); reads go elsewhere for a while", alias, exc)
        routing.replica_failed(alias)
        raise


class ReadApiDatabaseMiddleware:
    """Scopes the read routing state to one request, guards the primary connection and
    watches the replica's. A request whose replica query failed is answered once more,
    from the primary (the breaker is open by then): reads have no side effects."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response, replica_failed = self._answer(request)
        if replica_failed and response.status_code >= 500:
            response, _ = self._answer(request)
        return response

    def _answer(self, request: HttpRequest) -> tuple[HttpResponse, bool]:
        token = routing.begin_request()
        try:
            with contextlib.ExitStack() as guards:
                guards.enter_context(connections[routing.PRIMARY].execute_wrapper(forbid_writes))
                for alias in routing.REPLICAS:
                    guards.enter_context(connections[alias].execute_wrapper(watch_replica))
                response = self.get_response(request)
            return response, routing.request_replica_failed()
        finally:
            routing.end_request(token)


class PrimaryBreakerMiddleware:
    """The write-API's guard for the primary. A request that found the database
    unavailable (the error handler marks it: `routing.note_database_unavailable`) opens the
    breaker; while it is open, writes get a 503 with Retry-After at once, so requests do
    not pile up behind the pool's timeout. After PRIMARY_BREAKER_COOLDOWN one write probes
    the primary, and a good answer closes the breaker. Reads (the admin's pages, health)
    pass: they wait for the pool, which has a short timeout."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in SAFE_METHODS:
            return self.get_response(request)
        breaker = routing.primary_breaker
        if not breaker.allow():
            refused = error_response(503, "service_unavailable", "The database is unavailable; try again shortly.")
            refused["Retry-After"] = str(max(1, round(breaker.cooldown)))
            return refused
        response = self.get_response(request)
        if routing.database_was_unavailable(request):
            breaker.record_failure()
        elif response.status_code < 500:
            breaker.record_success()
        return response
