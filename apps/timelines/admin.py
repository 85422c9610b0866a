from django.contrib import admin
from django.http import HttpRequest

from apps.timelines.models import Celebrity


@admin.register(Celebrity)
class CelebrityAdmin(admin.ModelAdmin):
    """Read-only: promotion and demotion walk every follower's home (`celebrities_sync`)."""

    list_display = ("user_id", "since")
    search_fields = ("=user_id",)
    ordering = ("-since",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
