from django.urls import path

from apps.streaming import views
from twitter.api.methods import get_only

urlpatterns = [
    path("streaming/home", get_only(views.home_stream), name="streaming-home"),
    path("streaming/notifications", get_only(views.notifications_stream), name="streaming-notifications"),
    path("streaming/direct", get_only(views.direct_stream), name="streaming-direct"),
]
