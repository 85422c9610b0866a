"""Server-Sent Events: a signed-in user's home timeline, notifications and direct
messages, live.

Workers publish ids to per-user channels (twitter.streams); a stream turns each id into
the same JSON the read-API serves. `Last-Event-ID` (or `?last_event_id=`) resumes a home
or direct stream: everything newer than that id is sent first, then live events.
A comment line every STREAMING_HEARTBEAT_SECONDS keeps proxies from closing an idle stream.

A stream lives as long as its access token: it ends with an `end` event when the token
expires, and within moments of a logout or a suspension (the user's control channel
says so, and the stream checks). An account holds at most STREAMS_PER_ACCOUNT streams at
once; one more is a 429.
"""

import asyncio
import contextlib
import functools
import logging
import time
import uuid
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

import orjson
import redis.asyncio as aioredis
from django.conf import settings
from django.db import connections
from django.http import HttpRequest, JsonResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase

from apps.messages import selectors as message_selectors
from apps.notifications import selectors as notification_selectors
from apps.notifications.rendering import render_groups
from apps.streaming.hub import hub
from apps.timelines import selectors as timeline_selectors
from apps.timelines import services as timeline_services
from apps.tweets import presentation
from twitter import keys, metrics
from twitter.api.auth import Access, bearer_token, is_revoked, native_access, verified_access
from twitter.api.errors import error_body, error_response
from twitter.api.fields import parse_id
from twitter.api.pagination import MAX_LIMIT, PageParams
from twitter.api.revocations import revocations
from twitter.middleware import request_id_of

logger = logging.getLogger(__name__)

T = TypeVar("T")
Render = Callable[[int, int], bytes | None]  # (viewer, id) -> one event's data, or None to skip


def _ids(event: str, message: dict[str, Any]) -> bytes | None:
    return orjson.dumps({name: str(message[name]) for name in ("id", "conversation_id") if name in message})


@dataclass(frozen=True)
class Source:
    """What a stream sends for the messages of one channel: each live id rendered
    (`render`), under the message's event name or `event`, renamed by `names`; events that
    carry their whole data (a deletion) as `removed` makes them (None: not sent)."""

    render: Render
    event: str = "update"
    names: dict[str, str] = field(default_factory=dict)
    removed: Callable[[str, dict[str, Any]], bytes | None] = _ids


def _error(request: HttpRequest, status: int, code: str, message: str) -> JsonResponse:
    response = error_response(status, code, message)
    response["X-Request-ID"] = request_id_of(request)  # no middleware runs here to add it
    return response


async def _revoked(access: Access, *, reload: bool = False) -> bool:
    """Whether the token's session ended or its user was suspended after it was issued;
    `reload` first reads the revocations afresh (a control message said something changed)."""
    if reload:
        await asyncio.to_thread(revocations.refresh)
    return await asyncio.to_thread(is_revoked, access)


@dataclass
class Admitted:
    """A viewer let in, and their stream's slot."""

    access: Access
    stream_id: str


async def admit(raw: str, accept: Callable[[Access | None], Access | None]) -> "Admitted | Refused":
    """A stream's viewer for token `raw`, with a slot of their own; `accept` says which
    tokens are good here."""
    access = accept(verified_access(raw)) if raw else None
    if access is None:
        return Refused(401, "not_authenticated", "A valid access token is required.")
    try:
        if await _revoked(access):
            return Refused(401, "token_revoked", "This session has ended: sign in again.")
        stream_id = uuid.uuid4().hex
        if not await _claim_slot(access.user_id, stream_id):
            cap = settings.STREAMS_PER_ACCOUNT
            return Refused(429, "too_many_streams", f"An account may have {cap} streams open at once.")
    except (aioredis.ConnectionError, aioredis.TimeoutError):
        return Refused(503, "service_unavailable", "Streaming is unavailable; try again shortly.")
    return Admitted(access=access, stream_id=stream_id)


@dataclass(frozen=True)
class Refused:
    status: int
    code: str
    message: str


