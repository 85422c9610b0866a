from django.urls import path

from apps.mastodon.api import views_accounts_write as accounts
from apps.mastodon.api import views_conversations as conversations
from apps.mastodon.api import views_misc_write as misc
from apps.mastodon.api import views_oauth as oauth
from apps.mastodon.api import views_statuses_write as statuses

urlpatterns = [
    path("auth/sign_in", oauth.SignInView.as_view(), name="mastodon-sign-in"),
    path("oauth/authorize", oauth.AuthorizeView.as_view(), name="mastodon-authorize"),
    path("oauth/token", oauth.TokenView.as_view(), name="mastodon-token"),
    path("oauth/revoke", oauth.RevokeTokenView.as_view(), name="mastodon-revoke"),
    path("api/v1/apps", oauth.AppCreateApi.as_view(), name="mastodon-apps"),
    path("api/v1/accounts", accounts.AccountRegisterApi.as_view(), name="mastodon-register"),
    path("api/v1/accounts/update_credentials", accounts.AccountUpdateApi.as_view(), name="mastodon-update-me"),
    path("api/v1/accounts/<id:user_id>/follow", accounts.FollowApi.as_view(), name="mastodon-follow"),
    path("api/v1/accounts/<id:user_id>/unfollow", accounts.UnfollowApi.as_view(), name="mastodon-unfollow"),
    path("api/v1/accounts/<id:user_id>/block", accounts.BlockApi.as_view(), name="mastodon-block"),
    path("api/v1/accounts/<id:user_id>/unblock", accounts.UnblockApi.as_view(), name="mastodon-unblock"),
    path("api/v1/accounts/<id:user_id>/mute", accounts.MuteApi.as_view(), name="mastodon-mute"),
    path("api/v1/accounts/<id:user_id>/unmute", accounts.UnmuteApi.as_view(), name="mastodon-unmute"),
    path("api/v1/statuses", statuses.StatusCreateApi.as_view(), name="mastodon-post"),
    path("api/v1/statuses/<id:tweet_id>", statuses.StatusDeleteApi.as_view(), name="mastodon-delete"),
    path("api/v1/statuses/<id:tweet_id>/favourite", statuses.FavouriteApi.as_view(), name="mastodon-favourite"),
    path("api/v1/statuses/<id:tweet_id>/unfavourite", statuses.UnfavouriteApi.as_view(), name="mastodon-unfavourite"),
    path("api/v1/statuses/<id:tweet_id>/reblog", statuses.ReblogApi.as_view(), name="mastodon-reblog"),
    path("api/v1/statuses/<id:tweet_id>/unreblog", statuses.UnreblogApi.as_view(), name="mastodon-unreblog"),
    path("api/v1/media", misc.MediaUploadApi.as_view(), name="mastodon-media-v1"),
    path("api/v2/media", misc.MediaUploadApi.as_view(), name="mastodon-media"),
    path("api/v1/media/<id:media_id>", misc.MediaUpdateApi.as_view(), name="mastodon-media-update"),
    path("api/v1/notifications/clear", misc.NotificationsClearApi.as_view(), name="mastodon-notifications-clear"),
    path(
        "api/v1/notifications/<id:notification_id>/dismiss",
        misc.NotificationDismissApi.as_view(),
        name="mastodon-notification-dismiss",
    ),
    path("api/v1/markers", misc.MarkersSaveApi.as_view(), name="mastodon-markers-save"),
    path("api/v1/suggestions/<id:user_id>", misc.SuggestionDismissApi.as_view(), name="mastodon-suggestion-dismiss"),
    path(
        "api/v1/conversations/<id:conversation_id>/read",
        conversations.ConversationReadApi.as_view(),
        name="mastodon-conversation-read",
    ),
    path(
        "api/v1/conversations/<id:conversation_id>",
        conversations.ConversationRemoveApi.as_view(),
        name="mastodon-conversation-remove",
    ),
]
