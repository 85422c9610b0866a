"""read-API: the instance, notifications, markers, trends, suggestions, search, and the
lists clients ask for at start that are empty here (Mastodon's)."""

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from rest_framework.request import Request
from rest_framework.response import Response

from apps.follows import suggestions
from apps.mastodon.accounts import account, accounts_in_order, profiles
from apps.mastodon.api.base import MastodonView, bool_param, list_param, origin, signed_in, text_param
from apps.mastodon.api.pages import json_response
from apps.mastodon.api.schema import FLAG, ID, MARKERS, PAGE, TEXT, doc, entity, entity_list, query
from apps.mastodon.instance import instance_v1, instance_v2
from apps.mastodon.notifications import kinds_for, notifications
from apps.mastodon.statuses import attachment, statuses
from apps.media import services as media_services
from apps.notifications import selectors as notification_selectors
from apps.search import selectors as search_selectors
from apps.tweets import presentation, trends
from apps.tweets import selectors as tweet_selectors
from apps.users import selectors as user_selectors
from twitter.api.pagination import link_header, page_params
from twitter.errors import ApplicationError, NotFoundError

_STATS_SECONDS = 300
# Mastodon's notification types; others are accepted and match nothing here.
_KINDS = {"type": "array", "items": TEXT, "maxItems": 40}


def _stats() -> tuple[int, int]:
    def compute() -> tuple[int, int]:
        return user_selectors.user_count_active(), tweet_selectors.tweet_count_estimate()

    found = cache.get_or_set("mastodon:instance-stats", compute, _STATS_SECONDS)
    return found if isinstance(found, tuple) else compute()


def instance_v2_view(request: HttpRequest) -> JsonResponse:
    users, _ = _stats()
    return JsonResponse(instance_v2(origin=origin(request), host=request.get_host(), active_users=users))


def instance_v1_view(request: HttpRequest) -> JsonResponse:
    users, tweets = _stats()
    return JsonResponse(instance_v1(origin=origin(request), host=request.get_host(), users=users, statuses=tweets))


class EmptyListApi(MastodonView):
    """Custom emojis, filters, lists, announcements, followed tags, featured tags,
    endorsements, follow requests, bookmarks, scheduled statuses: none exist here."""

    @doc({"type": "array", "maxItems": 0})
    def get(self, request: Request) -> Response:
        return Response([])


class PreferencesApi(MastodonView):
    scopes = {"GET": "read:accounts"}

    @doc(entity("Preferences"))
    def get(self, request: Request) -> Response:
        signed_in(request)
        return Response(
            {
                "posting:default:visibility": "public",
                "posting:default:sensitive": False,
                "posting:default:language": None,
                "reading:expand:media": "default",
                "reading:expand:spoilers": False,
                "reading:autoplay:gifs": False,
            }
        )


class NotificationsApi(MastodonView):
    scopes = {"GET": "read:notifications"}

    @doc(
        entity_list("Notification"),
        params=[*PAGE, query("types[]", _KINDS), query("exclude_types[]", _KINDS), query("account_id", ID)],
        paged=True,
    )
    def get(self, request: Request) -> HttpResponse:
        user_id = signed_in(request)
        params = page_params(request)
        kinds = kinds_for(list_param(request, "types", query=True), list_param(request, "exclude_types", query=True))
        items = [] if kinds == [] else notification_selectors.items_page(user_id=user_id, params=params, kinds=kinds)
        response = json_response(notifications(items, viewer_id=user_id, origin=origin(request)))
        header = link_header(request, [item.id for item in items], params)
        if header:
            response["Link"] = header
        return response


class NotificationApi(MastodonView):
    scopes = {"GET": "read:notifications"}

    @doc(entity("Notification"))
    def get(self, request: Request, notification_id: int) -> HttpResponse:
        user_id = signed_in(request)
        item = notification_selectors.item_get(user_id=user_id, notification_id=notification_id)
        found = notifications([item], viewer_id=user_id, origin=origin(request)) if item is not None else []
        if not found:
            raise NotFoundError("Record not found")
        return json_response(found[0])


class MarkersApi(MastodonView):
    """Only the notifications marker is kept (the home timeline has none)."""

    scopes = {"GET": "read:statuses"}

    @doc(
        MARKERS,
        params=[query("timeline[]", {"type": "array", "items": TEXT}, "home, notifications (others have no marker).")],
    )
    def get(self, request: Request) -> Response:
        user_id = signed_in(request)
        wanted = list_param(request, "timeline", query=True)
        if wanted and "notifications" not in wanted:
            return Response({})
        last = notification_selectors.last_read_id(user_id=user_id)
        return Response(
            {"notifications": {"last_read_id": str(last), "version": 0, "updated_at": "1970-01-01T00:00:00.000Z"}}
        )


