"""ID-cursor pagination shared by every list endpoint.

Query parameters: `limit` (default 20, max 100), `max_id` (strictly older than),
`since_id` (strictly newer than; the newest page above it), `min_id` (strictly newer
than; the page immediately above it). Items are always returned newest first. The
response carries an RFC 8288 Link header: rel="next" (older) and rel="prev" (newer).
The helpers take a Django request (a DRF request is one too).
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlencode

from django.db.models import Model, QuerySet
from django.http import HttpRequest
from drf_spectacular.utils import OpenApiParameter
from rest_framework.request import Request
from rest_framework.response import Response

from twitter.api.fields import parse_id
from twitter.errors import ApplicationError

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
CURSOR_PARAMS = ("max_id", "since_id", "min_id")

M = TypeVar("M", bound=Model)

# The query parameters of every paginated list, for the OpenAPI schema.
PAGE_PARAMETERS = [
    OpenApiParameter(name, int if name == "limit" else str, required=False) for name in ("limit", *CURSOR_PARAMS)
]


@dataclass(frozen=True)
class PageParams:
    limit: int = DEFAULT_LIMIT
    max_id: int | None = None
    since_id: int | None = None
    min_id: int | None = None

    @property
    def ascending(self) -> bool:
        """A `min_id` page is fetched oldest-first (then returned newest-first)."""
        return self.min_id is not None


def page_params(request: HttpRequest) -> PageParams:
    errors: dict[str, list[str]] = {}
    raw_limit = request.GET.get("limit")
    limit = DEFAULT_LIMIT
    if raw_limit is not None:
        if raw_limit.isascii() and raw_limit.isdigit() and len(raw_limit) <= 3 and 1 <= int(raw_limit) <= MAX_LIMIT:
            limit = int(raw_limit)
        else:
            errors["limit"] = [f"Must be a whole number from 1 to {MAX_LIMIT}."]
    cursors: dict[str, int | None] = {}
    for name in CURSOR_PARAMS:
        raw = request.GET.get(name)
        cursors[name] = None if raw is None else parse_id(raw)
        if raw is not None and cursors[name] is None:
            errors[name] = ["Must be an id: a string of digits."]
    if cursors["since_id"] is not None and cursors["min_id"] is not None:
        errors["min_id"] = ["Use either since_id or min_id, not both."]
    if errors:
        raise ApplicationError("Invalid pagination parameters.", fields=errors)
    return PageParams(limit=limit, **cursors)


def paginate_queryset(queryset: "QuerySet[M]", params: PageParams, *, id_field: str = "id") -> list[M]:
    """One page of `queryset` by `id_field`, newest first."""
    if params.max_id is not None:
        queryset = queryset.filter(**{f"{id_field}__lt": params.max_id})
    lower = params.min_id if params.min_id is not None else params.since_id
    if lower is not None:
        queryset = queryset.filter(**{f"{id_field}__gt": lower})
    order = id_field if params.ascending else f"-{id_field}"
    items = list(queryset.order_by(order)[: params.limit])
    if params.ascending:
        items.reverse()
    return items


def _page_urls(request: HttpRequest, replaced: Sequence[str], limit: int) -> Callable[[str, int], str]:
    """Builds this request's URL with `limit` and `name=value` in place of the `replaced`
    parameters (the base is worked out once per request)."""
    base = request.build_absolute_uri(request.path)
    kept = [(key, item) for key, item in request.GET.items() if key not in (*replaced, "limit")]
    query = urlencode([*kept, ("limit", limit)])
    return lambda name, value: f"{base}?{query}&{urlencode([(name, value)])}"


def link_header(request: HttpRequest, ids: Sequence[int], params: PageParams) -> str | None:
    """Link header for a page whose items have `ids`, newest first."""
    if not ids:
        return None
    url = _page_urls(request, CURSOR_PARAMS, params.limit)
    links = []
    if len(ids) >= params.limit:
        links.append(f'<{url("max_id", ids[-1])}>; rel="next"')
    links.append(f'<{url("min_id", ids[0])}>; rel="prev"')
    return ", ".join(links)


def offset_link_header(request: HttpRequest, *, offset: int, limit: int, has_next: bool) -> str | None:
    """Link header for a page of a list paged by `offset` (ranked results, which have no
    id order to page by)."""
    url = _page_urls(request, ("offset",), limit)
    links = []
    if has_next:
        links.append(f'<{url("offset", offset + limit)}>; rel="next"')
    if offset > 0:
        links.append(f'<{url("offset", max(0, offset - limit))}>; rel="prev"')
    return ", ".join(links) or None


def paginated_response(request: Request, data: list[Any], ids: Sequence[int], params: PageParams) -> Response:
    response = Response(data)
    header = link_header(request, ids, params)
    if header:
        response["Link"] = header
    return response
