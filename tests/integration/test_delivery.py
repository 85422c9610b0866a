"""Outbox delivery through the real broker to a real Celery worker."""

import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
import redis
from celery import current_app
from django.conf import settings
from django.db import connection

from apps.timelines import feeds, services
from apps.users.models import User
from devstack.procs import Process
from tests.factories import UserFactory
from tests.integration.conftest import database_url, eventually, log_lines, start_worker
from twitter import keys
from twitter.ids import new_id
from twitter.models import OutboxEvent
from twitter.redis import is_cluster

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(tmp_path: Path, settings: Any) -> Iterator[Process]:
    settings.CELEBRITY_FOLLOWERS = 3
    process = start_worker(tmp_path, CELEBRITY_FOLLOWERS="3", OUTBOX_SWEEP_INTERVAL_SECONDS="1")
    yield process
    process.stop()


def test_follow_tweet_unfollow_delete_and_celebrity_through_the_worker(worker: Process, api_for: Any) -> None:
    a, b, c = (api_for(UserFactory(username=name)) for name in ("a", "b", "c"))
    a.follow(b.user)
    a.home()  # A is active: their home list exists
    tweet = b.tweet("hello A")["id"]
    eventually(lambda: a.home_ids() == [tweet], what="B's tweet in A's home")

    a.unfollow(b.user)
    assert a.home_ids() == []  # hidden at once
    eventually(lambda: feeds.ids(feeds.Home(a.user.pk)) == [], what="B's entries removed")

    a.follow(b.user)
    eventually(lambda: a.home_ids() == [tweet], what="follow merge")
    b.write.delete(f"/api/v1/tweets/{tweet}")
    assert a.home_ids() == []  # gone at once

    fans = [api_for(UserFactory()) for _ in range(2)]
    a.follow(c.user)
    for fan in fans:
        fan.follow(c.user)
    eventually(lambda: services.is_celebrity(c.user.pk), what="C promoted")
    star_tweet = c.tweet("from a celebrity")["id"]
    event = eventually(
        lambda: (
            OutboxEvent.objects.filter(event_type="tweet.created", published_at__isnull=False)
            .filter(payload__tweet_id=int(star_tweet))
            .first()
        ),
        what="the celebrity's tweet published",
    )
    assert event is not None
    assert a.home_ids() == [star_tweet]  # merged at read time
    created = OutboxEvent.objects.filter(event_type="tweet.created").count()
    eventually(lambda: succeeded(worker, "tweet_created_task") >= created, what="every fan-out task finished")
    assert int(star_tweet) not in (feeds.ids(feeds.Home(a.user.pk)) or [])  # no fan-out


def test_a_task_delivered_twice_leaves_no_duplicate(worker: Process, api_for: Any) -> None:
    reader, author = api_for(UserFactory()), api_for(UserFactory())
    reader.follow(author.user)
    reader.home()
    tweet = int(author.tweet("twice")["id"])
    event = OutboxEvent.objects.get(event_type="tweet.created")
    for _ in range(2):
        current_app.send_task("apps.timelines.tasks.tweet_created_task", args=[event.id, event.payload])
    eventually(lambda: feeds.ids(feeds.Home(reader.user.pk)) == [tweet], what="delivery")
    eventually(lambda: succeeded(worker, "tweet_created_task") >= 3, what="three deliveries")
    assert feeds.ids(feeds.Home(reader.user.pk)) == [tweet]


def succeeded(worker: Process, task: str) -> int:
    """How many runs of `task` the worker logged as succeeded."""
    return sum(1 for line in log_lines(worker.log_path) if task in line["message"] and "succeeded" in line["message"])


def _followers_with_homes(author_id: int, count: int) -> list[int]:
    """`count` followers of `author_id`, each with an (empty, complete) cached home."""
    users = User.objects.bulk_create(
        [User(username=f"fan{i}", email=f"fan{i}@example.com", password="!") for i in range(count)]
    )
    with connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO follows_follow (id, follower_id, followee_id, created_at) VALUES (%s, %s, %s, now())",
            [(new_id(), user.pk, author_id) for user in users],
        )
    for user in users:
        feeds.populate(feeds.Home(user.pk), [])
    return [user.pk for user in users]


