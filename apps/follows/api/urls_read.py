from django.urls import path

from apps.follows.api import views_read

urlpatterns = [
    path("users/<id:user_id>/followers", views_read.FollowersApi.as_view(), name="users-followers"),
    path("users/<id:user_id>/following", views_read.FollowingApi.as_view(), name="users-following"),
    path("users/suggestions", views_read.SuggestionsApi.as_view(), name="users-suggestions"),
    path("blocks", views_read.BlocksApi.as_view(), name="blocks-list"),
    path("mutes", views_read.MutesApi.as_view(), name="mutes-list"),
]
