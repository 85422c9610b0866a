from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from apps.tweets import services
from apps.tweets.models import Tweet


@admin.register(Tweet)
class TweetAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "author",
        "short_text",
        "reply_count",
        "like_count",
        "retweet_count",
        "created_at",
        "deleted_at",
    )
    list_filter = (
        ("deleted_at", admin.EmptyFieldListFilter),
        ("reply_to", admin.EmptyFieldListFilter),
        ("retweet_of", admin.EmptyFieldListFilter),
    )
    search_fields = ("=id", "text", "author__username")
    list_select_related = ("author",)
    ordering = ("-id",)
    raw_id_fields = ("author", "reply_to", "retweet_of")
    readonly_fields = (
        "id",
        "author",
        "reply_to",
        "retweet_of",
        "entities",
        "reply_to_user_id",
        "created_at",
        "deleted_at",
        "reply_count",
        "like_count",
        "retweet_count",
    )
    actions = ("delete_with_propagation",)

    @admin.display(description="text")
    def short_text(self, tweet: Tweet) -> str:
        return tweet.text if len(tweet.text) <= 60 else f"{tweet.text[:57]}..."

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # deletion goes through the service (tombstone, counters, timelines)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        if not request.user.has_perm("tweets.change_tweet"):
            actions.pop("delete_with_propagation", None)
        return actions

    @admin.action(description="Delete selected tweets (hidden everywhere, counters updated)")
    def delete_with_propagation(self, request: HttpRequest, queryset: QuerySet[Tweet]) -> None:
        deleted = 0
        for tweet_id in queryset.filter(deleted_at__isnull=True).values_list("pk", flat=True):
            services.tweet_delete(tweet_id=tweet_id, actor_id=int(request.user.pk or 0), actor_is_staff=True)
            deleted += 1
        self.message_user(request, f"Deleted {deleted} tweet(s).", messages.SUCCESS)
