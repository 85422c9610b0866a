"""Outbox relay and sweep, dead letters, and their operator commands."""

import json
import time
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client

from apps.timelines.tasks import tweet_created_task
from tests.conftest import broker_redis
from tests.factories import UserFactory
from twitter import events, keys, relay
from twitter.event_types import FollowCreated, FollowDeleted, TweetCreated
from twitter.models import DeadLetter, OutboxEvent
from twitter.redis import get_redis

pytestmark = pytest.mark.django_db(transaction=True)


QUEUES = ("celery", "fanout")


def _queued() -> int:
    """Messages waiting in the broker's queues (the test broker is the test Redis)."""
    return sum(int(broker_redis().llen(queue)) for queue in QUEUES)


def _messages() -> list[dict[str, Any]]:
    return [json.loads(message) for queue in QUEUES for message in broker_redis().lrange(queue, 0, -1)]


@pytest.fixture
def inline_relay(settings: Any) -> None:
    settings.OUTBOX_RELAY = "inline"


def test_inline_an_event_is_relayed_right_after_commit(inline_relay: None) -> None:
    with transaction.atomic():
        event = events.publish(TweetCreated(tweet_id=1, author_id=2))
        assert _queued() == 0  # nothing leaves before the commit
    event.refresh_from_db()
    assert event.published_at is not None
    consumers = events.subscribers("tweet.created", event.payload)
    assert consumers
    assert _queued() == len(consumers)  # one message per consumer


def test_by_default_the_request_only_wakes_the_workers_relay() -> None:
    with transaction.atomic():
        event = events.publish(TweetCreated(tweet_id=1, author_id=2, reply_to_id=None))
        assert get_redis().llen(keys.outbox_wake()) == 0  # nothing before the commit
    assert get_redis().llen(keys.outbox_wake()) == 1
    assert _queued() == 0  # no broker work in the request
    event.refresh_from_db()
    assert event.published_at is None
    sent = events.sweep(older_than_seconds=0, count_attempts=False)  # what the relay does when woken
    assert sent == 1
    event.refresh_from_db()
    assert event.published_at is not None
    assert event.attempts == 0
    assert _queued() == len(events.subscribers("tweet.created", event.payload))


def test_the_relay_thread_sends_events_as_they_commit(settings: Any) -> None:
    settings.OUTBOX_RELAY_IDLE_SECONDS = 30.0  # so only a wake-up can explain a prompt send
    thread = relay.Relay()
    thread.start()
    try:
        for number in range(3):
            with transaction.atomic():
                event = events.publish(FollowCreated(follower_id=number, followee_id=9, follow_id=3))
            deadline = time.monotonic() + 10
            while OutboxEvent.objects.filter(pk=event.pk, published_at__isnull=True).exists():
                assert time.monotonic() < deadline, "the relay did not send the event"
                time.sleep(0.01)
    finally:
        thread.stop()
    assert not thread.is_alive()
    assert _queued() == 3 * len(events.subscribers("follow.created"))


def test_a_consumer_gets_only_the_events_it_said_are_relevant(inline_relay: None) -> None:
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
            events.publish(TweetCreated.from_payload(payload))
    queued = [message["headers"]["task"] for message in _messages()]
    assert sorted(queued) == sorted(
        [*events.subscribers("tweet.created", plain), *events.subscribers("tweet.created", tagged)]
    )
    assert queued.count(counting) == 1


def _failing_change() -> None:
    with transaction.atomic():
        events.publish(TweetCreated(tweet_id=1, author_id=2))
        raise RuntimeError("the change failed")


def test_a_rolled_back_change_sends_nothing() -> None:
    with pytest.raises(RuntimeError):
        _failing_change()
    assert not OutboxEvent.objects.exists()
    assert _queued() == 0


def test_the_sweep_sends_what_the_relay_could_not(inline_relay: None) -> None:
    events.broker_breaker.record_failure()  # as after a failed send: the relay holds back
    with transaction.atomic():
        event = events.publish(FollowCreated(follower_id=1, followee_id=2, follow_id=3))
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
    assert "missing 1 required positional argument: 'author_id'" in letter.error  # what was wrong
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
        events.publish(TweetCreated(tweet_id=1, author_id=2))
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get("/admin/twitter/outboxevent/").status_code == 200
    assert client.get("/admin/twitter/deadletter/").status_code == 200
    letter = DeadLetter.objects.get()
    client.post("/admin/twitter/deadletter/", {"action": "replay", "_selected_action": [letter.pk]})
    letter.refresh_from_db()
    assert letter.replay_count == 1


