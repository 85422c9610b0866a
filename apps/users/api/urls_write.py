from django.urls import path

from apps.users.api import views_write

urlpatterns = [
    path("auth/register", views_write.UserRegisterApi.as_view(), name="auth-register"),
    path("auth/token", views_write.TokenObtainApi.as_view(), name="auth-token"),
    path("auth/token/refresh", views_write.TokenRefreshApi.as_view(), name="auth-token-refresh"),
    path("auth/logout", views_write.LogoutApi.as_view(), name="auth-logout"),
    path("users/me", views_write.UserMeUpdateApi.as_view(), name="users-me-update"),
]
