from django.conf import settings
from django.db import models

from twitter.ids import new_id


class Follow(models.Model):
    """`follower` follows `followee`. The id orders followers/following lists by recency."""

    id = models.BigIntegerField(primary_key=True, default=new_id, editable=False)
    follower = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False)
    followee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["follower", "followee"], name="follows_unique_pair"),
            models.CheckConstraint(condition=~models.Q(follower=models.F("followee")), name="follows_not_self"),
        ]
        indexes = [
            # followers of X (fan-out, lists, reply rule): by followee, then follower
            models.Index(fields=["followee", "follower"], name="follows_followee_idx"),
            models.Index(fields=["followee", "-id"], name="follows_followee_recent_idx"),
            models.Index(fields=["follower", "-id"], name="follows_follower_recent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.follower_id} -> {self.followee_id}"


class Block(models.Model):
    """`blocker` blocked `blocked`: no follows either way, no messages and no
    notifications from them, and neither sees the other's tweets (apps.tweets.visibility)."""

    id = models.BigIntegerField(primary_key=True, default=new_id, editable=False)
    blocker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False)
    blocked = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="blocks_unique_pair"),
            models.CheckConstraint(condition=~models.Q(blocker=models.F("blocked")), name="blocks_not_self"),
        ]
        indexes = [
            models.Index(fields=["blocker", "-id"], name="blocks_blocker_recent_idx"),
            models.Index(fields=["blocked"], name="blocks_blocked_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.blocker_id} blocks {self.blocked_id}"


class Mute(models.Model):
    """`muter` muted `muted`: their tweets and retweets leave the muter's home timeline
    and notifications, and nothing else changes."""

    id = models.BigIntegerField(primary_key=True, default=new_id, editable=False)
    muter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False)
    muted = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["muter", "muted"], name="mutes_unique_pair"),
            models.CheckConstraint(condition=~models.Q(muter=models.F("muted")), name="mutes_not_self"),
        ]
        indexes = [
            models.Index(fields=["muter", "-id"], name="mutes_muter_recent_idx"),
            models.Index(fields=["muted"], name="mutes_muted_idx"),  # who muted an author: fan-out leaves them out
        ]

    def __str__(self) -> str:
        return f"{self.muter_id} mutes {self.muted_id}"


class SuggestionDismissal(models.Model):
    """`user` does not want `dismissed` suggested to them again."""

    id = models.BigIntegerField(primary_key=True, default=new_id, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False)
    dismissed = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "dismissed"], name="suggestion_dismissed_once")]

    def __str__(self) -> str:
        return f"{self.user_id} dismissed {self.dismissed_id}"