def test_pending_events_for_one_consumer_travel_in_one_batch_message(inline_relay: None, settings: Any) -> None:
    settings.OUTBOX_DELIVERY_BATCH = 2
    with transaction.atomic():
        made = [events.publish(FollowDeleted(follower_id=n, followee_id=9)) for n in range(3)]
    broker_redis().delete(*QUEUES)  # each commit's own relay sent one message per event
    OutboxEvent.objects.update(published_at=None)
    assert events.relay(made) == 3
    consumers = events.subscribers("follow.deleted")
    sent = _messages()
    batches = [m for m in sent if m["headers"]["task"] == events.BATCH_TASK]
    singles = [m for m in sent if m["headers"]["task"] != events.BATCH_TASK]
    # Per consumer: one message with two events, one with the third.
    assert len(batches) == len(singles) == len(consumers)
    assert not OutboxEvent.objects.filter(published_at__isnull=True).exists()


def test_a_batch_runs_each_event_and_sends_a_failing_one_back_alone() -> None:
    from twitter.tasks import deliver_batch_task

    consumer = "apps.timelines.tasks.follow_deleted_task"
    good = {"follower_id": 1, "followee_id": 2}
    done = deliver_batch_task.run(consumer, [[1, good], [2, {"nonsense": True}], [3, {**good, "follower_id": 4}]])
    assert done == 2
    retried = [m for m in _messages() if m["headers"]["task"] == consumer]
    assert [m["headers"]["argsrepr"] for m in retried] == ["(2, {'nonsense': True})"]


def test_a_redis_batch_runs_its_scripts_after_redis_lost_them() -> None:
    from twitter.redis import Batch, registered_script

    script = registered_script("return redis.call('INCRBY', KEYS[1], ARGV[1])")
    get_redis().script_flush()
    batch = Batch()
    batch.pipe.set("batch:test", 1)
    position = batch.script(script, keys=["batch:test"], args=[2])
    results = batch.execute()
    assert results[position] == 3
    assert get_redis().get("batch:test") == b"3"


def test_a_broker_that_lost_its_messages_gets_them_again(inline_relay: None) -> None:
    """Issue 13, fault 1: the broker took the messages, then lost them (a restart without
    its data). Before confirmations the event counted as delivered and nothing sent it
    again; now it is sent again to every consumer that did not confirm it."""
    with transaction.atomic():
        event = events.publish(FollowDeleted(follower_id=1, followee_id=2))
    consumers = events.subscribers("follow.deleted", event.payload)
    assert _queued() == len(consumers)
    broker_redis().delete(*QUEUES)  # the broker lost everything it held
    events.confirm([event.id], consumers[0])  # one consumer had finished before the loss
    resent, given_up = events.resend_unconfirmed(older_than_seconds=0, max_attempts=5)
    assert (resent, given_up) == (1, 0)
    assert sorted(m["headers"]["task"] for m in _messages()) == sorted(consumers[1:])
    event.refresh_from_db()
    assert (event.attempts, event.done_at) == (1, None)
    for consumer in consumers[1:]:
        events.confirm([event.id], consumer)
    assert events.resend_unconfirmed(older_than_seconds=0, max_attempts=5) == (0, 0)
    event.refresh_from_db()
    assert event.done_at is not None
    assert sorted(event.confirmed) == sorted(consumers)


def test_a_consumer_task_confirms_its_event_when_it_succeeds(inline_relay: None) -> None:
    from apps.timelines.tasks import follow_deleted_task

    with transaction.atomic():
        event = events.publish(FollowDeleted(follower_id=1, followee_id=2))
    assert follow_deleted_task.apply(args=[event.id, event.payload]).successful()  # as the worker runs it
    failed = tweet_created_task.apply(args=[event.id, {"tweet_id": 1}])  # a failure confirms nothing
    assert failed.failed()
    event.refresh_from_db()
    assert event.confirmed == ["apps.timelines.tasks.follow_deleted_task"]


def test_a_batch_confirms_the_events_it_ran() -> None:
    from twitter.tasks import deliver_batch_task

    made = [OutboxEvent.objects.create(event_type="follow.deleted", payload={}) for _ in range(2)]
    consumer = "apps.timelines.tasks.follow_deleted_task"
    good = {"follower_id": 1, "followee_id": 2}
    deliver_batch_task.run(consumer, [[made[0].id, good], [made[1].id, {"nonsense": True}]])
    confirmed = dict(OutboxEvent.objects.values_list("id", "confirmed"))
    assert (confirmed[made[0].id], confirmed[made[1].id]) == ([consumer], [])


def test_an_event_never_confirmed_ends_in_dead_letters(inline_relay: None) -> None:
    with transaction.atomic():
        event = events.publish(FollowDeleted(follower_id=1, followee_id=2))
    for _ in range(2):
        assert events.resend_unconfirmed(older_than_seconds=0, max_attempts=2) == (1, 0)
    assert events.resend_unconfirmed(older_than_seconds=0, max_attempts=2) == (0, 1)
    event.refresh_from_db()
    assert event.done_at is not None
    letters = DeadLetter.objects.filter(args__0=event.id)
    assert sorted(letters.values_list("task_name", flat=True)) == sorted(events.subscribers("follow.deleted"))
    assert all("not confirmed after 2 deliveries" in letter.error for letter in letters)
