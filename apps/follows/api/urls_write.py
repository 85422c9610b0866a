from django.urls import path

from apps.follows.api import views_write

urlpatterns = [
    path("users/<id:user_id>/follow", views_write.FollowApi.as_view(), name="users-follow"),
]
