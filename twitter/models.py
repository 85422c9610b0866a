"""Kernel tables: the transactional outbox, the dead letters of failed tasks, and the answers
kept for requests retried with an Idempotency-Key."""

from django.contrib.postgres.fields import ArrayField
from django.db import models

from twitter.ids import new_id


class OutboxEvent(models.Model):
    """A side effect to deliver, written in the same transaction as the change."""

    id = models.BigIntegerField(primary_key=True, default=new_id, editable=False)
    event_type = models.CharField(max_length=64)
    payload = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    # Set once the broker accepted every consumer's message; the sweep re-sends the rest.
    published_at = models.DateTimeField(null=True, blank=True)
    # The consumers (task names) that finished with the event, as they report it.
    confirmed = ArrayField(models.CharField(max_length=200), default=list, blank=True)
    # Set once every consumer confirmed (or the event ran out of attempts and left dead
    # letters): until then the sweep re-sends it to those that did not.
    done_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    # The request that caused it (X-Request-ID): on the log lines of every task it causes.
    request_id = models.CharField(max_length=64, blank=True, default="", db_default="")

    class Meta:
        indexes = [
            models.Index(fields=["id"], name="outbox_pending_idx", condition=models.Q(published_at__isnull=True)),
            models.Index(
                fields=["published_at"],
                name="outbox_unconfirmed_idx",
                condition=models.Q(published_at__isnull=False, done_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} #{self.id}"


class DeadLetter(models.Model):
    """A task that failed for good; an operator can inspect and replay it."""

    id = models.BigIntegerField(primary_key=True, default=new_id, editable=False)
    task_name = models.CharField(max_length=200)
    args = models.JSONField(default=list)
    kwargs = models.JSONField(default=dict)
    error = models.TextField()
    traceback = models.TextField(blank=True)
    failed_at = models.DateTimeField(auto_now_add=True)
    replayed_at = models.DateTimeField(null=True, blank=True)
    replay_count = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.task_name} #{self.id}"


class IdempotentRequest(models.Model):
    """The answer to a write sent with an Idempotency-Key, committed with the write itself:
    a retry with the same key gets this answer again instead of a second write."""

    id = models.BigAutoField(primary_key=True)
    user_id = models.BigIntegerField()  # whose key (0: an anonymous request)
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)  # SHA-256 of method, path and body
    status = models.PositiveSmallIntegerField(default=0)
    content_type = models.CharField(max_length=100, blank=True)
    location = models.CharField(max_length=500, blank=True)
    body = models.BinaryField(default=bytes)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user_id", "key"], name="idempotency_key_per_user")]

    def __str__(self) -> str:
        return f"{self.key} ({self.user_id})"
