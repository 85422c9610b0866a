"""Domain errors raised by services and selectors; the API maps them to HTTP."""

from typing import Any


class ApplicationError(Exception):
    """A request that cannot be carried out as asked (HTTP 400)."""

    status_code = 400
    code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, fields: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.fields = fields or {}


class NotFoundError(ApplicationError):
    status_code = 404
    code = "not_found"


class PermissionDeniedError(ApplicationError):
    status_code = 403
    code = "permission_denied"


class ConflictError(ApplicationError):
    status_code = 409
    code = "conflict"


class AuthenticationError(ApplicationError):
    status_code = 401
    code = "authentication_failed"
