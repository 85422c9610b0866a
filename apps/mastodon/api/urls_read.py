from django.urls import path

from apps.mastodon import direct_media
from apps.mastodon.api import views_accounts_read as accounts
from apps.mastodon.api import views_conversations as conversations
from apps.mastodon.api import views_misc_read as misc
from apps.mastodon.api import views_oauth as oauth
from apps.mastodon.api import views_statuses_read as statuses

_EMPTY_LISTS = (
    "custom_emojis", "filters", "lists", "announcements", "followed_tags", "featured_tags", "endorsements",
    "follow_requests", "bookmarks", "scheduled_statuses", "domain_blocks",
)  # fmt: skip

urlpatterns = [
    path(".well-known/oauth-authorization-server", oauth.authorization_server, name="mastodon-oauth-metadata"),
    path("api/v1/apps/verify_credentials", oauth.AppVerifyApi.as_view(), name="mastodon-apps-verify"),
    path("api/v1/instance", misc.instance_v1_view, name="mastodon-instance-v1"),
    path("api/v2/instance", misc.instance_v2_view, name="mastodon-instance-v2"),
    path("api/v1/accounts/verify_credentials", accounts.VerifyCredentialsApi.as_view(), name="mastodon-me"),
    path("api/v1/accounts/lookup", accounts.AccountLookupApi.as_view(), name="mastodon-accounts-lookup"),
    path("api/v1/accounts/relationships", accounts.RelationshipsApi.as_view(), name="mastodon-relationships"),
    path("api/v1/accounts/search", accounts.AccountSearchApi.as_view(), name="mastodon-accounts-search"),
    path("api/v1/accounts/<id:user_id>", accounts.AccountApi.as_view(), name="mastodon-account"),
    path(
        "api/v1/accounts/<id:user_id>/statuses", accounts.AccountStatusesApi.as_view(), name="mastodon-account-statuses"
    ),
    path("api/v1/accounts/<id:user_id>/followers", accounts.FollowersApi.as_view(), name="mastodon-followers"),
    path("api/v1/accounts/<id:user_id>/following", accounts.FollowingApi.as_view(), name="mastodon-following"),
    path("api/v1/statuses/<id:tweet_id>", statuses.StatusApi.as_view(), name="mastodon-status"),
    path("api/v1/statuses/<id:tweet_id>/context", statuses.StatusContextApi.as_view(), name="mastodon-status-context"),
    path(
        "api/v1/statuses/<id:tweet_id>/favourited_by", statuses.FavouritedByApi.as_view(), name="mastodon-favourited-by"
    ),
    path("api/v1/statuses/<id:tweet_id>/reblogged_by", statuses.RebloggedByApi.as_view(), name="mastodon-reblogged-by"),
    path("api/v1/timelines/home", statuses.HomeTimelineApi.as_view(), name="mastodon-home"),
    path("api/v1/timelines/public", statuses.PublicTimelineApi.as_view(), name="mastodon-public"),
    path("api/v1/timelines/tag/<str:tag>", statuses.TagTimelineApi.as_view(), name="mastodon-tag"),
    path("api/v1/notifications", misc.NotificationsApi.as_view(), name="mastodon-notifications"),
    path("api/v1/notifications/<id:notification_id>", misc.NotificationApi.as_view(), name="mastodon-notification"),
    path("api/v1/conversations", conversations.ConversationsApi.as_view(), name="mastodon-conversations"),
    path(
        direct_media.PREFIX.lstrip("/") + "<str:token>",
        conversations.DirectMediaApi.as_view(),
        name="mastodon-direct-media",
    ),
    path("api/v1/markers", misc.MarkersApi.as_view(), name="mastodon-markers"),
    path("api/v1/preferences", misc.PreferencesApi.as_view(), name="mastodon-preferences"),
    path("api/v1/trends", misc.TrendingTagsApi.as_view(), name="mastodon-trends"),
    path("api/v1/trends/tags", misc.TrendingTagsApi.as_view(), name="mastodon-trends-tags"),
    path("api/v1/suggestions", misc.AccountSuggestionsApi.as_view(), name="mastodon-suggestions-v1"),
    path("api/v2/suggestions", misc.SuggestionsApi.as_view(), name="mastodon-suggestions"),
    path("api/v2/search", misc.SearchApi.as_view(), name="mastodon-search"),
    path("api/v1/media/<id:media_id>", misc.MediaApi.as_view(), name="mastodon-media-get"),
    *(path(f"api/v1/{name}", misc.EmptyListApi.as_view(), name=f"mastodon-{name}") for name in _EMPTY_LISTS),
]
