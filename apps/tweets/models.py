from django.conf import settings
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import GreaterThanOrEqual, LessThanOrEqual
from django.utils import timezone

from twitter.ids import new_id

TEXT_MAX_LENGTH = 280


class Tweet(models.Model):
    id = models.BigIntegerField(primary_key=True, default=new_id, editable=False)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False)
    text = models.TextField()
    reply_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    # The author replied to, kept with the reply: the home-timeline reply rule needs it.
    reply_to_user_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Deletion is a tombstone: the row stays for counters and threads, and never shows.
    deleted_at = models.DateTimeField(null=True, blank=True)

    # Denormalized, kept exact by the services that change them.
    reply_count = models.PositiveIntegerField(default=0)
    like_count = models.PositiveIntegerField(default=0)
    retweet_count = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["author", "-id"], name="tweets_author_recent_idx"),
            models.Index(
                fields=["reply_to", "-id"], name="tweets_replies_idx", condition=models.Q(reply_to__isnull=False)
            ),
        ]
        constraints = [
            # Postgres counts code points, as the API does (after NFC normalization).
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("text"), TEXT_MAX_LENGTH), name="tweets_text_max_length"
            ),
            models.CheckConstraint(condition=GreaterThanOrEqual(Length("text"), 1), name="tweets_text_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.id} by {self.author_id}"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None
