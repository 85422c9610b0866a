from django.urls import path

from apps.timelines.api import views_read

urlpatterns = [
    path("timelines/home", views_read.HomeTimelineApi.as_view(), name="timelines-home"),
    path("users/<id:user_id>/tweets", views_read.UserTweetsApi.as_view(), name="users-tweets"),
]
