from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from apps.follows import services
from apps.follows.models import Block, Follow, Mute
from twitter.admin import ReadOnlyAdmin


@admin.register(Follow)
class FollowAdmin(admin.ModelAdmin):
    list_display = ("id", "follower", "followee", "created_at")
    search_fields = ("=follower__username", "=followee__username")
    list_select_related = ("follower", "followee")
    raw_id_fields = ("follower", "followee")
    ordering = ("-id",)
    actions = ("unfollow",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # removal goes through the service (counters, timelines)

    @admin.action(description="Remove selected follows (counters and timelines updated)")
    def unfollow(self, request: HttpRequest, queryset: QuerySet[Follow]) -> None:
        pairs = list(queryset.values_list("follower_id", "followee_id"))
        for follower_id, followee_id in pairs:
            services.follow_delete(follower_id=follower_id, followee_id=followee_id)
        self.message_user(request, f"Removed {len(pairs)} follow(s).", messages.SUCCESS)


@admin.register(Block)
class BlockAdmin(ReadOnlyAdmin):
    """Blocks and mutes are the users' own: moderators look, the users change them."""

    ordering = ("-id",)
    list_display = ("id", "blocker", "blocked", "created_at")
    search_fields = ("=blocker__username", "=blocked__username")
    list_select_related = ("blocker", "blocked")
    raw_id_fields = ("blocker", "blocked")


@admin.register(Mute)
class MuteAdmin(ReadOnlyAdmin):
    ordering = ("-id",)
    list_display = ("id", "muter", "muted", "created_at")
    search_fields = ("=muter__username", "=muted__username")
    list_select_related = ("muter", "muted")
    raw_id_fields = ("muter", "muted")
