"""Base views of the two APIs."""

import time
from typing import Any, ClassVar

from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.views import APIView
from rest_framework_simplejwt.authentication import JWTStatelessUserAuthentication
from rest_framework_simplejwt.tokens import Token

from twitter.db import routing
from twitter.errors import ApplicationError


def request_user_id(request: Request) -> int:
    """The signed-in user's id (views reach here only past IsAuthenticated)."""
    user_id = getattr(request.user, "pk", None)
    if user_id is None:
        raise NotAuthenticated()
    return int(user_id)


def reject_unknown_fields(request: Request, allowed: set[str]) -> dict[str, Any]:
    """The request body as a dict, refusing anything but a JSON object of known fields."""
    if not isinstance(request.data, dict):
        raise ApplicationError("Expected a JSON object.", code="invalid")
    unknown = set(request.data) - allowed
    if unknown:
        raise ApplicationError("Unknown fields.", fields={name: ["Unknown field."] for name in sorted(unknown)})
    return dict(request.data)


class CachedJWTAuthentication(JWTStatelessUserAuthentication):
    """Stateless JWT auth that verifies a token's signature once per process: a token
    cannot change, so later requests carrying it only check that it has not expired.
    Readers send the same token for minutes; this saves a signature check per request."""

    MAX_TOKENS = 50_000
    _verified: ClassVar[dict[bytes, tuple[float, Token]]] = {}

    def get_validated_token(self, raw_token: bytes) -> Token:
        hit = self._verified.get(raw_token)
        if hit is not None and hit[0] > time.time():
            return hit[1]
        token = super().get_validated_token(raw_token)
        if len(self._verified) >= self.MAX_TOKENS:
            self._verified.clear()
        self._verified[raw_token] = (float(token["exp"]), token)
        return token


class ReadApiView(APIView):
    """A read-API view: JWT checked from the token alone (no database query), reads
    routed to the replica; a viewer who just wrote reads their own rows from the primary."""

    authentication_classes = [CachedJWTAuthentication]
    permission_classes = [AllowAny]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if request.user is not None and request.user.is_authenticated:
            routing.set_viewer(request_user_id(request))
