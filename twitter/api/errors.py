"""The one error format of both APIs: {"error": {"code", "message", "fields"}}.

DRF exceptions, Django's own (404, PermissionDenied, ValidationError, oversized bodies),
domain errors and an unreachable database all land here, so no malformed request can
produce anything but a clear 4xx, and an outage a clear 503.
"""

import logging
from typing import Any

import redis
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, InterfaceError, OperationalError
from django.http import Http404, HttpRequest, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error

from twitter.db import routing
from twitter.errors import ApplicationError

logger = logging.getLogger(__name__)


def error_body(code: str, message: str, fields: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def error_response(status: int, code: str, message: str) -> JsonResponse:
    """The envelope as a plain Django response, for answers given outside DRF's views
    (middleware, the streaming process, Django's own handlers). A 401 names the scheme."""
    response = JsonResponse(error_body(code, message), status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def _validation_body(detail: Any) -> dict[str, Any]:
    if isinstance(detail, dict):
        fields = {key: value for key, value in detail.items() if key != "non_field_errors"}
        general = detail.get("non_field_errors")
        message = str(general[0]) if general else "Invalid input."
        return error_body("invalid", message, fields)
    if isinstance(detail, list) and detail:
        return error_body("invalid", str(detail[0]))
    return error_body("invalid", str(detail) or "Invalid input.")


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ApplicationError):
        return Response(error_body(exc.code, exc.message, exc.fields), status=exc.status_code)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, RequestDataTooBig):
        return Response(
            error_body("payload_too_large", "The request body is too large."),
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    elif isinstance(exc, SuspiciousOperation):
        return Response(error_body("bad_request", "The request was rejected."), status=400)
    elif isinstance(exc, DataError):  # a value the database cannot take: bad input, not an outage
        logger.warning("database refused a value: %s", exc)
        return Response(error_body("invalid", "A value in the request cannot be stored or compared."), status=400)
    elif isinstance(exc, OperationalError | InterfaceError):
        logger.error("database unavailable: %s", exc)
        if context.get("request") is not None:
            routing.note_database_unavailable(context["request"])
        return _unavailable("The database is unavailable; try again shortly.")
    elif isinstance(exc, redis.ConnectionError | redis.TimeoutError):
        logger.error("redis unavailable: %s", exc)
        return _unavailable("A backing service is unavailable; try again shortly.")

    if not isinstance(exc, exceptions.APIException):
        return None

    if isinstance(exc, exceptions.ValidationError):
        body = _validation_body(exc.detail)
    else:
        detail = exc.detail
        code = getattr(detail, "code", None) or exc.default_code
        if isinstance(detail, dict):  # simplejwt puts {"detail", "code", "messages"} here
            code = str(detail.get("code", code))
            message = str(detail.get("detail", exc.default_detail))
        else:
            message = str(detail)
        body = error_body(str(code), message)

    response = Response(body, status=exc.status_code)
    wait = getattr(exc, "wait", None)  # Throttled carries the seconds to wait
    if isinstance(exc, exceptions.Throttled) and wait is not None:
        response["Retry-After"] = str(int(wait) + 1)
    auth_header = getattr(exc, "auth_header", None)
    if auth_header:
        response["WWW-Authenticate"] = auth_header
    return response


def _unavailable(message: str) -> Response:
    response = Response(error_body("service_unavailable", message), status=503)
    response["Retry-After"] = "1"
    return response


# Django-level handlers (errors outside DRF views), installed by both URLconfs.


def bad_request(request: HttpRequest, exception: Exception) -> JsonResponse:
    if isinstance(exception, RequestDataTooBig):
        return JsonResponse(error_body("payload_too_large", "The request body is too large."), status=413)
    return JsonResponse(error_body("bad_request", "The request was rejected."), status=400)


def permission_denied(request: HttpRequest, exception: Exception) -> JsonResponse:
    return JsonResponse(error_body("permission_denied", "You do not have permission to do this."), status=403)


def not_found(request: HttpRequest, exception: Exception) -> JsonResponse:
    return JsonResponse(error_body("not_found", "Not found."), status=404)


def csrf_failure(request: HttpRequest, reason: str = "") -> JsonResponse:
    """settings.CSRF_FAILURE_VIEW: a form POST without its CSRF token (the admin)."""
    return JsonResponse(
        error_body("csrf_failed", "CSRF verification failed: reload the form and try again."), status=403
    )


def server_error(request: HttpRequest) -> JsonResponse:
    return JsonResponse(error_body("server_error", "Internal server error."), status=500)
