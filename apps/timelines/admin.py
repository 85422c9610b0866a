from django.contrib import admin

from apps.timelines.models import Celebrity
from twitter.admin import ReadOnlyAdmin


@admin.register(Celebrity)
class CelebrityAdmin(ReadOnlyAdmin):
    """Read-only: promotion and demotion walk every follower's home (`celebrities_sync`)."""

    list_display = ("user_id", "since")
    search_fields = ("=user_id",)
    ordering = ("-since",)