def _pause_writes(paused: bool) -> None:
    """Hold (or let go) every client's writes on the data Redis, on each of its nodes."""
    client: Any = feeds.get_redis()
    nodes = [client.get_redis_connection(n) for n in client.get_primaries()] if is_cluster() else [client]
    for node in nodes:
        if paused:
            node.execute_command("CLIENT PAUSE", 60_000, "WRITE")
        else:
            node.execute_command("CLIENT UNPAUSE")


def test_killing_the_worker_mid_fan_out_loses_nothing(tmp_path: Path, api_for: Any) -> None:
    """The whole worker is SIGKILLed mid fan-out; with the default settings the next worker
    gets the task again within seconds (the visibility timeout after the last lease
    renewal), not after minutes."""
    author = api_for(UserFactory())
    followers = _followers_with_homes(author.user.pk, 2000)
    slow = {"FANOUT_BATCH_SIZE": "1"}
    first = start_worker(tmp_path, "first", **slow)
    try:
        tweet = int(author.tweet("to two thousand followers")["id"])

        def delivered() -> int:
            pipe = feeds.get_redis().pipeline(transaction=False)
            for follower in followers:
                pipe.lpos(keys.home_timeline(follower), tweet)
            return sum(position is not None for position in pipe.execute())

        def paused_mid_fan_out() -> int:
            """Redis holds every write while the homes are counted; once some have the
            tweet it stays held (the worker waits in the middle of its fan-out), and the
            worker is killed there. The worker moves only between two looks (50 ms
            apart), a small part of its fan-out of 2,000 batches."""
            _pause_writes(True)
            count = delivered()
            if count == 0:
                _pause_writes(False)
            return count

        try:
            partial = eventually(paused_mid_fan_out, what="the fan-out under way")
            first.stop_signal = signal.SIGKILL
            first.stop()
        finally:
            _pause_writes(False)
    finally:
        first.stop()
    assert 0 < partial < len(followers), f"killed too late or too early: {partial}"
    second = start_worker(tmp_path, "second", **slow)
    try:
        eventually(lambda: delivered() == len(followers), timeout=60, what="every follower served")
    finally:
        second.stop()
    for follower in followers[:50]:
        assert feeds.ids(feeds.Home(follower)) == [tweet]


def test_a_task_longer_than_the_visibility_timeout_is_not_delivered_twice(tmp_path: Path, api_for: Any) -> None:
    """A live worker renews the lease of the task it runs: a fan-out blocked (on a table
    lock) for several visibility timeouts is neither taken from its worker nor handed to
    the worker's second process."""
    reader, author = api_for(UserFactory()), api_for(UserFactory())
    reader.follow(author.user)
    reader.home()
    short = {
        "CELERY_VISIBILITY_TIMEOUT": "2",
        "TASK_LEASE_RENEW_SECONDS": "0.5",
        "CELERY_UNACKED_RESTORE_INTERVAL": "1",
    }
    worker = start_worker(tmp_path, **short)
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    try:
        # The follow's consumers are done first: they read the locked table too.
        eventually(lambda: succeeded(worker, "follow_created_task") >= 2, what="the follow delivered")
        with psycopg.connect(_dsn(), autocommit=False) as locker, psycopg.connect(_dsn(), autocommit=True) as watcher:
            locker.execute("LOCK TABLE follows_follow IN ACCESS EXCLUSIVE MODE")
            tweet = int(author.tweet("slow to fan out")["id"])

            def blocked_fan_outs() -> int:
                row = watcher.execute(  # not the locker: a transaction sees one snapshot of the view
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE %s",
                    ["%follows_follow%"],
                ).fetchone()
                return int(row[0]) if row else 0

            eventually(lambda: blocked_fan_outs() == 1, what="the fan-out blocked on the lock")
            held_since = time.time()
            # Held past several timeouts: its delivery time keeps moving (renewed) ...
            eventually(
                lambda: any(
                    score > held_since + 6 for _, score in broker.zrange("unacked_index", 0, -1, withscores=True)
                ),
                timeout=30,
                what="the lease renewed past three visibility timeouts",
            )
            assert blocked_fan_outs() == 1  # ... and no second process got it
            locker.rollback()
        eventually(lambda: reader.home_ids() == [str(tweet)], what="the fan-out done")
        eventually(lambda: succeeded(worker, "tweet_created_task") >= 1, what="the task finished")
    finally:
        worker.stop()
    log = [line["message"] for line in log_lines(worker.log_path)]
    assert sum("tweet_created_task[" in line and line.endswith(" received") for line in log) == 1


def _dsn() -> str:
    return database_url("default").replace("postgres://", "postgresql://")
