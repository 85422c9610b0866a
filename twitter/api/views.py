"""Base views of the two APIs."""

from typing import Any

from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.views import APIView

from twitter import logging as logs
from twitter.api.auth import StatelessTokenAuthentication
from twitter.api.fields import parse_id
from twitter.db import routing
from twitter.errors import ApplicationError


def request_user_id(request: Request) -> int:
    """The signed-in user's id (views reach here only past IsAuthenticated)."""
    user_id = parse_id(getattr(request.user, "pk", None))
    if user_id is None:
        raise NotAuthenticated()
    return user_id


def reject_unknown_fields(request: Request, allowed: set[str]) -> dict[str, Any]:
    """The request body as a dict, refusing anything but a JSON object of known fields."""
    if not isinstance(request.data, dict):
        raise ApplicationError("Expected a JSON object.", code="invalid")
    unknown = set(request.data) - allowed
    if unknown:
        raise ApplicationError("Unknown fields.", fields={name: ["Unknown field."] for name in sorted(unknown)})
    return dict(request.data)


class ReadApiView(APIView):
    """A read-API view: JWT checked from the token alone (no database query), reads
    routed to the replica; a viewer who just wrote reads their own rows from the primary."""

    authentication_classes = [StatelessTokenAuthentication]
    permission_classes = [AllowAny]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if request.user is not None and request.user.is_authenticated:
            viewer_bind(request_user_id(request))


def viewer_bind(user_id: int) -> None:
    """The request's signed-in user: their reads see their own writes (routing), and the
    request's log lines name them."""
    routing.set_viewer(user_id)
    logs.bind(user_id=user_id)
