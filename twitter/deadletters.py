"""Replaying dead letters: the operator's way to deliver a task that failed for good."""

from celery import current_app
from django.db.models import F
from django.utils import timezone

from twitter.models import DeadLetter


def dead_letter_replay(*, dead_letter_id: int) -> None:
    letter = DeadLetter.objects.get(pk=dead_letter_id)
    current_app.send_task(letter.task_name, args=letter.args, kwargs=letter.kwargs)
    DeadLetter.objects.filter(pk=dead_letter_id).update(replayed_at=timezone.now(), replay_count=F("replay_count") + 1)
