from django.conf import settings
from django.db import models
from django.utils import timezone

from twitter.ids import new_id


class Media(models.Model):
    """An uploaded image. Pending until its bytes are checked (S3 uploads go straight to
    the bucket, then are confirmed); ready once checked; attached once used by a tweet
    or a direct message or as an avatar, which happens once. Unattached media expire."""

    class Purpose(models.TextChoices):
        TWEET = "tweet"
        AVATAR = "avatar"

    class Status(models.TextChoices):
        PENDING = "pending"
        READY = "ready"

    id = models.BigIntegerField(primary_key=True, default=new_id, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False)
    purpose = models.CharField(max_length=10, choices=Purpose.choices, default=Purpose.TWEET)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    key = models.CharField(max_length=200, unique=True)  # the object's name in storage
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField(null=True, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    attached_at = models.DateTimeField(null=True, blank=True)
    tweet_id = models.BigIntegerField(null=True, blank=True)
    message_id = models.BigIntegerField(null=True, blank=True)  # a direct message's attachment
    # What the image shows, for those who cannot see it (alt text); set until attached.
    description = models.TextField(blank=True, default="")
    # Where the image's subject is, from -1 to 1 (left to right, bottom to top), so that
    # clients crop around it.
    focus_x = models.FloatField(null=True, blank=True)
    focus_y = models.FloatField(null=True, blank=True)
    blurhash = models.CharField(max_length=100, blank=True, default="")  # see apps.media.images

    class Meta:
        verbose_name_plural = "media"
        indexes = [
            models.Index(fields=["owner", "-id"], name="media_by_owner_idx"),
            models.Index(
                fields=["created_at"], name="media_unattached_idx", condition=models.Q(attached_at__isnull=True)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.status})"
