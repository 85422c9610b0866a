from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from apps.users.validators import (
    BIO_MAX_LENGTH,
    DISPLAY_NAME_MAX_LENGTH,
    LOCATION_MAX_LENGTH,
    USERNAME_MAX_LENGTH,
    username_validator,
)
from twitter.ids import new_id


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, username: str, email: str, password: str | None = None, **extra: object) -> "User":
        user = self.model(username=username, email=normalize_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, username: str, email: str, password: str | None = None, **extra: object) -> "User":
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(username, email, password, **extra)

    def get_by_natural_key(self, username: str | None) -> "User":
        return self.get(username__iexact=username)


def normalize_email(email: str) -> str:
    """Emails compare case-insensitively as a whole: store them lower-cased."""
    return email.strip().lower()


class DmPolicy(models.TextChoices):
    """Who may start a direct conversation with the user."""

    EVERYONE = "everyone"
    FOLLOWING = "following"  # only accounts the user follows


class User(AbstractBaseUser, PermissionsMixin):
    id = models.BigIntegerField(primary_key=True, default=new_id, editable=False)
    username = models.CharField(max_length=USERNAME_MAX_LENGTH, validators=[username_validator])
    email = models.EmailField(max_length=254)
    display_name = models.CharField(max_length=DISPLAY_NAME_MAX_LENGTH, blank=True)
    bio = models.CharField(max_length=BIO_MAX_LENGTH, blank=True)
    location = models.CharField(max_length=LOCATION_MAX_LENGTH, blank=True)
    website = models.URLField(max_length=200, blank=True)
    avatar_url = models.URLField(max_length=500, blank=True)
    dm_policy = models.CharField(
        max_length=10, choices=DmPolicy.choices, default=DmPolicy.FOLLOWING, db_default=DmPolicy.FOLLOWING
    )

    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    suspended_at = models.DateTimeField(null=True, blank=True)
    date_joined = models.DateTimeField(default=timezone.now)

    # Denormalized, kept exact by the services that change them.
    followers_count = models.PositiveIntegerField(default=0)
    following_count = models.PositiveIntegerField(default=0)
    tweets_count = models.PositiveIntegerField(default=0)
    likes_count = models.PositiveIntegerField(default=0)

    objects = UserManager()

    USERNAME_FIELD = "username"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["email"]

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("username"), name="users_username_ci_unique"),
            models.UniqueConstraint(Lower("email"), name="users_email_ci_unique"),
        ]
        # The most followed accounts (who-to-follow's fallback, the celebrity sync) without
        # sorting every user.
        indexes = [models.Index(fields=["-followers_count", "id"], name="users_most_followed_idx")]

    def __str__(self) -> str:
        return f"@{self.username}"

    @property
    def is_suspended(self) -> bool:
        return self.suspended_at is not None


class RevokedSession(models.Model):
    """A session (a refresh-token family: a login and every token rotated from it) that
    ended: logged out, or one of its rotated refresh tokens was used again, which means it
    leaked. No token of the family is refreshed again."""

    class Reason(models.TextChoices):
        LOGOUT = "logout"
        REUSE = "reuse"

    session_id = models.CharField(max_length=64, primary_key=True)
    user_id = models.BigIntegerField(db_index=True)
    reason = models.CharField(max_length=16, choices=Reason.choices)
    revoked_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"session {self.session_id} of user {self.user_id} ({self.reason})"
