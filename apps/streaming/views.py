"""Server-Sent Events: a signed-in user's home timeline and notifications, live.

Workers publish ids to per-user channels (twitter.streams); a stream turns each id into
the same JSON the read-API serves. `Last-Event-ID` (or `?last_event_id=`) resumes a home
stream: everything newer than that id is sent from the timeline first, then live events.
A comment line every STREAMING_HEARTBEAT_SECONDS keeps proxies from closing an idle stream.
"""

import asyncio
import logging
import time
import uuid
from collections.abc import AsyncIterator, Callable

import orjson
from asgiref.sync import sync_to_async
from django.conf import settings
from django.http import HttpRequest, JsonResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.tokens import AccessToken

from apps.notifications import selectors as notification_selectors
from apps.notifications.api.rendering import render_groups
from apps.streaming.hub import hub
from apps.timelines import selectors as timeline_selectors
from twitter import keys
from twitter.api.fields import parse_id
from twitter.api.pagination import MAX_LIMIT, PageParams

logger = logging.getLogger(__name__)

Render = Callable[[int, int], bytes | None]  # (viewer, id) -> one event's data, or None to skip


def _error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message, "fields": {}}}, status=status)


def _viewer(request: HttpRequest) -> int | None:
    header = request.headers.get("Authorization", "")
    raw = header[7:] if header.startswith("Bearer ") else request.GET.get("access_token", "")
    if not raw:
        return None
    try:
        return int(AccessToken(raw)[jwt_settings.USER_ID_CLAIM])  # type: ignore[arg-type]  # the stubs miss the raw-token form
    except (TokenError, KeyError, ValueError):
        return None


def _frame(event: str, data: bytes, event_id: int | None = None) -> bytes:
    head = b"id: %d\n" % event_id if event_id is not None else b""
    return head + b"event: " + event.encode() + b"\ndata: " + data + b"\n\n"


def _home_item(viewer: int, tweet_id: int) -> bytes | None:
    page = timeline_selectors.tweets_by_id(tweet_ids=[tweet_id], viewer_id=viewer)
    return page.items[0] if page.items else None


def _home_since(viewer: int, since: int) -> list[tuple[int, bytes]]:
    """Home entries newer than `since`, oldest first (what a resuming client missed)."""
    missed: list[tuple[int, bytes]] = []
    lower = since
    while True:
        page = timeline_selectors.home_page(viewer_id=viewer, params=PageParams(limit=MAX_LIMIT, min_id=lower))
        if not page.ids:
            return missed
        missed += reversed(list(zip(page.ids, page.items, strict=True)))
        lower = page.ids[0]
        if len(page.ids) < MAX_LIMIT:
            return missed


def _notification_item(viewer: int, notification_id: int) -> bytes | None:
    group = notification_selectors.notification_single(notification_id=notification_id, user_id=viewer)
    if group is None:
        return None
    shown, body = render_groups([group], viewer_id=viewer, last_read_id=0)
    return body[1:-1] if shown else None


async def _listen(viewer: int) -> None:
    seconds = settings.STREAMING_HEARTBEAT_SECONDS * 3
    client = hub.client()
    await client.zadd(keys.stream_listeners(), {str(viewer): time.time() + seconds})
    await client.zremrangebyscore(keys.stream_listeners(), "-inf", time.time())


async def _events(
    viewer: int, channel: str, render: Render, missed: Callable[[], list[tuple[int, bytes]]] | None
) -> AsyncIterator[bytes]:
    queue = await hub.subscribe([channel])
    try:
        await _listen(viewer)
        yield b": connected\n\n"
        last = 0
        if missed is not None:
            for event_id, data in await sync_to_async(missed)():
                yield _frame("update", data, event_id)
                last = event_id
        heartbeat = settings.STREAMING_HEARTBEAT_SECONDS
        while True:
            try:
                raw = await asyncio.wait_for(queue.get(), timeout=heartbeat)
            except TimeoutError:
                await _listen(viewer)
                yield b": heartbeat\n\n"
                continue
            message = orjson.loads(raw)
            event_id = int(message["id"])
            if message.get("event") == "delete":
                yield _frame("delete", orjson.dumps({"id": str(event_id)}))
                continue
            if event_id <= last:
                continue  # already sent while catching up
            try:
                rendered = await sync_to_async(render)(viewer, event_id)
            except Exception:  # one event that cannot be shown must not end the stream
                logger.exception("stream of user %s could not render event %s", viewer, event_id)
                continue
            if rendered is not None:
                yield _frame(message.get("event", "update"), rendered, event_id)
                last = max(last, event_id)
    finally:
        await hub.unsubscribe([channel], queue)


def _stream(request: HttpRequest, body: AsyncIterator[bytes]) -> StreamingHttpResponse:
    response = StreamingHttpResponse(body, content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx passes each event on at once
    response["X-Served-By"] = settings.SERVICE_ROLE
    response["X-Request-ID"] = request.headers.get("X-Request-ID") or uuid.uuid4().hex
    return response


async def home_stream(request: HttpRequest) -> HttpResponseBase:
    viewer = _viewer(request)
    if viewer is None:
        return _error(401, "not_authenticated", "A valid access token is required.")
    raw_last = request.headers.get("Last-Event-ID") or request.GET.get("last_event_id")
    since = parse_id(raw_last) if raw_last else None
    if raw_last and since is None:
        return _error(400, "invalid", "Last-Event-ID must be a tweet id.")
    missed = (lambda: _home_since(viewer, since)) if since is not None else None
    return _stream(request, _events(viewer, keys.stream_home(viewer), _home_item, missed))


async def notifications_stream(request: HttpRequest) -> HttpResponseBase:
    viewer = _viewer(request)
    if viewer is None:
        return _error(401, "not_authenticated", "A valid access token is required.")
    return _stream(request, _events(viewer, keys.stream_notifications(viewer), _notification_item, missed=None))
