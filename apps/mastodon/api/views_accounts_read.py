"""read-API: accounts, their statuses, followers and following, relationships (Mastodon's
accounts)."""

from django.http import HttpResponse
from rest_framework.request import Request
from rest_framework.response import Response

from apps.follows import selectors as follow_selectors
from apps.mastodon.accounts import accounts_in_order, credential_account, profiles
from apps.mastodon.api.base import MastodonView, bool_param, id_list_param, origin, signed_in, text_param, viewer_id
from apps.mastodon.api.pages import statuses_response
from apps.mastodon.api.schema import FLAG, ID, PAGE, TEXT, doc, entity, entity_list, query
from apps.mastodon.relationships import relationships
from apps.search import selectors as search_selectors
from apps.tweets import presentation
from apps.tweets import selectors as tweet_selectors
from apps.users import selectors as user_selectors
from twitter.api.pagination import PageParams, page_params, paginated_response
from twitter.errors import ApplicationError, NotFoundError

ACCOUNT_NOT_FOUND = "Record not found"
_STATUS_FILTERS = ("pinned", "exclude_replies", "exclude_reblogs", "only_media")


def _profile(user_id: int) -> user_selectors.Profile:
    found = profiles.get([user_id]).get(user_id)
    if found is None:
        raise NotFoundError(ACCOUNT_NOT_FOUND)
    return found


class VerifyCredentialsApi(MastodonView):
    scopes = {"GET": "read:accounts"}

    @doc(entity("Account"), description="The viewer's account, with its `source`.")
    def get(self, request: Request) -> Response:
        user_id = signed_in(request)
        found = user_selectors.user_profiles(user_ids=[user_id]).get(user_id)
        if found is None:
            raise NotFoundError(ACCOUNT_NOT_FOUND)
        return Response(credential_account(found, origin(request)))


class AccountApi(MastodonView):
    @doc(entity("Account"))
    def get(self, request: Request, user_id: int) -> Response:
        return Response(accounts_in_order([_profile(user_id).id], origin(request))[0])


class AccountLookupApi(MastodonView):
    @doc(entity("Account"), params=[query("acct", TEXT, "username or username@this-host", required=True)])
    def get(self, request: Request) -> Response:
        acct = text_param(request, "acct", query=True).strip().removeprefix("@")
        username, _, domain = acct.partition("@")
        host = request.get_host().split(":")[0]
        if not username or (domain and domain.lower() != host.lower()):
            raise NotFoundError(ACCOUNT_NOT_FOUND)
        try:
            user = user_selectors.user_get_by_username(username=username)
        except NotFoundError as exc:
            raise NotFoundError(ACCOUNT_NOT_FOUND) from exc
        return Response(accounts_in_order([user.id], origin(request))[0])


class AccountStatusesApi(MastodonView):
    """A profile's statuses as Mastodon lists them, replies included unless
    `exclude_replies`; `exclude_reblogs` and `only_media` filter in the query, so each page
    is full; `pinned` is empty (nothing is pinned here)."""

    @doc(entity_list("Status"), params=[*PAGE, *(query(name, FLAG) for name in _STATUS_FILTERS)], paged=True)
    def get(self, request: Request, user_id: int) -> HttpResponse:
        _profile(user_id)
        params = page_params(request)
        viewer = viewer_id(request)
        if bool_param(request, "pinned", query=True):
            return statuses_response(request, [], params, cursors=[])
        excluded = follow_selectors.block_related_ids(user_id=viewer) if viewer is not None else set()
        if user_id in excluded:
            return statuses_response(request, [], params, cursors=[])
        ids = tweet_selectors.author_ids_page(
            author_id=user_id,
            params=params,
            replies=not bool_param(request, "exclude_replies", query=True),
            retweets=not bool_param(request, "exclude_reblogs", query=True),
            media_only=bool_param(request, "only_media", query=True),
            excluded_authors=excluded,
        )
        shown = presentation.shown_by_id(tweet_ids=ids, viewer_id=viewer)
        return statuses_response(request, shown, params, cursors=ids)


class _AccountListApi(MastodonView):
    def pairs(self, user_id: int, params: PageParams) -> list[tuple[int, int]]:
        raise NotImplementedError

    @doc(entity_list("Account"), params=PAGE, paged=True)
    def get(self, request: Request, user_id: int) -> Response:
        _profile(user_id)
        params = page_params(request)
        pairs = self.pairs(user_id, params)
        accounts = accounts_in_order([other for _, other in pairs], origin(request))
        return paginated_response(request, accounts, [cursor for cursor, _ in pairs], params)


class FollowersApi(_AccountListApi):
    def pairs(self, user_id: int, params: PageParams) -> list[tuple[int, int]]:
        return follow_selectors.followers_page(user_id=user_id, params=params)


class FollowingApi(_AccountListApi):
    def pairs(self, user_id: int, params: PageParams) -> list[tuple[int, int]]:
        return follow_selectors.following_page(user_id=user_id, params=params)


class RelationshipsApi(MastodonView):
    scopes = {"GET": "read:follows"}

    @doc(
        entity_list("Relationship"),
        params=[query("id[]", {"type": "array", "items": ID, "maxItems": 40}, "The accounts.")],
    )
    def get(self, request: Request) -> Response:
        others = id_list_param(request, "id", query=True)
        return Response(relationships(signed_in(request), others))


class AccountSearchApi(MastodonView):
    scopes = {"GET": "read:accounts"}

    @doc(
        entity_list("Account"),
        params=[query("q", TEXT, "A name.", required=True), PAGE[-1], query("resolve", FLAG), query("following", FLAG)],
    )
    def get(self, request: Request) -> Response:
        query = text_param(request, "q", query=True)
        limit = page_params(request).limit
        if not query.strip():
            raise ApplicationError("Invalid input.", fields={"q": ["Enter a name."]})
        found = search_selectors.search_users(text=query, limit=limit)
        return Response(accounts_in_order(found.items, origin(request)))