class TrendingTagsApi(MastodonView):
    @doc(entity_list("Tag"), params=[PAGE[-1], query("offset", {"type": "integer", "minimum": 0})])
    def get(self, request: Request) -> Response:
        limit = page_params(request).limit
        base = origin(request)
        found = trends.trending(hours=24, limit=min(limit, 20))
        return Response(
            [
                {"name": trend.tag, "url": f"{base}/tags/{trend.tag}", "history": [], "following": False}
                for trend in found
            ]
        )


class SuggestionsApi(MastodonView):
    """`/api/v2/suggestions`: Suggestion entities (`/api/v1/suggestions`, the accounts
    alone, as that older method answers: `AccountSuggestionsApi`)."""

    scopes = {"GET": "read"}
    accounts_only = False

    @doc(entity_list("Suggestion"), params=[PAGE[-1]])
    def get(self, request: Request) -> Response:
        user_id = signed_in(request)
        limit = min(page_params(request).limit, suggestions.KEPT)
        found = suggestions.for_user(user_id=user_id, limit=limit)
        users = profiles.get([s.user_id for s in found])
        base = origin(request)
        shown = [(s, account(users[s.user_id], base)) for s in found if s.user_id in users]
        if self.accounts_only:
            return Response([entity for _, entity in shown])
        sources = {"followed_by": "friends_of_friends", "popular": "global"}
        return Response(
            [
                {"source": "global" if s.reason == "popular" else "past_interactions",
                 "sources": [sources.get(s.reason, "global")],
                 "account": entity}
                for s, entity in shown
            ]
        )  # fmt: skip


class AccountSuggestionsApi(SuggestionsApi):
    accounts_only = True

    @doc(entity_list("Account"), params=[PAGE[-1]])
    def get(self, request: Request) -> Response:
        return super().get(request)


class SearchApi(MastodonView):
    """`/api/v2/search`: accounts, statuses and hashtags (`type` picks one)."""

    scopes = {"GET": "read:search"}

    @doc(
        entity("SearchV2"),
        params=[
            query("q", TEXT, "What to search for.", required=True),
            query("type", {"type": "string", "enum": ["accounts", "statuses", "hashtags"]}),
            PAGE[-1],
            query("offset", {"type": "integer", "minimum": 0, "maximum": 10_000}),
            query("resolve", FLAG),
            query("following", FLAG),
        ],
    )
    def get(self, request: Request) -> Response:
        user_id = signed_in(request)
        query = text_param(request, "q", query=True).strip()
        if not query:
            raise ApplicationError("Invalid input.", fields={"q": ["Enter something to search for."]})
        kind = text_param(request, "type", query=True)
        if kind not in ("", "accounts", "statuses", "hashtags"):
            raise ApplicationError("Invalid input.", fields={"type": ["One of accounts, statuses, hashtags."]})
        limit = min(page_params(request).limit, 40)
        offset_text = text_param(request, "offset", query=True, default="0")
        if not offset_text.isdigit() or int(offset_text) > 10_000:
            raise ApplicationError("Invalid input.", fields={"offset": ["A whole number up to 10000."]})
        offset = int(offset_text)
        base = origin(request)
        found: dict[str, list[object]] = {"accounts": [], "statuses": [], "hashtags": []}
        resolve = bool_param(request, "resolve", query=True)
        del resolve  # nothing is remote: there is nothing to resolve
        if kind in ("", "accounts") and query.lstrip("@#"):
            users = search_selectors.search_users(text=query, limit=limit, offset=offset)
            found["accounts"] = list(accounts_in_order(users.items, base))
        if kind in ("", "statuses"):
            tweets = search_selectors.search_tweets(text=query, sort="relevance", limit=limit, offset=offset)
            shown = presentation.shown_by_id(tweet_ids=tweets.items, viewer_id=user_id)
            found["statuses"] = list(statuses(shown, base))
        if kind in ("", "hashtags") and query.lstrip("#"):
            tags = search_selectors.search_hashtags(text=query, limit=limit, offset=offset)
            found["hashtags"] = [
                {"name": tag.tag, "url": f"{base}/tags/{tag.tag}", "history": [], "following": False}
                for tag in tags.items
            ]
        return Response(found)


class MediaApi(MastodonView):
    """`GET /api/v1/media/:id`: an upload not attached yet (200 once ready; 206 while an
    upload to the bucket is unconfirmed, its `url` null), as Mastodon answers."""

    scopes = {"GET": "write:media"}

    @doc(entity("MediaAttachment"), also={206: "Not processed yet: its `url` is null."})
    def get(self, request: Request, media_id: int) -> Response:
        media = media_services.media_unattached(owner_id=signed_in(request), media_id=media_id)
        shown = attachment(media_services.media_public(media))
        if media.status != media.Status.READY:
            return Response({**shown, "url": None}, status=206)
        return Response(shown)
