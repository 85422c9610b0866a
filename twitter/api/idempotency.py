"""Safe retries: a POST to the API sent with an `Idempotency-Key` header is carried out once.

The key (1 to 255 visible ASCII characters; a UUID the client makes per action) belongs to
the signed-in user (anonymous requests share one scope). The first request with a key runs
in one transaction with a row that claims the key: a 2xx answer is stored in the row and
commits with the write; any other answer rolls both back (nothing was written, and the key
may be used again). A retry finds the committed row and gets the stored answer again,
marked `Idempotent-Replayed: true`; a retry that arrives while the first request is still
running waits for it (the row's unique index). The same key with another path or body is
a 422. Answers are kept for IDEMPOTENCY_KEY_HOURS. Signing in, refreshing and logging out
are left out: their answers are tokens, which are never stored.
"""

import hashlib
import logging
import re
from collections.abc import Callable
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.db import DatabaseError, connections, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase

from twitter.api.errors import error_response
from twitter.db.routing import PRIMARY, note_database_unavailable
from twitter.models import IdempotentRequest

logger = logging.getLogger(__name__)

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
_KEY = re.compile(r"[\x21-\x7e]{1,255}")
_LEFT_OUT = re.compile(r"/api/v1/auth/(token|token/refresh|logout)/?")


def covers(method: str, path: str) -> bool:
    """Whether a request to `path` with `method` may carry an Idempotency-Key."""
    return method == "POST" and path.startswith("/api/") and not _LEFT_OUT.fullmatch(path)


def _fingerprint(request: HttpRequest, body: bytes) -> str:
    return hashlib.sha256(
        b"\n".join([str(request.method).encode(), request.get_full_path().encode(), body])
    ).hexdigest()


def _claim(user_id: int, key: str, fingerprint: str) -> IdempotentRequest | None:
    """Claim the key in the current transaction (None), or the request that holds it. A
    request holding it uncommitted makes the INSERT wait until it commits or rolls back."""
    with connections[PRIMARY].cursor() as cursor:
        for _ in range(3):
            cursor.execute(
                "INSERT INTO twitter_idempotentrequest"
                " (user_id, key, fingerprint, status, content_type, location, body, created_at)"
                " VALUES (%s, %s, %s, 0, '', '', ''::bytea, now())"
                " ON CONFLICT (user_id, key) DO NOTHING RETURNING id",
                [user_id, key, fingerprint],
            )
            if cursor.fetchone() is not None:
                return None
            held = IdempotentRequest.objects.using(PRIMARY).filter(user_id=user_id, key=key).first()
            if held is not None:
                return held
    raise DatabaseError("the idempotency key could be neither claimed nor read")


def _replay(held: IdempotentRequest, fingerprint: str) -> HttpResponse:
    if held.fingerprint != fingerprint:
        return error_response(
            422, "idempotency_key_reused", "This Idempotency-Key was used with another request; use a new key."
        )
    response = HttpResponse(bytes(held.body), status=held.status, content_type=held.content_type or None)
    if held.location:
        response["Location"] = held.location
    response[REPLAYED_HEADER] = "true"
    return response


def _keep(user_id: int, key: str, response: HttpResponse) -> None:
    IdempotentRequest.objects.using(PRIMARY).filter(user_id=user_id, key=key).update(
        status=response.status_code,
        content_type=response.get("Content-Type", "")[:100],
        location=response.get("Location", "")[:500],
        body=response.content,
    )


class IdempotencyMiddleware:
    """The write-API's: after admission (which knows the user) and the primary's breaker."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        key = request.headers.get(HEADER)
        if key is None or not covers(str(request.method), request.path):
            return self.get_response(request)
        if not _KEY.fullmatch(key):
            return error_response(
                400, "invalid_idempotency_key", f"{HEADER} must be 1 to 255 visible ASCII characters."
            )
        try:
            body = request.body
        except RequestDataTooBig:
            return self.get_response(request)  # refused as too large: nothing to repeat
        access: Any = getattr(request, "access", None)
        user_id = access.user_id if access is not None else 0
        try:
            return self._once(request, user_id, key, _fingerprint(request, body))
        except DatabaseError as exc:
            logger.warning("idempotency key not usable, database unavailable: %s", exc)
            note_database_unavailable(request)
            refused = error_response(503, "service_unavailable", "The database is unavailable; try again shortly.")
            refused["Retry-After"] = "1"
            return refused

    def _once(self, request: HttpRequest, user_id: int, key: str, fingerprint: str) -> HttpResponseBase:
        with transaction.atomic(using=PRIMARY):
            held = _claim(user_id, key, fingerprint)
            if held is not None:
                return _replay(held, fingerprint)
            response = self.get_response(request)
            if 200 <= response.status_code < 300 and isinstance(response, HttpResponse):
                _keep(user_id, key, response)
            else:
                transaction.set_rollback(True, using=PRIMARY)
            return response
