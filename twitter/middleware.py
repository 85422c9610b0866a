"""Middleware every API process runs."""

import logging
import re
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject, empty

from twitter import logging as logs
from twitter.api.auth import request_access

access_logger = logging.getLogger("twitter.requests")

_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def request_id_of(request: HttpRequest) -> str:
    """The gateway's X-Request-ID when it is sane, else a new one."""
    incoming = request.META.get("HTTP_X_REQUEST_ID", "")  # not request.headers: it parses every header
    return incoming if _VALID_REQUEST_ID.match(incoming) else uuid.uuid4().hex


class RequestIdMiddleware:
    """Keeps the gateway's X-Request-ID (or makes one) for the log lines and the response,
    and logs one line per request: method, route pattern (never the raw path: it holds
    ids and tokens), status, duration, user."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.log_requests = bool(settings.LOG_REQUESTS)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_of(request)
        started = time.perf_counter()
        with logs.scope(request_id=request_id) as fields:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            if self.log_requests:
                match = request.resolver_match
                route = ("/" + match.route) if match is not None else fields.get("route", "(unmatched)")
                user_id = _user_id_of(request)
                access_logger.info(
                    "request",
                    extra={
                        "method": request.method,
                        "route": route,
                        "status": response.status_code,
                        "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                        **({"user_id": user_id} if user_id is not None else {}),
                    },
                )
        return response


def _user_id_of(request: HttpRequest) -> int | None:
    """The user of the request's verified access token, else the one a view authenticated
    (a session, in the admin), without evaluating Django's lazy user (a query) when
    nothing did."""
    access = request_access(request, oauth=True)
    if access is not None:
        return access.user_id
    user = request.__dict__.get("user")
    if user is None or (isinstance(user, SimpleLazyObject) and user._wrapped is empty):
        return None
    return getattr(user, "pk", None) if getattr(user, "is_authenticated", False) else None


class ServedByMiddleware:
    """X-Served-By: write-api or read-api, so an operator sees which side answered."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response["X-Served-By"] = settings.SERVICE_ROLE
        return response


class ContentSecurityPolicyMiddleware:
    """A strict Content-Security-Policy on the HTML pages (the admin, the API docs): only
    this origin's scripts, no framing. JSON answers need none."""

    POLICY = (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; "
        "form-action 'self'; object-src 'none'"
    )

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.get("Content-Type", "").startswith("text/html"):
            response.setdefault("Content-Security-Policy", self.POLICY)
        return response
