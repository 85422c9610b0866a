from django.urls import path

from apps.messages.api import views_write

urlpatterns = [
    path("conversations", views_write.ConversationCreateApi.as_view(), name="conversations-create"),
    path("conversations/<id:conversation_id>", views_write.ConversationLeaveApi.as_view(), name="conversations-leave"),
    path(
        "conversations/<id:conversation_id>/messages",
        views_write.MessageCreateApi.as_view(),
        name="conversations-messages-create",
    ),
    path(
        "conversations/<id:conversation_id>/messages/<id:message_id>",
        views_write.MessageDeleteApi.as_view(),
        name="conversations-messages-delete",
    ),
    path(
        "conversations/<id:conversation_id>/messages/<id:message_id>/report",
        views_write.MessageReportApi.as_view(),
        name="conversations-messages-report",
    ),
    path(
        "conversations/<id:conversation_id>/read", views_write.ConversationReadApi.as_view(), name="conversations-read"
    ),
]
