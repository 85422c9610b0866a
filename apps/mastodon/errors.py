"""Errors in Mastodon's form: `{"error": "..."}` (and `error_description` for OAuth).

Everything the native API's handler maps (domain errors, DRF's, Django's, an unreachable
database) is mapped the same way here, then reshaped: a validation error is a 422 whose
message names the fields, as Mastodon's "Validation failed: ..." does.
"""

from typing import Any

from django.http import HttpRequest, JsonResponse
from rest_framework.response import Response

from twitter.api import errors as native


def message_of(error: dict[str, Any]) -> str:
    message = str(error.get("message") or "Error")
    fields = error.get("fields") or {}
    if fields:
        details = "; ".join(f"{name}: {' '.join(str(m) for m in messages)}" for name, messages in fields.items())
        return f"Validation failed: {details}"
    return message


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    response = native.exception_handler(exc, context)
    if response is None:
        return None
    error = response.data.get("error") if isinstance(response.data, dict) else None
    if isinstance(error, dict):
        if response.status_code == 400 and error.get("fields"):
            response.status_code = 422
        response.data = {"error": message_of(error)}
    return response


def error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


# Django-level handlers (errors outside DRF views) of the Mastodon origin's URLconfs.


def bad_request(request: HttpRequest, exception: Exception) -> JsonResponse:
    return error(400, "Bad request")


def permission_denied(request: HttpRequest, exception: Exception) -> JsonResponse:
    return error(403, "This action is not allowed")


def not_found(request: HttpRequest, exception: Exception) -> JsonResponse:
    return error(404, "Record not found")


def server_error(request: HttpRequest) -> JsonResponse:
    return error(500, "We're sorry, but something went wrong")
