from django.urls import path

from apps.users.api import views_read

urlpatterns = [
    path("users/me", views_read.UserMeApi.as_view(), name="users-me"),
    path("users/by-username/<str:username>", views_read.UserByUsernameApi.as_view(), name="users-by-username"),
    path("users/<id:user_id>", views_read.UserDetailApi.as_view(), name="users-detail"),
]
