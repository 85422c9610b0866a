"""The base view of the Mastodon-compatible API and what its views share: the origin its
URLs are built on, and parameters as Mastodon clients send them (a form, multipart or a
JSON body; lists as `name[]`; booleans as "true"/"1")."""

from typing import Any

from django.http import HttpRequest
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from apps.mastodon.api.schema import MastodonAutoSchema
from apps.mastodon.auth import OAuthAuthentication, ScopedUser
from apps.mastodon.errors import exception_handler
from twitter.api.fields import parse_id
from twitter.api.parsers import JSONParser
from twitter.api.views import viewer_bind
from twitter.errors import ApplicationError, AuthenticationError


class MastodonView(APIView):
    authentication_classes = [OAuthAuthentication]
    permission_classes: list[type[BasePermission]] = [ScopedUser]
    parser_classes = [JSONParser, FormParser, MultiPartParser]
    scopes: dict[str, str] = {}  # method -> the scope it needs (none: open to anyone)
    schema = MastodonAutoSchema()

    def get_exception_handler(self) -> Any:
        return exception_handler

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        user_id = viewer_id(request)
        if user_id is not None:
            viewer_bind(user_id)


def viewer_id(request: Request) -> int | None:
    user = request.user
    return parse_id(getattr(user, "pk", None)) if user is not None and user.is_authenticated else None


def signed_in(request: Request) -> int:
    """The viewer's id (a view reaches here only past ScopedUser with a scope)."""
    user_id = viewer_id(request)
    if user_id is None:
        raise AuthenticationError("The access token is invalid")
    return user_id


def origin(request: HttpRequest) -> str:
    """Where this API answers: its URLs (profiles, statuses, tags) are built on it."""
    return request.build_absolute_uri("/").rstrip("/")


def _source(request: Request, query: bool) -> Any:
    return request.query_params if query else request.data


def param(request: Request, name: str, *, query: bool = False) -> Any:
    data = _source(request, query)
    return data.get(name) if hasattr(data, "get") else None


def text_param(request: Request, name: str, *, query: bool = False, default: str = "") -> str:
    value = param(request, name, query=query)
    if value is None:
        return default
    if not isinstance(value, str):
        raise ApplicationError("Invalid value.", fields={name: ["Must be text."]})
    return value


def list_param(request: Request, name: str, *, query: bool = False) -> list[Any]:
    """`name[]` (repeated) or `name` (a JSON list, or repeated)."""
    data = _source(request, query)
    if hasattr(data, "getlist"):
        values = data.getlist(f"{name}[]") or data.getlist(name)
    elif isinstance(data, dict):
        values = data.get(f"{name}[]", data.get(name, []))
    else:
        values = []
    return values if isinstance(values, list) else [values]


def bool_param(request: Request, name: str, *, query: bool = False, default: bool = False) -> bool:
    value = param(request, name, query=query)
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "1", "on"):
        return True
    if isinstance(value, str) and value.lower() in ("false", "0", "off"):
        return False
    raise ApplicationError("Invalid value.", fields={name: ["Must be true or false."]})


def id_list_param(request: Request, name: str, *, query: bool = False, max_items: int = 40) -> list[int]:
    values = list_param(request, name, query=query)
    ids = [parse_id(value) for value in values]
    if len(ids) > max_items or any(i is None for i in ids):
        raise ApplicationError("Invalid value.", fields={name: [f"At most {max_items} ids (strings of digits)."]})
    return [i for i in ids if i is not None]
