"""The OpenAPI schema of the whole API (drf-spectacular), errors included.

- Nested `InputSerializer` / `OutputSerializer` classes are named after their view
  (`TweetCreateApi.InputSerializer` -> `TweetCreateInput`), so no two components collide.
- Every operation documents the error responses it can give, each with the one error
  envelope; rate-limited responses document their headers.
- Ids are strings of digits, in bodies and in paths.
- Bearer JWT authentication (`bearerAuth`, declared in settings.SPECTACULAR_SETTINGS for
  every operation; open ones also accept no token), so /api/docs/ has a working
  Authorize button.
- The streaming process's Server-Sent Events are added by `add_streaming`: they are not
  DRF views, but they are part of the API.
"""

from typing import Any

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from twitter.api import idempotency

ID_SCHEMA = {"type": "string", "pattern": "^[0-9]{1,19}$", "example": "1234567890123456789"}
ERROR_COMPONENT = "Error"

_ERRORS = {
    "400": "Invalid input: `error.fields` names each field and what is wrong with it.",
    "401": "No valid access token (missing, invalid, expired or revoked).",
    "403": "Not allowed for this account.",
    "404": "No such resource (or not visible to this viewer).",
    "409": "The resource is not in a state that allows this.",
    "413": "The request body is too large.",
    "415": "The body's content type is not accepted.",
    "422": "This Idempotency-Key was used with another request.",
    "429": "Rate limited: see `Retry-After` and the X-RateLimit-* headers.",
    "503": "A backing service is down: retry after `Retry-After` seconds.",
}
_BODY_ERRORS = ("413", "415")
_RATE_HEADERS = {
    "X-RateLimit-Limit": "Requests allowed in the tightest bucket's window.",
    "X-RateLimit-Remaining": "Requests left in that window.",
    "X-RateLimit-Reset": "Unix time at which that window ends.",
}


def _error_response(code: str) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": _ERRORS[code],
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}}},
    }
    headers = dict(_RATE_HEADERS) if code == "429" else {}
    if code in ("429", "503"):
        headers["Retry-After"] = "Seconds to wait before trying again."
    if headers:
        response["headers"] = {
            name: {"schema": {"type": "integer"}, "description": text} for name, text in headers.items()
        }
    return response


_IDEMPOTENCY_PARAMETER = OpenApiParameter(
    idempotency.HEADER,
    {"type": "string", "pattern": "^[\\x21-\\x7e]{1,255}$"},
    OpenApiParameter.HEADER,
    required=False,
    description=(
        "Makes a retry safe: a request repeated with the same key gets the first answer again "
        "(with `Idempotent-Replayed: true`) and writes nothing more. A new key (e.g. a UUID) per action."
    ),
)


class IdempotentWritesSchema(SpectacularAutoSchema):
    """Operations that take an Idempotency-Key say so (every API format's)."""

    def get_override_parameters(self) -> list[Any]:
        parameters = list(super().get_override_parameters())
        if idempotency.covers(self.method, self.path):
            parameters.append(_IDEMPOTENCY_PARAMETER)
        return parameters


class AutoSchema(IdempotentWritesSchema):
    def get_serializer_name(self, serializer: serializers.Serializer, direction: str) -> str:
        outer, _, inner = type(serializer).__qualname__.rpartition(".")
        if outer:
            return outer.removesuffix("Api") + inner.removesuffix("Serializer")
        return type(serializer).__name__

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        has_body = self.method in ("POST", "PUT", "PATCH")
        for code in _ERRORS:
            if code in _BODY_ERRORS and not has_body:
                continue
            if code == "422" and not idempotency.covers(self.method, self.path):
                continue
            responses.setdefault(code, _error_response(code))
        return responses


class _IdFieldSchema(OpenApiSerializerFieldExtension):
    target_class = "twitter.api.fields.IdField"

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        return dict(ID_SCHEMA)


_ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "fields"],
            "properties": {
                "code": {"type": "string", "example": "invalid"},
                "message": {"type": "string"},
                "fields": {
                    "type": "object",
                    "additionalProperties": True,
                    "description": "Per field: a list of messages (or nested, for nested fields).",
                },
            },
        }
    },
}

_STREAM_PARAMETERS = [
    {
        "name": "Last-Event-ID",
        "in": "header",
        "required": False,
        "schema": ID_SCHEMA,
        "description": "Resume after this event (home stream: a tweet id; direct stream: a message id).",
    },
    {
        "name": "access_token",
        "in": "query",
        "required": False,
        "schema": {"type": "string"},
        "description": "For clients that cannot send headers (EventSource); prefer the header.",
    },
]


def _stream_operation(summary: str, events: str, resumable: bool) -> dict[str, Any]:
    return {
        "operationId": summary.lower().replace(" ", "_"),
        "summary": summary,
        "description": (
            f"Server-Sent Events: {events}. A comment every STREAMING_HEARTBEAT_SECONDS keeps the "
            "connection open; an `end` event (with an error envelope) closes it when the access token "
            "expires or its session ends. At most STREAMS_PER_ACCOUNT streams per account."
        ),
        "tags": ["streaming"],
        "security": [{"bearerAuth": []}],
        "parameters": _STREAM_PARAMETERS if resumable else _STREAM_PARAMETERS[1:],
        "responses": {
            "200": {
                "description": "An event stream.",
                "content": {"text/event-stream": {"schema": {"type": "string"}}},
            },
            **{code: _error_response(code) for code in ("400", "401", "429", "503")},
        },
    }


def add_streaming(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Postprocessing hook: the error component and the streaming endpoints."""
    result.setdefault("components", {}).setdefault("schemas", {})[ERROR_COMPONENT] = _ERROR_SCHEMA
    paths = result.setdefault("paths", {})
    paths["/api/v1/streaming/home"] = {
        "get": _stream_operation("Stream home", "`update` (a tweet) and `delete` ({id})", resumable=True)
    }
    paths["/api/v1/streaming/notifications"] = {
        "get": _stream_operation("Stream notifications", "`update` (a notification group)", resumable=False)
    }
    paths["/api/v1/streaming/direct"] = {
        "get": _stream_operation(
            "Stream direct messages",
            "`message` (a direct message) and `message_deleted` ({id, conversation_id})",
            resumable=True,
        )
    }
    return result