async def _admit(
    request: HttpRequest, accept: Callable[[Access | None], Access | None] = native_access
) -> Admitted | JsonResponse:
    """`admit` for an HTTP stream (native tokens by default), a JSON error if refused."""
    admitted = await admit(bearer_token(request) or request.GET.get("access_token", ""), accept)
    if isinstance(admitted, Refused):
        return _error(request, admitted.status, admitted.code, admitted.message)
    return admitted


# Drop the expired entries of an account's open streams, add this one, and count them:
# one atomic call on the account's key (on a single Redis and on a cluster alike).
_CLAIM = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
redis.call('EXPIRE', KEYS[1], ARGV[4])
return redis.call('ZCARD', KEYS[1])
"""


async def _claim_slot(user_id: int, stream_id: str) -> bool:
    """Count this stream among the account's open ones, unless it has its fill already.
    A stream refreshes its entry at every heartbeat, so a crashed process's streams age out."""
    key, now = keys.open_streams(user_id), time.time()
    until, ttl = now + _slot_seconds(), int(_slot_seconds()) + 1
    open_now = await hub.client().eval(_CLAIM, 1, key, now, until, stream_id, ttl)
    if int(open_now) <= settings.STREAMS_PER_ACCOUNT:
        return True
    await hub.client().zrem(key, stream_id)
    return False


def _slot_seconds() -> float:
    return float(settings.STREAMING_HEARTBEAT_SECONDS) * 3


# Events are rendered (cache reads, at times a query) on a few shared threads, however
# many streams are open: Django's per-request threads would each take a database
# connection, and a thousand streams would wait on a pool of eight.
_renderers = ThreadPoolExecutor(max_workers=settings.STREAMING_RENDER_THREADS, thread_name_prefix="stream-render")


def _rendered(function: Callable[..., T], *args: Any) -> T:
    try:
        return function(*args)
    finally:
        connections.close_all()  # back to the pool between events


async def _in_renderer(function: Callable[..., T], *args: Any) -> T:
    return await asyncio.get_running_loop().run_in_executor(_renderers, _rendered, function, *args)


def _frame(event: str, data: bytes, event_id: int | None = None) -> bytes:
    head = b"id: %d\n" % event_id if event_id is not None else b""
    return head + b"event: " + event.encode() + b"\ndata: " + data + b"\n\n"


def _home_item(viewer: int, tweet_id: int) -> bytes | None:
    excluded = timeline_services.exclusions(viewer_id=viewer, home=True)  # blocks and mutes
    page = presentation.tweets_by_id(tweet_ids=[tweet_id], viewer_id=viewer, excluded=excluded)
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


def _direct_item(viewer: int, message_id: int) -> bytes | None:
    message = message_selectors.message_for(viewer_id=viewer, message_id=message_id)
    return orjson.dumps(message_selectors.render_messages([message])[0]) if message is not None else None


def _direct_since(viewer: int, since: int) -> list[tuple[int, bytes]]:
    """The viewer's messages newer than `since`, oldest first (what a resuming client missed)."""
    messages = message_selectors.messages_since(viewer_id=viewer, since_id=since, limit=MAX_LIMIT * 5)
    return [
        (item.id, orjson.dumps(data))
        for item, data in zip(messages, message_selectors.render_messages(messages), strict=True)
    ]


def _notification_item(viewer: int, notification_id: int) -> bytes | None:
    group = notification_selectors.notification_single(notification_id=notification_id, user_id=viewer)
    if group is None:
        return None
    shown, body = render_groups([group], viewer_id=viewer, last_read_id=0)
    return body[1:-1] if shown else None


async def _listen(viewer: int, stream_id: str) -> None:
    until = time.time() + _slot_seconds()
    pipe = hub.client().pipeline(transaction=False)
    pipe.zadd(keys.stream_listeners(), {str(viewer): until})
    pipe.zremrangebyscore(keys.stream_listeners(), "-inf", time.time())
    pipe.zadd(keys.open_streams(viewer), {stream_id: until})
    pipe.expire(keys.open_streams(viewer), int(_slot_seconds()) + 1)
    await pipe.execute()


