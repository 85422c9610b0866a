"""Mastodon's streaming API over one WebSocket, `/api/v1/streaming`, in the streaming
process (an ASGI endpoint of its own: Django does not speak WebSocket).

The token comes as `?access_token=`, the `Sec-WebSocket-Protocol` header (as browsers
send it) or `Authorization: Bearer`. `?stream=` opens a first stream; the client then
sends `{"type": "subscribe", "stream": "user"}` and `{"type": "unsubscribe", ...}`. Each
event is `{"stream": [name], "event": "update", "payload": "<JSON as a string>"}`; a
request it cannot take is answered `{"error": "..."}`. Streams are those of
`apps.mastodon.streaming.STREAMS`, each fed as its HTTP form is.
"""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs

import orjson

from apps.mastodon.streaming import STREAMS, accepting, tag_of
from apps.streaming.views import Admitted, Ended, Event, Refused, admit, live, viewer_channels

logger = logging.getLogger(__name__)

Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

PATH = "/mastodon/api/v1/streaming"  # where the gateway sends the Mastodon origin's /api/v1/streaming
_CLOSE_POLICY = 1008  # the token is missing, invalid or revoked
_CLOSE_TRY_AGAIN = 1013  # too many streams, or Redis unreachable


def _log_failure(task: "asyncio.Task[None]") -> None:
    if not task.cancelled() and task.exception() is not None:
        logger.error("a WebSocket stream failed", exc_info=task.exception())


def _headers(scope: dict[str, Any]) -> dict[str, str]:
    return {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope.get("headers", [])}


def _token(scope: dict[str, Any], query: dict[str, list[str]]) -> tuple[str, str | None]:
    """The token, and the subprotocol to answer with when it came as one."""
    headers = _headers(scope)
    if query.get("access_token"):
        return query["access_token"][0], None
    protocol = headers.get("sec-websocket-protocol", "").split(",")[0].strip()
    if protocol:
        return protocol, protocol
    authorization = headers.get("authorization", "")
    return (authorization[7:].strip(), None) if authorization.startswith("Bearer ") else ("", None)


def _origin(scope: dict[str, Any]) -> str:
    headers = _headers(scope)
    scheme = "https" if headers.get("x-forwarded-proto") == "https" else "http"
    return f"{scheme}://{headers.get('host', 'localhost')}"


class _Connection:
    def __init__(self, send: Send, admitted: Admitted, origin: str) -> None:
        self.send = send
        self.admitted = admitted
        self.origin = origin
        self.streams: dict[tuple[str, str], asyncio.Task[None]] = {}  # (name, tag) -> its relay
        self.lock = asyncio.Lock()  # one frame at a time on the socket

    async def text(self, body: dict[str, Any]) -> None:
        async with self.lock:
            await self.send({"type": "websocket.send", "text": orjson.dumps(body).decode()})

    async def subscribe(self, name: Any, raw_tag: Any = None) -> None:
        stream = STREAMS.get(name) if isinstance(name, str) else None
        if stream is None:
            await self.text({"error": f"Unknown stream type: {name}"})
            return
        tag = tag_of(raw_tag) if stream.tagged else ""
        if tag is None:
            await self.text({"error": "A valid tag is required", "stream": [name]})
            return
        if accepting(stream.scope)(self.admitted.access) is None:
            await self.text({"error": "This stream is outside the authorized scopes"})
            return
        key = (name, tag)
        if key not in self.streams:
            sources = viewer_channels(self.admitted.access.user_id, stream.sources(self.origin, tag))
            task = asyncio.create_task(self._relay([name, tag] if tag else [name], sources))
            task.add_done_callback(_log_failure)
            self.streams[key] = task

    async def unsubscribe(self, name: Any, raw_tag: Any = None) -> None:
        key = (name, tag_of(raw_tag) or "") if isinstance(name, str) else None
        task = self.streams.pop(key, None) if key is not None else None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _relay(self, stream: list[str], sources: dict[str, Any]) -> None:
        async for item in live(self.admitted, sources):
            if isinstance(item, Event):
                await self.text({"stream": stream, "event": item.name, "payload": item.data.decode()})
            elif isinstance(item, Ended):
                async with self.lock:
                    await self.send({"type": "websocket.close", "code": _CLOSE_POLICY, "reason": item.message})
                return

    async def close(self) -> None:
        for name, tag in list(self.streams):
            await self.unsubscribe(name, tag)


async def streaming(scope: dict[str, Any], receive: Receive, send: Send) -> None:
    """The ASGI application of the WebSocket endpoint."""
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    message = await receive()
    if message.get("type") != "websocket.connect":
        return
    raw, protocol = _token(scope, query)
    admitted = await admit(raw, accepting("read"))
    if isinstance(admitted, Refused):
        code = _CLOSE_TRY_AGAIN if admitted.status in (429, 503) else _CLOSE_POLICY
        await send({"type": "websocket.close", "code": code, "reason": admitted.message})
        return
    await send({"type": "websocket.accept", **({"subprotocol": protocol} if protocol else {})})
    connection = _Connection(send, admitted, _origin(scope))
    try:
        if query.get("stream"):
            await connection.subscribe(query["stream"][0], (query.get("tag") or [None])[0])
        while True:
            message = await receive()
            if message.get("type") == "websocket.disconnect":
                return
            try:
                request = orjson.loads(message.get("text") or message.get("bytes") or b"")
            except orjson.JSONDecodeError:
                await connection.text({"error": "Could not parse the message as JSON"})
                continue
            kind = request.get("type") if isinstance(request, dict) else None
            if kind == "subscribe":
                await connection.subscribe(request.get("stream"), request.get("tag"))
            elif kind == "unsubscribe":
                await connection.unsubscribe(request.get("stream"), request.get("tag"))
            else:
                await connection.text({"error": "Expected a subscribe or unsubscribe message"})
    finally:
        await connection.close()
