"""The read-API never writes to the primary: any write statement there raises."""

from collections.abc import Callable
from typing import Any

from django.db import connections
from django.http import HttpRequest, HttpResponse

from twitter.db import routing

_WRITE_VERBS = ("INSERT", "UPDATE", "DELETE", "MERGE", "CREATE", "ALTER", "DROP", "TRUNCATE", "GRANT", "REVOKE")


class PrimaryWriteForbiddenError(RuntimeError):
    pass


def forbid_writes(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
    if sql.lstrip()[:8].upper().startswith(_WRITE_VERBS):
        raise PrimaryWriteForbiddenError(f"the read-API attempted a write on the primary: {sql[:120]}")
    return execute(sql, params, many, context)


class ReadApiDatabaseMiddleware:
    """Scopes the read routing state to one request and guards the primary connection."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = routing.begin_request()
        try:
            with connections[routing.PRIMARY].execute_wrapper(forbid_writes):
                return self.get_response(request)
        finally:
            routing.end_request(token)
