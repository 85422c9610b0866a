from django.urls import path

from apps.notifications.api import views_read

urlpatterns = [
    path("notifications", views_read.NotificationListApi.as_view(), name="notifications-list"),
    path("notifications/unread_count", views_read.NotificationUnreadCountApi.as_view(), name="notifications-unread"),
]
