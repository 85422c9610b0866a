"""Mastodon's streaming API in its HTTP (Server-Sent Events) form, in the streaming
process (apps.mastodon.websocket serves the same streams over a WebSocket): `user` (home
timeline updates and deletions, and notifications), `user:notification`, `direct`
(conversations), `public` (every new original status, and deletions) and `hashtag`, fed
by the same channels as the native streams (twitter.streams). Each event's data is the entity as JSON: a status
for `update`, a status id for `delete`, a notification, a conversation.
"""

import functools
from collections.abc import Callable
from typing import NamedTuple

import orjson
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase

from apps.mastodon import scopes as scope_rules
from apps.mastodon.conversations import conversations
from apps.mastodon.errors import error
from apps.mastodon.middleware import in_mastodon_form
from apps.mastodon.notifications import notifications
from apps.mastodon.statuses import statuses
from apps.messages import selectors as message_selectors
from apps.notifications import selectors as notification_selectors
from apps.streaming.views import Source, channel_stream
from apps.timelines import services as timeline_services
from apps.tweets import entities, presentation
from twitter.api.auth import Access


def _origin(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _status(origin: str, viewer: int, tweet_id: int) -> bytes | None:
    excluded = timeline_services.exclusions(viewer_id=viewer, home=True)  # blocks and mutes
    found = statuses(presentation.shown_by_id(tweet_ids=[tweet_id], viewer_id=viewer, excluded=excluded), origin)
    return orjson.dumps(found[0]) if found else None


def _notification(origin: str, viewer: int, notification_id: int) -> bytes | None:
    item = notification_selectors.item_get(user_id=viewer, notification_id=notification_id)
    found = notifications([item], viewer_id=viewer, origin=origin) if item is not None else []
    return orjson.dumps(found[0]) if found else None


def _conversation(origin: str, viewer: int, message_id: int) -> bytes | None:
    message = message_selectors.message_for(viewer_id=viewer, message_id=message_id)
    if message is None:
        return None
    view = message_selectors.conversation_get(viewer_id=viewer, conversation_id=message.conversation_id)
    return orjson.dumps(conversations([view], viewer_id=viewer, origin=origin)[0])


def _deleted_status(event: str, message: dict[str, object]) -> bytes | None:
    return str(message["id"]).encode()


def _nothing(event: str, message: dict[str, object]) -> bytes | None:
    return None


def accepting(scope: str) -> Callable[[Access | None], Access | None]:
    """Tokens good for a stream: a native one, or an OAuth one granting `scope`."""

    def accept(access: Access | None) -> Access | None:
        if access is None or (access.scopes is not None and not scope_rules.covers(access.scopes, scope)):
            return None
        return access

    return accept


def _updates(origin: str) -> Source:
    return Source(functools.partial(_status, origin), removed=_deleted_status)


def _notifications(origin: str) -> Source:
    return Source(functools.partial(_notification, origin), event="notification")


def _conversations(origin: str) -> Source:
    return Source(functools.partial(_conversation, origin), names={"message": "conversation"}, removed=_nothing)


def _deletions(origin: str) -> Source:
    """Only the deletions of a channel (a hashtag stream's from the public channel)."""
    return Source(_no_update, removed=_deleted_status)


def _no_update(viewer: int, tweet_id: int) -> bytes | None:
    return None


class Stream(NamedTuple):
    scope: str  # what the token must grant
    sources: Callable[[str, str], dict[str, Source]]  # by origin and tag, the channels by name
    tagged: bool = False  # the stream needs a `tag`


def _hashtag(origin: str, tag: str) -> dict[str, Source]:
    return {f"hashtag:{tag}": _updates(origin), "public": _deletions(origin)}


# Mastodon's streams by name (the WebSocket's `stream`; the HTTP paths below). Every
# status here is local: `public:local` is `public`, `hashtag:local` is `hashtag`.
STREAMS = {
    "user": Stream(
        "read:statuses", lambda origin, _: {"home": _updates(origin), "notifications": _notifications(origin)}
    ),
    "user:notification": Stream("read:notifications", lambda origin, _: {"notifications": _notifications(origin)}),
    "direct": Stream("read:statuses", lambda origin, _: {"direct": _conversations(origin)}),
    "public": Stream("read:statuses", lambda origin, _: {"public": _updates(origin)}),
    "public:local": Stream("read:statuses", lambda origin, _: {"public": _updates(origin)}),
    "hashtag": Stream("read:statuses", _hashtag, tagged=True),
    "hashtag:local": Stream("read:statuses", _hashtag, tagged=True),
}


def tag_of(raw: object) -> str | None:
    """A stream's hashtag, case-folded; None when it is not one."""
    if not isinstance(raw, str):
        return None
    tag = raw.removeprefix("#")
    return entities.normalize_tag(tag) if entities.is_valid_tag(tag) else None


async def _http(request: HttpRequest, name: str) -> HttpResponseBase:
    stream = STREAMS[name]
    tag = tag_of(request.GET.get("tag")) if stream.tagged else ""
    if tag is None:
        return JsonResponse({"error": "A valid tag is required"}, status=400)
    sources = stream.sources(_origin(request), tag)
    return in_mastodon_form(await channel_stream(request, accept=accepting(stream.scope), sources=sources))


async def user(request: HttpRequest) -> HttpResponseBase:
    return await _http(request, "user")


async def user_notification(request: HttpRequest) -> HttpResponseBase:
    return await _http(request, "user:notification")


async def direct(request: HttpRequest) -> HttpResponseBase:
    return await _http(request, "direct")


async def public(request: HttpRequest) -> HttpResponseBase:
    return await _http(request, "public")


async def hashtag(request: HttpRequest) -> HttpResponseBase:
    return await _http(request, "hashtag")


async def websocket_only(request: HttpRequest) -> HttpResponse:
    """`/api/v1/streaming` over plain HTTP: it is the WebSocket's address."""
    response = error(426, "This is a WebSocket endpoint: connect with Upgrade: websocket")
    response["Upgrade"] = "websocket"
    return response


async def health(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"OK", content_type="text/plain")
