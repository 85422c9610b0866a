from django.contrib import admin

from apps.media.models import Media


@admin.register(Media)
class MediaAdmin(admin.ModelAdmin):
    list_display = ("id", "owner_id", "purpose", "status", "content_type", "size", "width", "height", "tweet_id")
    list_filter = ("status", "purpose", "content_type")
    search_fields = ("=id", "=owner__id", "key")
    readonly_fields = [field.name for field in Media._meta.fields]
    ordering = ("-id",)

    def has_add_permission(self, request: object) -> bool:
        return False
