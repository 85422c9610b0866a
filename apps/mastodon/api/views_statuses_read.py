"""read-API: statuses, their context and who favourited or boosted them; the home, public
and hashtag timelines (Mastodon's)."""

from django.http import HttpResponse
from rest_framework.request import Request
from rest_framework.response import Response

from apps.mastodon.accounts import accounts_in_order
from apps.mastodon.api.base import MastodonView, bool_param, origin, signed_in, viewer_id
from apps.mastodon.api.pages import STATUS_NOT_FOUND, json_response, one_status, statuses_response
from apps.mastodon.api.schema import FLAG, PAGE, doc, entity, entity_list, query
from apps.mastodon.statuses import statuses
from apps.timelines import selectors as timeline_selectors
from apps.tweets import entities, presentation
from apps.tweets import selectors as tweet_selectors
from twitter.api.pagination import page_params, paginated_response
from twitter.errors import NotFoundError

ANCESTORS_MAX = 100
DESCENDANTS_MAX = 200


def _visible(tweet_id: int) -> int:
    """The id a status's relations are kept under (a retweet's original)."""
    try:
        tweet = tweet_selectors.tweet_get_visible(tweet_id=tweet_id)
    except NotFoundError as exc:
        raise NotFoundError(STATUS_NOT_FOUND) from exc
    return tweet.retweet_of_id or tweet.id


class StatusApi(MastodonView):
    @doc(entity("Status"))
    def get(self, request: Request, tweet_id: int) -> HttpResponse:
        return json_response(one_status(request, tweet_id, viewer_id=viewer_id(request)))


class StatusContextApi(MastodonView):
    @doc(entity("Context"))
    def get(self, request: Request, tweet_id: int) -> HttpResponse:
        anchor = _visible(tweet_id)
        viewer, base = viewer_id(request), origin(request)
        above = tweet_selectors.ancestor_ids(tweet_id=anchor, limit=ANCESTORS_MAX)
        below = tweet_selectors.descendant_ids(tweet_id=anchor, limit=DESCENDANTS_MAX)
        return json_response(
            {
                "ancestors": statuses(presentation.shown_by_id(tweet_ids=above, viewer_id=viewer), base),
                "descendants": statuses(presentation.shown_by_id(tweet_ids=below, viewer_id=viewer), base),
            }
        )


class _WhoApi(MastodonView):
    """The accounts that engaged with a status, paged by their like or retweet."""

    pairs = staticmethod(tweet_selectors.likers_page)  # (tweet_id=, params=) -> (cursor, user id)

    @doc(entity_list("Account"), params=PAGE, paged=True)
    def get(self, request: Request, tweet_id: int) -> Response:
        params = page_params(request)
        pairs = self.pairs(tweet_id=_visible(tweet_id), params=params)
        accounts = accounts_in_order([user for _, user in pairs], origin(request))
        return paginated_response(request, accounts, [cursor for cursor, _ in pairs], params)


class FavouritedByApi(_WhoApi):
    pairs = staticmethod(tweet_selectors.likers_page)


class RebloggedByApi(_WhoApi):
    pairs = staticmethod(tweet_selectors.retweeters_page)


class HomeTimelineApi(MastodonView):
    scopes = {"GET": "read:statuses"}

    @doc(entity_list("Status"), params=PAGE, paged=True)
    def get(self, request: Request) -> HttpResponse:
        params = page_params(request)
        shown = timeline_selectors.home_tweets(viewer_id=signed_in(request), params=params)
        return statuses_response(request, shown, params, cursors=[tweet.id for tweet in shown])


class PublicTimelineApi(MastodonView):
    """Every public status here (all of them are local: `local` and `remote` change nothing
    but `remote=true`, which has none)."""

    @doc(
        entity_list("Status"),
        params=[*PAGE, query("local", FLAG), query("remote", FLAG), query("only_media", FLAG)],
        paged=True,
    )
    def get(self, request: Request) -> HttpResponse:
        params = page_params(request)
        if bool_param(request, "remote", query=True):
            return statuses_response(request, [], params, cursors=[])
        ids = tweet_selectors.public_ids_page(params=params)
        shown = presentation.shown_by_id(tweet_ids=ids, viewer_id=viewer_id(request))
        if bool_param(request, "only_media", query=True):
            shown = [tweet for tweet in shown if tweet.fields().get("media")]
        return statuses_response(request, shown, params, cursors=ids)


class TagTimelineApi(MastodonView):
    @doc(entity_list("Status"), params=[*PAGE, query("local", FLAG), query("only_media", FLAG)], paged=True)
    def get(self, request: Request, tag: str) -> HttpResponse:
        params = page_params(request)
        if not entities.is_valid_tag(tag):
            return statuses_response(request, [], params, cursors=[])
        ids = tweet_selectors.hashtag_ids_page(tag=entities.normalize_tag(tag), params=params)
        shown = presentation.shown_by_id(tweet_ids=ids, viewer_id=viewer_id(request))
        return statuses_response(request, shown, params, cursors=ids)
