"""write-API: register, update the profile, follow, block and mute (Mastodon's accounts)."""

import time

from django.http import JsonResponse
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from apps.follows import services as follow_services
from apps.mastodon import oauth
from apps.mastodon import scopes as scope_rules
from apps.mastodon.accounts import credential_account, profiles
from apps.mastodon.api.base import MastodonView, bool_param, origin, param, signed_in, text_param
from apps.mastodon.api.schema import FLAG, TEXT, body, doc, entity
from apps.mastodon.errors import error
from apps.mastodon.relationships import relationships
from apps.users import selectors as user_selectors
from apps.users import services as user_services
from twitter.api.auth import bearer_token
from twitter.db.routing import PRIMARY
from twitter.errors import ApplicationError


class AccountRegisterApi(MastodonView):
    """An app (with its own token) registers a user, who gets a token for that app."""

    permission_classes = [AllowAny]
    authentication_classes = []

    @doc(
        entity("Token"),
        request=body(
            {"username": TEXT, "email": TEXT, "password": TEXT, "agreement": FLAG, "locale": TEXT, "reason": TEXT,
             "display_name": TEXT},
            required=("username", "email", "password", "agreement"),
        ),
        auth=[{"oauth2": ["write:accounts"]}],
        description="With an app's token (client credentials): the new account's token for that app.",
    )  # fmt: skip
    def post(self, request: Request) -> Response | JsonResponse:
        raw = bearer_token(request)
        app_token = oauth.app_token(raw) if raw else None
        if app_token is None or app_token.application is None:
            return error(401, "The access token is invalid")
        granted = app_token.scope.split()
        if not scope_rules.covers(granted, "write:accounts"):
            return error(403, "This action is outside the authorized scopes")
        if not bool_param(request, "agreement"):
            raise ApplicationError("Invalid input.", fields={"agreement": ["You must accept the terms."]})
        user = user_services.user_register(
            username=text_param(request, "username"),
            email=text_param(request, "email"),
            password=text_param(request, "password"),
            display_name=text_param(request, "display_name"),
        )
        _token, token_string = oauth.token_issue(application=app_token.application, user_id=user.id, scopes=granted)
        return Response(
            {
                "access_token": token_string,
                "token_type": "Bearer",
                "scope": " ".join(granted),
                "created_at": int(time.time()),
            }
        )


class AccountUpdateApi(MastodonView):
    scopes = {"PATCH": "write:accounts"}

    @doc(entity("Account"), request=body({"display_name": TEXT, "note": TEXT}))
    def patch(self, request: Request) -> Response:
        user_id = signed_in(request)
        changes = {}
        for ours, theirs in (("display_name", "display_name"), ("bio", "note")):
            value = param(request, theirs)
            if value is not None:
                changes[ours] = value
        user_services.user_update_profile(user_id=user_id, changes=changes)
        profiles.forget(user_id)
        profile = user_selectors.user_profiles(user_ids=[user_id])[user_id]
        return Response(credential_account(profile, origin(request)))


class _RelationApi(MastodonView):
    scopes = {"POST": "write:follows"}

    def act(self, viewer_id: int, user_id: int) -> None:
        raise NotImplementedError

    @doc(
        entity("Relationship"),
        request=body({"reblogs": FLAG, "notify": FLAG, "languages": {"type": "array", "items": TEXT}}),
    )
    def post(self, request: Request, user_id: int) -> Response:
        viewer_id = signed_in(request)
        self.act(viewer_id, user_id)
        return Response(relationships(viewer_id, [user_id], using=PRIMARY)[0])


class FollowApi(_RelationApi):
    def act(self, viewer_id: int, user_id: int) -> None:
        follow_services.follow_create(follower_id=viewer_id, followee_id=user_id)


class UnfollowApi(_RelationApi):
    def act(self, viewer_id: int, user_id: int) -> None:
        follow_services.follow_delete(follower_id=viewer_id, followee_id=user_id)


class BlockApi(_RelationApi):
    scopes = {"POST": "write:blocks"}

    def act(self, viewer_id: int, user_id: int) -> None:
        follow_services.block_create(blocker_id=viewer_id, blocked_id=user_id)


class UnblockApi(BlockApi):
    def act(self, viewer_id: int, user_id: int) -> None:
        follow_services.block_delete(blocker_id=viewer_id, blocked_id=user_id)


class MuteApi(_RelationApi):
    scopes = {"POST": "write:mutes"}

    def act(self, viewer_id: int, user_id: int) -> None:
        follow_services.mute_create(muter_id=viewer_id, muted_id=user_id)


class UnmuteApi(MuteApi):
    def act(self, viewer_id: int, user_id: int) -> None:
        follow_services.mute_delete(muter_id=viewer_id, muted_id=user_id)
