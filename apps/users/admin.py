from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest

from apps.users import services
from apps.users.models import User


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("username", "email")


class HttpsUrlFormField(forms.URLField):
    """Links typed without a scheme are taken as https (Django 6's default)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("assume_scheme", "https")
        super().__init__(**kwargs)


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"
        field_classes = {"website": HttpsUrlFormField, "avatar_url": HttpsUrlFormField}


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    add_form = UserCreationForm
    form = UserEditForm
    list_display = ("username", "email", "display_name", "followers_count", "tweets_count", "is_staff", "status")
    list_filter = ("is_staff", "is_superuser", "is_active", ("suspended_at", admin.EmptyFieldListFilter))
    search_fields = ("username", "email", "display_name")
    ordering = ("-id",)
    readonly_fields = (
        "id",
        "date_joined",
        "last_login",
        "suspended_at",
        "followers_count",
        "following_count",
        "tweets_count",
        "likes_count",
    )
    fieldsets = (
        (None, {"fields": ("id", "username", "email", "password")}),
        ("Profile", {"fields": ("display_name", "bio", "location", "website", "avatar_url")}),
        ("Counters", {"fields": ("followers_count", "following_count", "tweets_count", "likes_count")}),
        ("Status", {"fields": ("is_active", "suspended_at", "date_joined", "last_login")}),
        ("Permissions", {"fields": ("is_staff", "is_superuser", "groups", "user_permissions")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("username", "email", "password1", "password2")}),)
    actions = ("suspend", "unsuspend")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    @admin.display(description="status")
    def status(self, user: User) -> str:
        return "suspended" if user.is_suspended else ("active" if user.is_active else "inactive")

    @admin.action(description="Suspend selected users (revokes their sessions)")
    def suspend(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        ids = list(queryset.values_list("pk", flat=True))
        for user_id in ids:
            services.user_suspend(user_id=user_id)
        self.message_user(request, f"Suspended {len(ids)} user(s).", messages.SUCCESS)

    @admin.action(description="Unsuspend selected users")
    def unsuspend(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        ids = list(queryset.values_list("pk", flat=True))
        for user_id in ids:
            services.user_unsuspend(user_id=user_id)
        self.message_user(request, f"Unsuspended {len(ids)} user(s).", messages.SUCCESS)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        if not request.user.has_perm("users.change_user"):
            actions.pop("suspend", None)
            actions.pop("unsuspend", None)
        return actions
