from django.db import models
from django.utils import timezone

from twitter.ids import new_id


class Kind(models.TextChoices):
    FOLLOW = "follow"
    LIKE = "like"
    RETWEET = "retweet"
    REPLY = "reply"
    MENTION = "mention"


# Likes and retweets of one tweet show as one group in the listing.
GROUPED_KINDS = frozenset({Kind.LIKE, Kind.RETWEET})


class Notification(models.Model):
    """`actor` did `kind` to `recipient`: followed them, liked or retweeted their tweet
    (`tweet_id` is that tweet), replied to or mentioned them (`tweet_id` is the reply or
    the mentioning tweet)."""

    id = models.BigIntegerField(primary_key=True, default=new_id, editable=False)
    recipient_id = models.BigIntegerField()
    actor_id = models.BigIntegerField()
    kind = models.CharField(max_length=16, choices=Kind.choices)
    tweet_id = models.BigIntegerField(null=True, blank=True)
    # What the listing groups by: the tweet for likes and retweets, else the notification.
    group_key = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            # One per cause: a replayed event makes no second notification.
            models.UniqueConstraint(
                fields=["recipient_id", "kind", "actor_id", "tweet_id"],
                name="notifications_once_per_cause",
                nulls_distinct=False,
            )
        ]
        indexes = [
            models.Index(fields=["recipient_id", "-id"], name="notifications_recent_idx"),
            models.Index(fields=["recipient_id", "group_key", "-id"], name="notifications_group_idx"),
            models.Index(
                fields=["tweet_id"], name="notifications_tweet_idx", condition=models.Q(tweet_id__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} by {self.actor_id} for {self.recipient_id}"


class ReadMarker(models.Model):
    """Everything up to `last_read_id` has been read by `user_id`."""

    user_id = models.BigIntegerField(primary_key=True)
    last_read_id = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.user_id} read up to {self.last_read_id}"