def _end(code: str, message: str) -> bytes:
    return _frame("end", orjson.dumps(error_body(code, message)))


# Live events that carry their whole data: ids, nothing to render.
_ID_ONLY = frozenset({"delete", "message_deleted"})


@dataclass(frozen=True)
class Event:
    """One event of a stream: its name, its data, and its id when a client may resume
    after it."""

    name: str
    data: bytes
    event_id: int | None = None


@dataclass(frozen=True)
class Beat:
    """Nothing happened for STREAMING_HEARTBEAT_SECONDS (or the stream just opened)."""


@dataclass(frozen=True)
class Ended:
    """The stream is over: its token expired or its session was revoked."""

    code: str
    message: str


async def live(
    admitted: Admitted,
    sources: dict[str, Source],
    missed: Callable[[], list[tuple[int, bytes]]] | None = None,
    *,
    missed_event: str = "update",
) -> AsyncIterator[Event | Beat | Ended]:
    """A stream's events: a first beat once it listens, what was `missed` (of the first
    source's channel), then the live messages of each channel in `sources`, as its source
    renders them, with a beat when nothing happens; an `Ended` is the last."""
    viewer, stream_id = admitted.access.user_id, admitted.stream_id
    control = keys.stream_control(viewer)
    by_channel = {channel.encode(): source for channel, source in sources.items()}
    queue = await hub.subscribe([*sources, control])
    metrics.OPEN_STREAMS.inc()
    try:
        await _listen(viewer, stream_id)
        yield Beat()
        last = dict.fromkeys(by_channel, 0)  # per channel: each has its own ids
        if missed is not None:
            first = next(iter(by_channel))
            for event_id, data in await _in_renderer(missed):
                yield Event(missed_event, data, event_id)
                last[first] = event_id
        heartbeat = settings.STREAMING_HEARTBEAT_SECONDS
        while True:
            expires_in = admitted.access.expires_at - time.time()
            if expires_in <= 0:
                yield Ended("token_expired", "The access token expired: reconnect with a fresh one.")
                return
            try:
                channel, raw = await asyncio.wait_for(queue.get(), timeout=min(heartbeat, expires_in))
            except TimeoutError:
                if admitted.access.expires_at > time.time():
                    await _listen(viewer, stream_id)
                    yield Beat()
                continue
            message = orjson.loads(raw)
            source = by_channel.get(channel)
            if source is None:  # the control channel
                if message.get("event") == "revoked" and await _revoked(admitted.access, reload=True):
                    yield Ended("token_revoked", "This session has ended: sign in again.")
                    return
                continue
            event_id = int(message["id"])
            event = message.get("event", source.event)
            if event in _ID_ONLY:
                removed = source.removed(event, message)
                if removed is not None:
                    yield Event(source.names.get(event, event), removed)
                continue
            if event_id <= last[channel]:
                continue  # already sent while catching up
            try:
                rendered = await _in_renderer(source.render, viewer, event_id)
            except Exception:  # one event that cannot be shown must not end the stream
                logger.exception("stream of user %s could not render event %s", viewer, event_id)
                continue
            if rendered is not None:
                yield Event(source.names.get(event, event), rendered, event_id)
                last[channel] = max(last[channel], event_id)
    finally:
        metrics.OPEN_STREAMS.dec()
        await hub.unsubscribe([*sources, control], queue)
        with contextlib.suppress(aioredis.ConnectionError, aioredis.TimeoutError):
            await hub.client().zrem(keys.open_streams(viewer), stream_id)


