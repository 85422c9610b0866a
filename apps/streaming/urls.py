from django.urls import path

from apps.streaming import views

urlpatterns = [
    path("streaming/home", views.home_stream, name="streaming-home"),
    path("streaming/notifications", views.notifications_stream, name="streaming-notifications"),
    path("streaming/direct", views.direct_stream, name="streaming-direct"),
]
