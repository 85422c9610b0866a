"""Outbox relay and sweep, dead letters, and their operator commands."""

import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client

from apps.timelines.tasks import tweet_created_task
from tests.factories import UserFactory
from twitter import events
from twitter.models import DeadLetter, OutboxEvent
from twitter.redis import get_redis

pytestmark = pytest.mark.django_db(transaction=True)


def _queued() -> int:
    """Messages waiting in the broker's default queue (the test broker is the test Redis)."""
    return int(get_redis().llen("celery"))


def test_an_event_is_relayed_right_after_commit() -> None:
    with transaction.atomic():
        event = events.publish("tweet.created", {"tweet_id": 1, "author_id": 2})
        assert _queued() == 0  # nothing leaves before the commit
    event.refresh_from_db()
    assert event.published_at is not None
    consumers = events.subscribers("tweet.created", event.payload)
    assert consumers
    assert _queued() == len(consumers)  # one message per consumer


def test_a_consumer_gets_only_the_events_it_said_are_relevant() -> None:
    plain = {"tweet_id": 1, "author_id": 2, "hashtags": [], "mention_ids": [], "reply_to_user_id": None}
    tagged = {**plain, "tweet_id": 3, "hashtags": ["news"]}
    counting = "apps.tweets.tasks.hashtags_count_task"
    notifying = "apps.notifications.tasks.tweet_created_task"
    assert {counting, notifying} <= set(events.subscribers("tweet.created"))
    assert not {counting, notifying} & set(events.subscribers("tweet.created", plain))
    assert counting in events.subscribers("tweet.created", tagged)
    assert notifying in events.subscribers("tweet.created", {**plain, "mention_ids": [5]})
    assert notifying in events.subscribers("tweet.created", {**plain, "reply_to_user_id": 5})
    for payload in (plain, tagged):
        with transaction.atomic():
            events.publish("tweet.created", payload)
    queued = [json.loads(message)["headers"]["task"] for message in get_redis().lrange("celery", 0, -1)]
    assert sorted(queued) == sorted(
        [*events.subscribers("tweet.created", plain), *events.subscribers("tweet.created", tagged)]
    )
    assert queued.count(counting) == 1


def _failing_change() -> None:
    with transaction.atomic():
        events.publish("tweet.created", {"tweet_id": 1, "author_id": 2})
        raise RuntimeError("the change failed")


def test_a_rolled_back_change_sends_nothing() -> None:
    with pytest.raises(RuntimeError):
        _failing_change()
    assert not OutboxEvent.objects.exists()
    assert _queued() == 0


def test_the_sweep_sends_what_the_relay_could_not() -> None:
    events.broker_breaker.record_failure()  # as after a failed send: the relay holds back
    with transaction.atomic():
        event = events.publish("follow.created", {"follower_id": 1, "followee_id": 2, "follow_id": 3})
    event.refresh_from_db()
    assert event.published_at is None
    events.broker_breaker.record_success()
    assert events.sweep(older_than_seconds=60) == 0  # too young: left to the relay
    out = StringIO()
    call_command("outbox", "status", stdout=out)
    assert "pending:   1" in out.getvalue()
    assert "follow.created" in out.getvalue()
    call_command("outbox", "relay", stdout=out)
    assert "relayed 1 pending event(s)" in out.getvalue()
    event.refresh_from_db()
    assert event.published_at is not None
    assert event.attempts == 1
    assert _queued() == len(events.subscribers("follow.created"))  # one message per consumer


def test_a_task_that_fails_for_good_leaves_a_replayable_dead_letter() -> None:
    result = tweet_created_task.apply(args=[123, {"tweet_id": 1}])  # a payload it cannot use
    assert result.failed()
    letter = DeadLetter.objects.get()
    assert letter.task_name == "apps.timelines.tasks.tweet_created_task"
    assert letter.args == [123, {"tweet_id": 1}]
    assert "KeyError" in letter.error
    out = StringIO()
    call_command("deadletters", "list", stdout=out)
    assert str(letter.id) in out.getvalue()
    call_command("deadletters", "replay", "--id", str(letter.id), stdout=out)
    letter.refresh_from_db()
    assert letter.replay_count == 1
    assert letter.replayed_at is not None
    assert _queued() == 1


def test_replaying_an_unknown_dead_letter_is_a_clear_error() -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no dead letter with id 42"):
        call_command("deadletters", "replay", "--id", "42")
    with pytest.raises(CommandError, match="needs --id"):
        call_command("deadletters", "replay")


def test_admin_lists_outbox_and_dead_letters_and_replays(settings: Any) -> None:
    tweet_created_task.apply(args=[1, {}])
    with transaction.atomic():
        events.publish("tweet.created", {"tweet_id": 1, "author_id": 2})
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get("/admin/twitter/outboxevent/").status_code == 200
    assert client.get("/admin/twitter/deadletter/").status_code == 200
    letter = DeadLetter.objects.get()
    client.post("/admin/twitter/deadletter/", {"action": "replay", "_selected_action": [letter.pk]})
    letter.refresh_from_db()
    assert letter.replay_count == 1
