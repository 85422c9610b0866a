"""write-API: post, delete, favourite and boost statuses (Mastodon's). A status sent with
`visibility=direct` is a direct message to the accounts it mentions, as Mastodon clients
send them."""

from typing import Any

from django.http import HttpResponse
from rest_framework.request import Request

from apps.mastodon.accounts import profiles
from apps.mastodon.api.base import MastodonView, id_list_param, origin, param, signed_in, text_param
from apps.mastodon.api.pages import STATUS_NOT_FOUND, json_response, one_status
from apps.mastodon.api.schema import FLAG, ID, TEXT, body, doc, entity
from apps.mastodon.statuses import direct_status, statuses
from apps.messages import services as message_services
from apps.tweets import entities, presentation
from apps.tweets import services as tweet_services
from apps.users import selectors as user_selectors
from twitter.api.fields import parse_id
from twitter.db.routing import PRIMARY
from twitter.errors import ApplicationError, NotFoundError

_REFUSED_VISIBILITY = {
    "unlisted": "Unlisted statuses are not supported here: every status is public.",
    "private": "Followers-only statuses are not supported here: every status is public.",
}
MAX_MEDIA = 4


def _reply_to(request: Request) -> int | None:
    raw = param(request, "in_reply_to_id")
    if raw in (None, ""):
        return None
    found = parse_id(raw)
    if found is None:
        raise ApplicationError("Invalid input.", fields={"in_reply_to_id": ["Must be an id."]})
    return found


def _direct(request: Request, user_id: int, text: str, media_ids: list[int]) -> HttpResponse:
    """A direct message to the accounts the text mentions."""
    mentioned = user_selectors.user_ids_by_username(usernames=[m.value for m in entities.mentions(text)], using=PRIMARY)
    others = sorted({other for other, _ in mentioned.values()} - {user_id})
    if not others:
        raise ApplicationError(
            "Invalid input.", fields={"status": ["A direct status must mention at least one other account."]}
        )
    started = message_services.conversation_start(user_id=user_id, participant_ids=others)
    message = message_services.message_send(
        user_id=user_id, conversation_id=started.conversation.id, text=text, media_ids=media_ids or None
    )
    author = user_selectors.user_profiles(user_ids=[user_id])[user_id]
    return json_response(
        direct_status(
            message_id=message.id,
            text=message.text,
            created_at=message.created_at.isoformat().replace("+00:00", "Z"),
            media=list(message.media or []),
            author=author,
            mentioned=mentioned,
            origin=origin(request),
        )
    )


class StatusCreateApi(MastodonView):
    scopes = {"POST": "write:statuses"}

    @doc(
        entity("Status"),
        request=body(
            {
                "status": TEXT,
                "media_ids": {"type": "array", "items": ID, "maxItems": MAX_MEDIA},
                "in_reply_to_id": ID,
                "visibility": {"type": "string", "enum": ["public", "unlisted", "private", "direct"]},
                "sensitive": FLAG,
                "spoiler_text": TEXT,
                "language": TEXT,
            }
        ),
        description="`unlisted` and `private` are refused (422): every status here is public. `direct` sends a "
        "direct message to the accounts the status mentions. Polls and content warnings are refused.",
    )
    def post(self, request: Request) -> HttpResponse:
        user_id = signed_in(request)
        text = text_param(request, "status")
        media_ids = id_list_param(request, "media_ids", max_items=MAX_MEDIA)
        if param(request, "poll") is not None or param(request, "poll[options][]") is not None:
            raise ApplicationError("Invalid input.", fields={"poll": ["Polls are not supported here."]})
        if text_param(request, "spoiler_text"):
            raise ApplicationError(
                "Invalid input.", fields={"spoiler_text": ["Content warnings are not supported here."]}
            )
        visibility = text_param(request, "visibility", default="public")
        if visibility in _REFUSED_VISIBILITY:
            raise ApplicationError("Invalid input.", fields={"visibility": [_REFUSED_VISIBILITY[visibility]]})
        if visibility not in ("public", "direct"):
            raise ApplicationError("Invalid input.", fields={"visibility": ["One of public, direct."]})
        if visibility == "direct":
            return _direct(request, user_id, text, media_ids)
        posted = tweet_services.tweet_create(
            author_id=user_id, text=text, reply_to_id=_reply_to(request), media_ids=media_ids or None
        )
        profiles.forget(user_id)  # its count of statuses moved
        return json_response(one_status(request, posted.tweet.id, viewer_id=user_id))


class StatusDeleteApi(MastodonView):
    """Deletes and returns the status, with its `text` (for "delete and redraft")."""

    scopes = {"DELETE": "write:statuses"}

    @doc(entity("Status"))
    def delete(self, request: Request, tweet_id: int) -> HttpResponse:
        user_id = signed_in(request)
        shown = presentation.shown_by_id(tweet_ids=[tweet_id], viewer_id=user_id)
        if not shown or shown[0].author_id != user_id:
            raise NotFoundError(STATUS_NOT_FOUND)
        status = statuses(shown, origin(request))[0]
        tweet_services.tweet_delete(tweet_id=tweet_id, actor_id=user_id)
        return json_response({**status, "text": shown[0].fields()["text"]})


class _EngagementApi(MastodonView):
    scopes = {"POST": "write:favourites"}

    def act(self, user_id: int, tweet_id: int) -> tuple[int, dict[str, Any]]:
        """Do it; return the status to show and what it must say about what was done."""
        raise NotImplementedError

    @doc(entity("Status"))
    def post(self, request: Request, tweet_id: int) -> HttpResponse:
        user_id = signed_in(request)
        try:
            shown_id, changes = self.act(user_id, tweet_id)
        except NotFoundError as exc:
            raise NotFoundError(STATUS_NOT_FOUND) from exc
        status = one_status(request, shown_id, viewer_id=user_id)
        target = status["reblog"] if status["reblog"] is not None else status
        target.update(changes)
        return json_response(status)


class FavouriteApi(_EngagementApi):
    def act(self, user_id: int, tweet_id: int) -> tuple[int, dict[str, Any]]:
        tweet, _ = tweet_services.like_create(user_id=user_id, tweet_id=tweet_id)
        return tweet_id, {"favourited": True, "favourites_count": tweet.like_count}


class UnfavouriteApi(_EngagementApi):
    def act(self, user_id: int, tweet_id: int) -> tuple[int, dict[str, Any]]:
        tweet, _ = tweet_services.like_delete(user_id=user_id, tweet_id=tweet_id)
        return tweet.id, {"favourited": False, "favourites_count": tweet.like_count}


class ReblogApi(_EngagementApi):
    """Returns the boost, wrapping the status boosted."""

    scopes = {"POST": "write:statuses"}

    def act(self, user_id: int, tweet_id: int) -> tuple[int, dict[str, Any]]:
        retweet, _ = tweet_services.retweet_create(user_id=user_id, tweet_id=tweet_id)
        return retweet.id, {"reblogged": True}


class UnreblogApi(_EngagementApi):
    """Returns the status that was boosted."""

    scopes = {"POST": "write:statuses"}

    def act(self, user_id: int, tweet_id: int) -> tuple[int, dict[str, Any]]:
        original_id, _ = tweet_services.retweet_delete(user_id=user_id, tweet_id=tweet_id)
        return original_id, {"reblogged": False}
