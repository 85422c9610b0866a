from django.conf import settings
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import GreaterThanOrEqual, LessThanOrEqual
from django.utils import timezone

from twitter.ids import new_id

TEXT_MAX_LENGTH = 280
HASHTAG_MAX_LENGTH = 100


class Tweet(models.Model):
    id = models.BigIntegerField(primary_key=True, default=new_id, editable=False)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False)
    # Empty for a retweet: its content is the original's.
    text = models.TextField(blank=True)
    reply_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    # The author replied to, kept with the reply: the home-timeline reply rule needs it.
    reply_to_user_id = models.BigIntegerField(null=True, blank=True)
    # A retweet is a tweet of its own (a timeline entry) pointing at an original.
    retweet_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    # Mentions and hashtags with their offsets, as the API returns them.
    entities = models.JSONField(default=dict, blank=True)
    # Attached images as the API returns them (apps.media checked and attached them).
    media = models.JSONField(default=list, blank=True)
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
            models.Index(
                fields=["retweet_of"], name="tweets_retweets_idx", condition=models.Q(retweet_of__isnull=False)
            ),
        ]
        constraints = [
            # Postgres counts code points, as the API does (after NFC normalization).
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("text"), TEXT_MAX_LENGTH), name="tweets_text_max_length"
            ),
            models.CheckConstraint(
                condition=GreaterThanOrEqual(Length("text"), 1) | models.Q(retweet_of__isnull=False),
                name="tweets_text_not_empty",
            ),
            # One live retweet of an original per user.
            models.UniqueConstraint(
                fields=["author", "retweet_of"],
                condition=models.Q(retweet_of__isnull=False, deleted_at__isnull=True),
                name="tweets_one_live_retweet",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.id} by {self.author_id}"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class Like(models.Model):
    id = models.BigIntegerField(primary_key=True, default=new_id, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False)
    tweet = models.ForeignKey(Tweet, on_delete=models.CASCADE, related_name="+", db_index=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "tweet"], name="likes_once_per_user")]
        indexes = [
            models.Index(fields=["tweet", "-id"], name="likes_by_tweet_idx"),
            models.Index(fields=["user", "-id"], name="likes_by_user_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} likes {self.tweet_id}"


class TweetHashtag(models.Model):
    """A hashtag used by a tweet: the hashtag timeline reads these newest first."""

    tag = models.CharField(max_length=HASHTAG_MAX_LENGTH)  # case-folded
    tweet = models.ForeignKey(Tweet, on_delete=models.CASCADE, related_name="+", db_index=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tag", "tweet"], name="hashtags_once_per_tweet")]
        indexes = [models.Index(fields=["tag", "-tweet"], name="hashtags_recent_idx")]

    def __str__(self) -> str:
        return f"#{self.tag} in {self.tweet_id}"


class TweetMention(models.Model):
    tweet = models.ForeignKey(Tweet, on_delete=models.CASCADE, related_name="+", db_index=False)
    user_id = models.BigIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tweet", "user_id"], name="mentions_once_per_tweet")]
        indexes = [models.Index(fields=["user_id", "-tweet"], name="mentions_by_user_idx")]

    def __str__(self) -> str:
        return f"@{self.user_id} in {self.tweet_id}"
