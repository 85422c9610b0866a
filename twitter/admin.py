from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from twitter.deadletters import dead_letter_replay
from twitter.models import DeadLetter, IdempotentRequest, OutboxEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    """An admin that only shows: the rows are changed by their owners through the
    services (users' blocks and mutes, conversations, reports)."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(OutboxEvent)
class OutboxEventAdmin(admin.ModelAdmin):
    list_display = ("id", "event_type", "created_at", "published_at", "attempts")
    list_filter = ("event_type", ("published_at", admin.EmptyFieldListFilter))
    search_fields = ("=id", "event_type")
    ordering = ("-id",)
    readonly_fields = ("id", "event_type", "payload", "created_at", "published_at", "attempts")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(DeadLetter)
class DeadLetterAdmin(admin.ModelAdmin):
    list_display = ("id", "task_name", "error", "failed_at", "replayed_at", "replay_count")
    list_filter = ("task_name", ("replayed_at", admin.EmptyFieldListFilter))
    search_fields = ("=id", "task_name", "error")
    ordering = ("-id",)
    readonly_fields = (
        "id",
        "task_name",
        "args",
        "kwargs",
        "error",
        "traceback",
        "failed_at",
        "replayed_at",
        "replay_count",
    )
    actions = ("replay",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Replay selected dead letters")
    def replay(self, request: HttpRequest, queryset: QuerySet[DeadLetter]) -> None:
        count = 0
        for letter_id in queryset.values_list("pk", flat=True):
            dead_letter_replay(dead_letter_id=letter_id)
            count += 1
        self.message_user(request, f"Replayed {count} dead letter(s).", messages.SUCCESS)


@admin.register(IdempotentRequest)
class IdempotentRequestAdmin(admin.ModelAdmin):
    """Which keys answered what status; the stored bodies are not shown."""

    list_display = ("key", "user_id", "status", "created_at")
    list_filter = ("status",)
    search_fields = ("=key", "=user_id")
    ordering = ("-id",)
    fields = ("key", "user_id", "status", "content_type", "location", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
