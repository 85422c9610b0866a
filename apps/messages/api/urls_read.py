from django.urls import path

from apps.messages.api import views_read

urlpatterns = [
    path("conversations", views_read.ConversationListApi.as_view(), name="conversations-list"),
    path("conversations/unread_count", views_read.ConversationUnreadCountApi.as_view(), name="conversations-unread"),
    path("conversations/<id:conversation_id>", views_read.ConversationDetailApi.as_view(), name="conversations-detail"),
    path(
        "conversations/<id:conversation_id>/messages",
        views_read.MessageListApi.as_view(),
        name="conversations-messages",
    ),
    path(
        "conversations/<id:conversation_id>/messages/<id:message_id>/media/<id:media_id>",
        views_read.MessageMediaApi.as_view(),
        name="conversations-message-media",
    ),
]
