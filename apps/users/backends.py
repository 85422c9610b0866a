"""Login by username or email, case-insensitively, with no user enumeration."""

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.db.models import Q
from django.http import HttpRequest

from apps.users.models import User
from twitter.text import normalize_login


class UsernameOrEmailBackend(ModelBackend):
    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> User | None:
        login = normalize_login(username or kwargs.get("email") or "")
        if password is None:
            return None
        user = None
        if login is not None:  # the same form the login rate limit keys its buckets by
            user = User.objects.filter(Q(email=login) if "@" in login else Q(username__iexact=login)).first()
        if user is None:
            # Hash anyway, so a missing account takes as long as a wrong password.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
