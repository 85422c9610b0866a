from django.urls import path

from apps.notifications.api import views_write

urlpatterns = [
    path("notifications/read", views_write.NotificationMarkReadApi.as_view(), name="notifications-read"),
]