async def _events(
    admitted: Admitted,
    sources: dict[str, Source],
    missed: Callable[[], list[tuple[int, bytes]]] | None,
    *,
    missed_event: str = "update",
) -> AsyncIterator[bytes]:
    """The stream as Server-Sent Events: a comment for each beat (the first says the
    stream is connected), an `end` event last."""
    connected = False
    async for item in live(admitted, sources, missed, missed_event=missed_event):
        if isinstance(item, Event):
            yield _frame(item.name, item.data, item.event_id)
        elif isinstance(item, Beat):
            yield b": heartbeat\n\n" if connected else b": connected\n\n"
            connected = True
        else:
            yield _end(item.code, item.message)


def _stream(request: HttpRequest, body: AsyncIterator[bytes]) -> StreamingHttpResponse:
    response = StreamingHttpResponse(body, content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx passes each event on at once
    response["X-Served-By"] = settings.SERVICE_ROLE
    response["X-Request-ID"] = request_id_of(request)
    return response


async def _resumable(
    request: HttpRequest,
    *,
    what: str,
    channel: Callable[[int], str],
    render: Render,
    since: Callable[[int, int], list[tuple[int, bytes]]],
    missed_event: str,
) -> HttpResponseBase:
    """A stream that resumes after `Last-Event-ID` (a `what` id): what the viewer missed
    since then first, then live events."""
    raw_last = request.headers.get("Last-Event-ID") or request.GET.get("last_event_id")
    last = parse_id(raw_last) if raw_last else None
    if raw_last and last is None:
        return _error(request, 400, "invalid", f"Last-Event-ID must be a {what} id.")
    admitted = await _admit(request)
    if isinstance(admitted, JsonResponse):
        return admitted
    viewer = admitted.access.user_id
    missed = functools.partial(since, viewer, last) if last is not None else None
    return _stream(request, _events(admitted, {channel(viewer): Source(render)}, missed, missed_event=missed_event))


async def home_stream(request: HttpRequest) -> HttpResponseBase:
    return await _resumable(
        request, what="tweet", channel=keys.stream_home, render=_home_item, since=_home_since, missed_event="update"
    )


async def notifications_stream(request: HttpRequest) -> HttpResponseBase:
    admitted = await _admit(request)
    if isinstance(admitted, JsonResponse):
        return admitted
    channel = keys.stream_notifications(admitted.access.user_id)
    return _stream(request, _events(admitted, {channel: Source(_notification_item)}, missed=None))


async def direct_stream(request: HttpRequest) -> HttpResponseBase:
    return await _resumable(
        request,
        what="message",
        channel=keys.stream_direct,
        render=_direct_item,
        since=_direct_since,
        missed_event="message",
    )


def not_found(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return _error(request, 404, "not_found", "Not found.")


# The channels another API format's streams may read, by name: the viewer's own, the
# public one, and a hashtag's ("hashtag:<tag>", the tag case-folded).
CHANNELS: dict[str, Callable[[int, str], str]] = {
    "home": lambda viewer, _: keys.stream_home(viewer),
    "notifications": lambda viewer, _: keys.stream_notifications(viewer),
    "direct": lambda viewer, _: keys.stream_direct(viewer),
    "public": lambda viewer, _: keys.stream_public(),
    "hashtag": lambda viewer, tag: keys.stream_hashtag(tag),
}


async def channel_stream(
    request: HttpRequest, *, accept: Callable[[Access | None], Access | None], sources: dict[str, Source]
) -> HttpResponseBase:
    """A live stream of the viewer's channels (`sources`: by name in CHANNELS), as each
    source renders them, for the tokens `accept` takes: another API format's streams."""
    admitted = await _admit(request, accept)
    if isinstance(admitted, JsonResponse):
        return admitted
    return _stream(request, _events(admitted, viewer_channels(admitted.access.user_id, sources), missed=None))


def viewer_channels(viewer: int, sources: dict[str, Source]) -> dict[str, Source]:
    """The viewer's channels for sources by name in CHANNELS (what `live` reads)."""
    channels = {}
    for name, source in sources.items():
        kind, _, argument = name.partition(":")
        channels[CHANNELS[kind](viewer, argument)] = source
    return channels
