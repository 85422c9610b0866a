"""Direct messages: conversations of two or more users, and their messages.

A conversation's page of messages is one range scan of (conversation, id); a user's list
of conversations reads only their participant rows (ordered by the conversation's last
activity), then the conversations and last messages by primary key: never a scan of
messages. Unread counts are kept on the participant rows by the writes.
"""

from django.db import models
from django.utils import timezone

from twitter.ids import new_id

TEXT_MAX_LENGTH = 10_000


class Conversation(models.Model):
    id = models.BigIntegerField(primary_key=True, default=new_id, editable=False)
    # "<smaller id>:<larger id>" for a conversation of two: there is one per pair.
    pair_key = models.CharField(max_length=41, null=True, blank=True, unique=True)
    created_by_id = models.BigIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)  # the last message's time
    last_message_id = models.BigIntegerField(null=True, blank=True)
    messages_count = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"conversation {self.id}"

    @property
    def is_group(self) -> bool:
        return self.pair_key is None


class Participant(models.Model):
    """`user_id` takes part in `conversation`. Leaving a group deletes the row; leaving a
    conversation of two hides it (`hidden`) until a new message arrives."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="participants")
    user_id = models.BigIntegerField()
    # The conversation's last message id (its own id before any): the list's order and cursor.
    activity_id = models.BigIntegerField()
    last_read_id = models.BigIntegerField(default=0)
    unread_count = models.PositiveIntegerField(default=0)
    hidden = models.BooleanField(default=False)
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["conversation", "user_id"], name="dm_participant_once"),
        ]
        indexes = [
            models.Index(
                fields=["user_id", "-activity_id"], name="dm_participant_list_idx", condition=models.Q(hidden=False)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.conversation_id}"


class Message(models.Model):
    id = models.BigIntegerField(primary_key=True, default=new_id, editable=False)
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="+", db_index=False)
    sender_id = models.BigIntegerField()
    text = models.TextField()
    media = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["conversation", "-id"], name="dm_message_page_idx")]

    def __str__(self) -> str:
        return f"message {self.id} in {self.conversation_id}"


class Report(models.Model):
    """A participant reported a message to the moderators. The text is kept as reported:
    the message may be deleted since, and moderators read only reported texts."""

    class Reason(models.TextChoices):
        SPAM = "spam"
        ABUSE = "abuse"
        OTHER = "other"

    id = models.BigIntegerField(primary_key=True, default=new_id, editable=False)
    message_id = models.BigIntegerField()
    conversation_id = models.BigIntegerField()
    sender_id = models.BigIntegerField()
    reporter_id = models.BigIntegerField()
    reason = models.CharField(max_length=10, choices=Reason.choices)
    comment = models.CharField(max_length=1000, blank=True)
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["message_id", "reporter_id"], name="dm_report_once"),
        ]
        indexes = [
            models.Index(fields=["-id"], name="dm_report_open_idx", condition=models.Q(resolved_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"report {self.id} of message {self.message_id}"
