"""Moderation of direct messages. Conversations show their metadata only: who is in them,
how many messages, when. A message's text is shown only once a participant reported it
(the report queue), never from the conversation."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from apps.messages import services
from apps.messages.models import Conversation, Participant, Report
from twitter.admin import ReadOnlyAdmin


class ParticipantInline(admin.TabularInline):
    model = Participant
    fields = ("user_id", "joined_at", "hidden", "unread_count")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Conversation)
class ConversationAdmin(ReadOnlyAdmin):
    list_display = ("id", "kind", "created_by_id", "messages_count", "created_at", "updated_at")
    fields = ("id", "pair_key", "created_by_id", "messages_count", "created_at", "updated_at", "last_message_id")
    readonly_fields = fields
    search_fields = ("=id", "=created_by_id", "=participants__user_id")
    ordering = ("-updated_at",)
    inlines = (ParticipantInline,)

    @admin.display(description="kind")
    def kind(self, obj: Conversation) -> str:
        return "group" if obj.is_group else "two people"


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ("id", "reason", "sender_id", "reporter_id", "created_at", "resolved_at")
    list_filter = ("reason", ("resolved_at", admin.EmptyFieldListFilter))
    fields = (
        "id",
        "reason",
        "comment",
        "text",
        "message_id",
        "conversation_id",
        "sender_id",
        "reporter_id",
        "created_at",
        "resolved_at",
        "resolved_by_id",
    )
    readonly_fields = fields
    search_fields = ("=sender_id", "=reporter_id", "=conversation_id")
    ordering = ("resolved_at", "-id")  # open reports first
    actions = ("resolve",)

    @admin.action(description="Mark selected reports handled")
    def resolve(self, request: HttpRequest, queryset: QuerySet[Report]) -> None:
        count = services.reports_resolve(
            report_ids=list(queryset.values_list("id", flat=True)), moderator_id=int(request.user.pk or 0)
        )
        self.message_user(request, f"{count} report(s) marked handled.", messages.SUCCESS)
