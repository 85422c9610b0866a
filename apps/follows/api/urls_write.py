from django.urls import path

from apps.follows.api import views_write

urlpatterns = [
    path("users/<id:user_id>/follow", views_write.FollowApi.as_view(), name="users-follow"),
    path("users/<id:user_id>/block", views_write.BlockApi.as_view(), name="users-block"),
    path("users/<id:user_id>/mute", views_write.MuteApi.as_view(), name="users-mute"),
    path(
        "users/suggestions/<id:user_id>", views_write.SuggestionDismissApi.as_view(), name="users-suggestions-dismiss"
    ),
]
